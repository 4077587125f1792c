"""The primary's side of analysis: plan shards of what needs analysing, hand them
round-robin to the live secondaries (itself only when alone), take back those of members
that left. Runs only while this node is primary; a new primary resumes from the table."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from cluster import Cluster
from ingest.analysis import plan
from ingest.vector import FEATURE_VERSION
from store.analysis import AnalysisProgress, AnalysisStore
from tonearm import metrics

log = logging.getLogger(__name__)

TICK = 2.0  # seconds between checks for members that left (NOTIFY and view changes wake it)
GAUGE_EVERY = 10.0  # seconds between recounts of the pending gauge (a scan of all tracks)


class AnalysisCoordinator:
    def __init__(self, cluster: Cluster, store: AnalysisStore, shard_tracks: int) -> None:
        self.cluster = cluster
        self.store = store
        self.shard_tracks = shard_tracks
        self.event = asyncio.Event()  # set on NOTIFY tonearm_shards and plan_soon()
        self._plan = False
        self._turn = 0
        self._counted = 0.0

    def plan_soon(self) -> None:
        """Look for tracks needing analysis (after a scan closes)."""
        self._plan = True
        self.event.set()

    async def run(self, epoch: int) -> None:
        """For one term: plan at its start (so analysis resumes after a restart or a
        failover), then after every scan; hand out shards until cancelled."""
        self._plan = True
        try:
            while True:
                self.event.clear()
                try:
                    await self.step(epoch)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("analysis coordination failed; retrying")
                    await asyncio.sleep(TICK)
                await self._wait()
        finally:
            metrics.ANALYSIS_PENDING.set(0)  # only the primary reports it (dashboards take max)

    async def step(self, epoch: int) -> None:
        if self._plan:
            self._plan = False
            await self.plan(epoch)
        view = self.cluster.view
        live = [m.id for m in view.members]
        shards = await self.store.open_shards()
        moves = plan.moves(shards, live, plan.workers(live, view.node_id), self._turn)
        self._turn = moves.next_turn
        for shard_id, member in moves.releases:
            log.warning("analysis shard %d: %s is gone; reassigning", shard_id, member)
            await self.store.release(epoch, shard_id, f"{member} left", member)
            metrics.ANALYSIS_SHARDS.labels("reassigned").inc()
        for shard_id, error in moves.fails:
            log.error(
                "analysis shard %d: its files are unreadable everywhere (%s)", shard_id, error
            )
            await self.store.fail_shard(epoch, shard_id, error)
        await self.store.assign(epoch, moves.assignments)
        if time.monotonic() - self._counted > GAUGE_EVERY or moves.assignments:
            await self.progress()

    async def plan(self, epoch: int) -> None:
        ids = await self.store.needing(FEATURE_VERSION)
        if not ids:
            return
        groups = plan.split(ids, self.shard_tracks)
        await self.store.create_shards(epoch, groups)
        log.info("analysis: %d tracks to analyse in %d shards", len(ids), len(groups))

    async def progress(self) -> AnalysisProgress:
        progress = await self.store.progress(FEATURE_VERSION)
        metrics.ANALYSIS_PENDING.set(progress.pending)
        self._counted = time.monotonic()
        return progress

    async def _wait(self) -> None:
        changed = asyncio.ensure_future(self.cluster.changed())
        notified = asyncio.ensure_future(self.event.wait())
        try:
            await asyncio.wait({changed, notified}, timeout=TICK, return_when="FIRST_COMPLETED")
        finally:
            for f in (changed, notified):
                f.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await f
