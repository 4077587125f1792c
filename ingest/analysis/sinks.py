"""Where a replica's analysis results go: the primary's writer, in this process (on the
primary) or over HTTP (from a secondary, authenticated with the cluster secret)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Protocol

from cluster import Cluster
from ingest.analysis import wire
from ingest.sinks import PrimaryClient
from ingest.vector import FEATURE_VERSION
from ingest.writer import primary_epoch
from store.analysis import AnalysisShard, AnalysisStore, AnalysisWrite
from store.cluster import Fenced
from tonearm import metrics
from tonearm.errors import Conflict

log = logging.getLogger(__name__)


class AnalysisWriter:
    """The primary's writer of analysis results: every write fenced by its term, and stamped
    with this extractor version (results of another version are refused, so a replica still
    running an older release cannot write vectors the index would mix with new ones)."""

    def __init__(self, store: AnalysisStore, cluster: Cluster) -> None:
        self.store = store
        self.cluster = cluster

    def epoch(self) -> int:
        return primary_epoch(self.cluster)

    async def write(
        self, shard_id: int, member: str, version: int, results: Sequence[AnalysisWrite]
    ) -> None:
        epoch = self.epoch()
        if version != FEATURE_VERSION:
            raise Conflict(
                f"results of feature version {version}; this primary writes {FEATURE_VERSION}",
                code="version_mismatch",
            )
        try:
            await self.store.write(epoch, shard_id, member, version, results)
        except Fenced as exc:
            log.warning("refused analysis of shard %d from %s: fenced (%s)", shard_id, member, exc)
            raise

    async def finish(self, shard_id: int, member: str) -> None:
        await self.store.finish(self.epoch(), shard_id, member)

    async def release(self, shard_id: int, member: str, reason: str) -> None:
        if not await self.store.release(self.epoch(), shard_id, reason, member):
            raise Conflict(
                f"analysis shard {shard_id} is not assigned to {member}", code="shard_reassigned"
            )
        metrics.ANALYSIS_SHARDS.labels("released").inc()


class AnalysisSink(Protocol):
    async def write(self, shard: AnalysisShard, results: Sequence[AnalysisWrite]) -> None: ...
    async def finish(self, shard: AnalysisShard) -> None: ...
    async def release(self, shard: AnalysisShard, reason: str) -> None: ...


class LocalAnalysisSink:
    def __init__(self, writer: AnalysisWriter, member: str) -> None:
        self.writer = writer
        self.member = member

    async def write(self, shard: AnalysisShard, results: Sequence[AnalysisWrite]) -> None:
        await self.writer.write(shard.id, self.member, FEATURE_VERSION, results)

    async def finish(self, shard: AnalysisShard) -> None:
        await self.writer.finish(shard.id, self.member)

    async def release(self, shard: AnalysisShard, reason: str) -> None:
        await self.writer.release(shard.id, self.member, reason)


class HttpAnalysisSink:
    def __init__(self, client: PrimaryClient) -> None:
        self.client = client

    async def _post(self, shard: AnalysisShard, action: str, body: dict[str, Any]) -> None:
        await self.client.post(f"analysis/{shard.id}/{action}", body)

    async def write(self, shard: AnalysisShard, results: Sequence[AnalysisWrite]) -> None:
        body = {"version": FEATURE_VERSION, "results": [wire.encode(r) for r in results]}
        await self._post(shard, "batch", body)

    async def finish(self, shard: AnalysisShard) -> None:
        await self._post(shard, "finish", {})

    async def release(self, shard: AnalysisShard, reason: str) -> None:
        await self._post(shard, "release", {"reason": reason})
