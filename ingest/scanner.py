"""One scan of every root: walk, diff against the database, parse what changed, write, prune."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field
from typing import Any

from ingest.parse import Failure, Job, parse_chunk
from ingest.tags import AUDIO_EXTENSIONS
from ingest.walk import RootPlan, WalkResult, plan_roots, probe, walk
from store.ingest import IngestStore, TrackWrite
from tonearm import metrics

log = logging.getLogger(__name__)

CHUNK = 96  # files per worker task: big enough to amortise IPC, small enough to balance
WRITE_BATCH = 500  # tracks per transaction


@dataclass
class Progress:
    """What a running scan has done so far; serialised into the scans table and GET /scan."""

    phase: str = "starting"
    found: int = 0
    to_parse: int = 0
    parsed: int = 0
    unchanged: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    failed: int = 0
    skipped: int = 0
    libraries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Diff:
    jobs: list[Job]
    new: set[bytes]
    missing: list[bytes]
    unchanged: int


def diff(result: WalkResult, known: dict[bytes, tuple[int, int]], *, full: bool) -> Diff:
    """Which files to parse and which tracks are gone. Tracks under folders we could not
    read are never 'gone'."""
    jobs = []
    new = set()
    unchanged = 0
    images = result.folder_images
    for f in result.files:
        old = known.get(f.rel_path)
        if old is None:
            new.add(f.rel_path)
        elif old == (f.size, f.mtime_ns) and not full:
            unchanged += 1
            continue
        folder = f.rel_path[: max(f.rel_path.rfind(b"/"), 0)]
        jobs.append(Job(f.rel_path, f.size, f.mtime_ns, images.get(folder)))
    missing: list[bytes] = []
    if b"" not in result.unreadable:
        seen = {f.rel_path for f in result.files}
        blocked = tuple(d + b"/" for d in result.unreadable)
        missing = [p for p in known if p not in seen and not p.startswith(blocked)]
    return Diff(jobs, new, missing, unchanged)


class Scanner:
    """Runs scans; the caller makes sure only one runs at a time (the primary)."""

    def __init__(self, store: IngestStore, executor: Executor) -> None:
        self.store = store
        self.executor = executor

    async def scan(
        self,
        roots: Sequence[str],
        *,
        full: bool = False,
        progress: Progress | None = None,
        on_progress: Callable[[Progress], Any] | None = None,
    ) -> Progress:
        progress = progress or Progress()
        ids = await self.store.sync_libraries(list(roots))
        for plan in plan_roots(list(roots)):
            entry: dict[str, Any] = {"status": "scanning", "reason": None}
            progress.libraries[plan.path] = entry
            started = time.monotonic()
            try:
                await self._scan_root(ids[plan.path], plan, full, progress, entry, on_progress)
            except Exception:
                # One root's trouble (a drive vanishing mid-walk) must not stop the others.
                log.exception("scan of %s failed", plan.path)
                entry.update(status="offline", reason="scan failed")
                await self.store.set_status(ids[plan.path], "offline", "scan failed")
            entry["seconds"] = round(time.monotonic() - started, 3)
            count = await self.store.track_count(ids[plan.path])
            entry["track_count"] = count
            metrics.LIBRARY_TRACKS.labels(plan.path).set(count)
            metrics.LIBRARY_ONLINE.labels(plan.path).set(entry["status"] == "online")
        progress.phase = "pruning"
        await self.store.prune()
        progress.phase = "done"
        return progress

    async def _scan_root(
        self,
        library_id: int,
        plan: RootPlan,
        full: bool,
        progress: Progress,
        entry: dict[str, Any],
        on_progress: Callable[[Progress], Any] | None,
    ) -> None:
        known = await self.store.known_files(library_id)
        online, reason = await asyncio.to_thread(probe, plan.path)
        if online and reason == "empty" and known:
            # An empty folder where tracks used to be is an unmounted drive, not a deletion.
            online, reason = False, "empty (not mounted?)"
        if not online or plan.real is None:
            log.warning(
                "library %s is offline (%s); keeping its %d tracks", plan.path, reason, len(known)
            )
            entry.update(status="offline", reason=reason)
            await self.store.set_status(library_id, "offline", reason)
            return
        if plan.duplicate_of is not None:
            entry.update(status="online", reason=f"same folder as {plan.duplicate_of}")
            await self.store.remove_tracks(library_id, known)
            await self.store.set_status(library_id, "online", entry["reason"], scanned=True)
            return
        progress.phase = "walking"
        result = await asyncio.to_thread(walk, plan.real, AUDIO_EXTENSIONS, plan.nested)
        progress.found += len(result.files)
        progress.skipped += result.skipped
        progress.failed += len(result.errors)
        metrics.SCAN_ERRORS.inc(len(result.errors))
        metrics.SCAN_FILES.labels("skipped").inc(result.skipped)
        d = await asyncio.to_thread(diff, result, known, full=full)
        progress.unchanged += d.unchanged
        progress.to_parse += len(d.jobs)
        metrics.SCAN_FILES.labels("unchanged").inc(d.unchanged)
        entry.update(found=len(result.files), unreadable_folders=len(result.unreadable))

        progress.phase = "reading tags"
        await self._parse_and_write(library_id, plan.real, d, progress, on_progress)

        removed = await self.store.remove_tracks(library_id, d.missing)
        progress.removed += removed
        metrics.SCAN_FILES.labels("removed").inc(removed)
        status_reason = "some folders unreadable" if result.unreadable else None
        entry.update(status="online", reason=status_reason)
        await self.store.set_status(library_id, "online", status_reason, scanned=True)

    async def _parse_and_write(
        self,
        library_id: int,
        root: str,
        d: Diff,
        progress: Progress,
        on_progress: Callable[[Progress], Any] | None,
    ) -> None:
        loop = asyncio.get_running_loop()
        root_b = os.fsencode(root)
        chunks = [d.jobs[i : i + CHUNK] for i in range(0, len(d.jobs), CHUNK)]
        # Bounded in flight: enough to keep every worker busy while we write.
        limit = asyncio.Semaphore(8)
        pending: list[TrackWrite] = []

        async def run(chunk: list[Job]) -> list[TrackWrite | Failure]:
            async with limit:
                return await loop.run_in_executor(self.executor, parse_chunk, root_b, chunk)

        tasks = [asyncio.ensure_future(run(c)) for c in chunks]
        try:
            for next_done in asyncio.as_completed(tasks):
                for item in await next_done:
                    progress.parsed += 1
                    if isinstance(item, Failure):
                        progress.failed += 1
                        metrics.SCAN_FILES.labels("failed").inc()
                        log.warning("skipping %s: %s", os.fsdecode(item.rel_path), item.reason)
                        continue
                    pending.append(item)
                if len(pending) >= WRITE_BATCH:
                    await self._write(library_id, pending, d, progress)
                    pending = []
                if on_progress is not None:
                    on_progress(progress)
            await self._write(library_id, pending, d, progress)
        finally:
            for t in tasks:
                t.cancel()

    async def _write(
        self, library_id: int, batch: list[TrackWrite], d: Diff, progress: Progress
    ) -> None:
        if not batch:
            return
        await self.store.write_tracks(library_id, batch)
        added = sum(1 for t in batch if t.rel_path in d.new)
        progress.added += added
        progress.updated += len(batch) - added
        metrics.SCAN_FILES.labels("added").inc(added)
        metrics.SCAN_FILES.labels("updated").inc(len(batch) - added)
