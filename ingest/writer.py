"""The primary's single writer of ingested tracks: every write fenced by its term."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from cluster import Cluster
from store.cluster import ClusterStore, Fenced
from store.ingest import IngestStore, TrackWrite
from tonearm import metrics
from tonearm.errors import Conflict

log = logging.getLogger(__name__)


class NotPrimary(Conflict):
    code = "not_primary"


def primary_epoch(cluster: Cluster) -> int:
    """This term's epoch, for a write only the primary may make; NotPrimary (with where the
    primary is) on any other replica."""
    view = cluster.view
    if not view.is_primary or view.epoch is None:
        primary = view.member(view.primary_id)
        hint = {"X-Tonearm-Primary": primary.address} if primary else {}
        raise NotPrimary("this replica is not the primary", headers=hint)
    return view.epoch


class IngestWriter:
    def __init__(self, store: IngestStore, clusters: ClusterStore, cluster: Cluster) -> None:
        self.store = store
        self.clusters = clusters
        self.cluster = cluster
        # One writer: concurrent batches would upsert the same artists and albums in
        # different orders and deadlock each other.
        self._lock = asyncio.Lock()

    def epoch(self) -> int:
        return primary_epoch(self.cluster)

    async def write(
        self,
        shard_id: int,
        member: str,
        library_id: int,
        batch: Sequence[TrackWrite],
        progress: dict[str, int],
    ) -> None:
        epoch = self.epoch()
        async with self._lock:
            started = time.perf_counter()
            try:
                await self.store.write_batch(epoch, shard_id, member, library_id, batch, progress)
            except Fenced as exc:
                log.warning(
                    "refused a batch of shard %d from %s: fenced (%s)", shard_id, member, exc
                )
                raise
            metrics.INGEST_BATCH_SECONDS.observe(time.perf_counter() - started)

    async def finish(
        self,
        shard_id: int,
        member: str,
        library_id: int,
        missing: Sequence[bytes],
        progress: dict[str, int],
    ) -> None:
        epoch = self.epoch()
        async with self._lock:
            try:
                await self.store.finish_shard(
                    epoch, shard_id, member, library_id, missing, progress
                )
            except Fenced as exc:
                log.warning(
                    "refused the end of shard %d from %s: fenced (%s)", shard_id, member, exc
                )
                raise
        metrics.SHARDS.labels("done").inc()

    async def release(self, shard_id: int, member: str, reason: str) -> None:
        epoch = self.epoch()
        if not await self.clusters.release(epoch, shard_id, reason, member):
            raise Conflict(f"shard {shard_id} is not assigned to {member}", code="shard_reassigned")
        metrics.SHARDS.labels("released").inc()
