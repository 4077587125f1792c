"""Every replica's shard worker: do the shards assigned to this node, send the results to
the primary. A shard whose results the primary refused stays assigned and is redone at
the next poll (results are idempotent, keyed by root and relative path)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

from cluster import Cluster, Role
from ingest.scanner import RootOffline, ShardRunner, Sink
from ingest.walk import plan_roots
from store.cluster import ClusterStore, Shard
from tonearm import metrics
from tonearm.errors import AppError

log = logging.getLogger(__name__)

POLL = 2.0  # seconds: a safety net under NOTIFY
PARALLEL = 2  # shards at once: one walks or talks to the database while the other parses
RETRY_AFTER = 1.0


class ShardWorker:
    def __init__(
        self,
        cluster: Cluster,
        clusters: ClusterStore,
        runner: ShardRunner,
        make_sink: Callable[[], Sink | None],
        roots: Sequence[str],
    ) -> None:
        self.cluster = cluster
        self.clusters = clusters
        self.runner = runner
        self.make_sink = make_sink
        self.nested = {r.path: r.nested for r in plan_roots(list(roots))}
        self.event = asyncio.Event()  # set on NOTIFY tonearm_shards
        self._active: dict[int, asyncio.Task[None]] = {}

    async def run(self) -> None:
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.event.wait(), POLL)
                self.event.clear()
                view = self.cluster.view
                if view.suspended or view.role is Role.CANDIDATE or len(self._active) >= PARALLEL:
                    continue
                try:
                    shards = await self.clusters.assigned_to(view.node_id)
                except OSError as exc:
                    log.warning("cannot read shard assignments: %s", exc)
                    continue
                for shard in shards:
                    if len(self._active) >= PARALLEL:
                        break
                    if shard.id not in self._active:
                        self._active[shard.id] = asyncio.create_task(self._do(shard))
        finally:
            for task in self._active.values():
                task.cancel()
            for task in list(self._active.values()):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task

    async def _do(self, shard: Shard) -> None:
        try:
            sink = self.make_sink()
            if sink is None:
                log.info("shard %d waits: no primary to send results to", shard.id)
                await asyncio.sleep(RETRY_AFTER)
                return
            try:
                await self.runner.run(shard, sink, self.nested.get(shard.root, ()))
                log.info("shard %d done", shard.id)
            except RootOffline as exc:
                log.warning("shard %d: %s is offline here (%s)", shard.id, shard.root, exc)
                await sink.release(shard, f"offline on {self.cluster.node_id}: {exc}")
        except asyncio.CancelledError:
            raise
        except (AppError, OSError, Exception) as exc:
            log.warning(
                "shard %d not finished (%s: %s); will retry", shard.id, type(exc).__name__, exc
            )
            metrics.SHARDS.labels("retried").inc()
            await asyncio.sleep(RETRY_AFTER)
        finally:
            self._active.pop(shard.id, None)
            self.event.set()
