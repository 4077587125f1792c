"""Where each cover's bytes live: inside an audio file or as an image file in a library."""

from __future__ import annotations

import os
from dataclasses import dataclass

import asyncpg

from tonearm.errors import NotFound


@dataclass(frozen=True, slots=True)
class CoverLocation:
    sha1: str
    mime: str
    kind: str  # "embedded", "file" or "remote" (fetched by enrichment; bytes in `data`)
    path: bytes  # absolute; empty for remote covers
    library_status: str
    data: bytes | None = None


class CoverStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def locate(self, sha1: str) -> CoverLocation:
        r = await self.pool.fetchrow(
            """SELECT c.sha1, c.mime, c.kind, c.rel_path, c.data, l.path, l.status
               FROM covers c LEFT JOIN libraries l ON l.id = c.library_id WHERE c.sha1 = $1""",
            sha1,
        )
        if r is None:
            raise NotFound(f"no cover with id {sha1}")
        if r["kind"] == "remote":
            return CoverLocation(r["sha1"], r["mime"], "remote", b"", "online", bytes(r["data"]))
        path = os.path.join(os.fsencode(r["path"]), bytes(r["rel_path"]))
        return CoverLocation(r["sha1"], r["mime"], r["kind"], path, r["status"])
