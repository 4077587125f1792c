"""Library roots as the API shows them."""

from __future__ import annotations

import asyncpg

from store.models import Library


class LibraryStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def all(self) -> list[Library]:
        rows = await self.pool.fetch(
            """SELECT l.id, l.path, l.status, l.status_reason, l.last_scan_at,
                      (SELECT count(*) FROM tracks t WHERE t.library_id = l.id) AS track_count
               FROM libraries l ORDER BY l.id"""
        )
        return [
            Library(
                r["id"],
                r["path"],
                r["status"],
                r["status_reason"],
                r["track_count"],
                r["last_scan_at"],
            )
            for r in rows
        ]
