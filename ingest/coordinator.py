"""The primary's side of a scan: plan shards per root, hand them round-robin to the live
secondaries (itself only when alone), take back those of members that left, and close
the scan when every shard is done. Runs only while this node is primary; cancelled the
moment it is not, and a new primary resumes the running scan where it stands."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Sequence

from cluster import Cluster
from ingest.scanner import Progress
from ingest.shards import plan_root, round_robin
from ingest.walk import list_subdirs, plan_roots, probe
from store.cluster import ClusterStore, Shard
from store.ingest import IngestStore
from store.models import Scan
from store.scans import ScanStore
from tonearm import metrics

log = logging.getLogger(__name__)

TICK = 1.0  # seconds between checks while a scan runs


class Coordinator:
    def __init__(
        self,
        cluster: Cluster,
        scans: ScanStore,
        clusters: ClusterStore,
        ingest: IngestStore,
        roots: Sequence[str],
        *,
        min_shard: int = 2000,
    ) -> None:
        self.min_shard = min_shard
        self.cluster = cluster
        self.scans = scans
        self.clusters = clusters
        self.ingest = ingest
        self.roots = list(roots)
        self.shard_event = asyncio.Event()  # set on NOTIFY tonearm_shards
        self._rr = 0

    def workers(self) -> list[str]:
        view = self.cluster.view
        others = [m.id for m in view.members if m.id != view.node_id]
        return others or [view.node_id]

    async def drive(self, scan: Scan, epoch: int) -> None:
        """Take one scan (new or resumed) to the end under this term."""
        shards = await self.clusters.shards(scan.id)
        if not shards:
            await self._plan(scan, epoch)
            shards = await self.clusters.shards(scan.id)
        log.info("scan %d: %d shards over %s", scan.id, len(shards), ", ".join(self.workers()))
        while True:
            self.shard_event.clear()
            shards = await self.clusters.shards(scan.id)
            await self._reassign(shards, epoch)
            progress = Progress.total([s.progress for s in shards])
            await self.scans.update(scan.id, self._progress_json(progress, shards))
            if all(s.state in ("done", "failed") for s in shards):
                break
            await self._wait()
        await self._close(scan, epoch)

    async def _wait(self) -> None:
        changed = asyncio.ensure_future(self.cluster.changed())
        notified = asyncio.ensure_future(self.shard_event.wait())
        try:
            await asyncio.wait({changed, notified}, timeout=TICK, return_when="FIRST_COMPLETED")
        finally:
            for f in (changed, notified):
                f.cancel()

    async def _plan(self, scan: Scan, epoch: int) -> None:
        ids = await self.ingest.sync_libraries(epoch, self.roots)
        members = len(self.workers())
        plans: list[tuple[int, Sequence[bytes], Sequence[bytes], int]] = []
        for root in await asyncio.to_thread(plan_roots, self.roots):  # realpath: file system
            library_id = ids[root.path]
            online, reason = await asyncio.to_thread(probe, root.path)
            known = await self.ingest.all_paths(library_id)
            if online and reason == "empty" and known:
                online, reason = False, "empty (not mounted?)"
            if not online or root.real is None:
                log.warning(
                    "library %s is offline (%s); keeping its %d tracks",
                    root.path,
                    reason,
                    len(known),
                )
                await self.ingest.set_status(epoch, library_id, "offline", reason)
                continue
            if root.duplicate_of is not None:
                await self.ingest.remove_library_tracks(epoch, library_id)
                reason = f"same folder as {root.duplicate_of}"
                await self.ingest.set_status(epoch, library_id, "online", reason, scanned=True)
                continue
            shard_plans = await asyncio.to_thread(
                plan_root,
                known,
                functools.partial(list_subdirs, root.real, root.nested),
                members=members,
                min_shard=self.min_shard,
            )
            plans.extend((library_id, p.prefixes, p.flat_dirs, p.expected) for p in shard_plans)
        await self.clusters.create_shards(epoch, scan.id, plans)

    async def _reassign(self, shards: list[Shard], epoch: int) -> None:
        live = {m.id for m in self.cluster.view.members}
        for s in shards:
            if s.state == "assigned" and s.assigned_to not in live:
                log.warning("shard %d: %s is gone; reassigning", s.id, s.assigned_to)
                await self.clusters.release(epoch, s.id, f"{s.assigned_to} left", s.assigned_to)
                metrics.SHARDS.labels("reassigned").inc()
        shards = [
            s
            for s in shards
            if s.state == "pending" or (s.state == "assigned" and s.assigned_to not in live)
        ]
        if not shards:
            return
        workers = self.workers()
        assignments: list[tuple[int, str]] = []
        for s in shards:
            untried = [w for w in workers if w not in s.tried_by]
            if not untried and s.error and s.error.startswith("offline"):
                log.error("shard %d: root unreadable on every replica (%s)", s.id, s.error)
                await self.clusters.fail_shard(epoch, s.id, s.error)
                continue
            pool = untried or workers
            assignments.extend(round_robin([s.id], pool, self._rr))
            self._rr += 1
        await self.clusters.assign(epoch, assignments)

    @staticmethod
    def _progress_json(progress: Progress, shards: list[Shard]) -> dict[str, object]:
        states = {
            state: sum(1 for s in shards if s.state == state)
            for state in ("pending", "assigned", "done", "failed")
        }
        return {**progress.as_dict(), "shards": states}

    async def _close(self, scan: Scan, epoch: int) -> None:
        shards = await self.clusters.shards(scan.id)
        by_library: dict[int, list[Shard]] = {}
        for s in shards:
            by_library.setdefault(s.library_id, []).append(s)
        for library_id, parts in by_library.items():
            failed = [s for s in parts if s.state == "failed"]
            if failed:
                await self.ingest.set_status(epoch, library_id, "offline", failed[0].error)
                continue
            unreadable = any(s.progress.get("unreadable_folders") for s in parts)
            reason = "some folders unreadable" if unreadable else None
            await self.ingest.set_status(epoch, library_id, "online", reason, scanned=True)
        for path, status, count in await self.ingest.library_counts():
            metrics.LIBRARY_TRACKS.labels(path).set(count)
            metrics.LIBRARY_ONLINE.labels(path).set(status == "online")
        await self.ingest.prune(epoch)
        progress = Progress.total([s.progress for s in shards])
        await self.scans.finish(scan.id, self._progress_json(progress, shards))
        metrics.SCANS.labels("done").inc()
        log.info(
            "scan %d done: %d found, %d added, %d updated, %d removed, %d failed",
            scan.id, progress.found, progress.added, progress.updated, progress.removed, progress.failed,
        )  # fmt: skip


async def cancel(task: asyncio.Task[None] | None) -> None:
    if task is not None and not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
