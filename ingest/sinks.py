"""Sinks for shard results: the writer in this process (on the primary), or the primary's
internal endpoint over HTTP (on a secondary)."""

from __future__ import annotations

from typing import Any

import aiohttp

from ingest.scanner import Progress, ShardResult
from ingest.wire import b64, encode_track
from ingest.writer import IngestWriter
from store.cluster import Shard
from store.ingest import TrackWrite

SECRET_HEADER = "X-Tonearm-Cluster-Secret"


class SinkError(Exception):
    """The primary did not take the result; the shard will be redone."""


class LocalSink:
    def __init__(self, writer: IngestWriter, member: str) -> None:
        self.writer = writer
        self.member = member

    async def write(self, shard: Shard, batch: list[TrackWrite], progress: Progress) -> None:
        await self.writer.write(shard.id, self.member, shard.library_id, batch, progress.as_dict())

    async def finish(self, shard: Shard, result: ShardResult) -> None:
        await self.writer.finish(
            shard.id, self.member, shard.library_id, result.missing, result.progress.as_dict()
        )

    async def release(self, shard: Shard, reason: str) -> None:
        await self.writer.release(shard.id, self.member, reason)


class PrimaryClient:
    """POSTs to the primary's internal endpoints, as this member, with the cluster secret."""

    def __init__(
        self, session: aiohttp.ClientSession, primary: str, secret: str, member: str
    ) -> None:
        self.session = session
        self.primary = primary.rstrip("/")
        self.headers = {SECRET_HEADER: secret}
        self.member = member

    async def post(self, path: str, body: dict[str, Any]) -> None:
        """POST /internal/v1/{path}; anything but success is a SinkError."""
        action = path.rsplit("/", 1)[-1]
        try:
            async with self.session.post(
                f"{self.primary}/internal/v1/{path}",
                json={"member": self.member, **body},
                headers=self.headers,
            ) as resp:
                if resp.status >= 300:
                    text = await resp.text()
                    raise SinkError(
                        f"{action} refused by {self.primary}: {resp.status} {text[:200]}"
                    )
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SinkError(f"{action} to {self.primary} failed: {exc}") from exc


class HttpSink:
    def __init__(self, client: PrimaryClient) -> None:
        self.client = client

    async def _post(self, shard: Shard, action: str, body: dict[str, Any]) -> None:
        await self.client.post(f"shards/{shard.id}/{action}", body)

    async def write(self, shard: Shard, batch: list[TrackWrite], progress: Progress) -> None:
        await self._post(
            shard,
            "batch",
            {"progress": progress.as_dict(), "tracks": [encode_track(t) for t in batch]},
        )

    async def finish(self, shard: Shard, result: ShardResult) -> None:
        await self._post(
            shard,
            "finish",
            {"progress": result.progress.as_dict(), "missing": [b64(p) for p in result.missing]},
        )

    async def release(self, shard: Shard, reason: str) -> None:
        await self._post(shard, "release", {"reason": reason})
