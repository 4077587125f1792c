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
    kind: str  # "embedded" or "file"
    path: bytes  # absolute
    library_status: str


class CoverStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def locate(self, sha1: str) -> CoverLocation:
        r = await self.pool.fetchrow(
            """SELECT c.sha1, c.mime, c.kind, c.rel_path, l.path, l.status
               FROM covers c JOIN libraries l ON l.id = c.library_id WHERE c.sha1 = $1""",
            sha1,
        )
        if r is None:
            raise NotFound(f"no cover with id {sha1}")
        path = os.path.join(os.fsencode(r["path"]), bytes(r["rel_path"]))
        return CoverLocation(r["sha1"], r["mime"], r["kind"], path, r["status"])
