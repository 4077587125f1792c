"""Scan requests and progress, in the database so every replica and the CLI see them."""

from __future__ import annotations

from typing import Any

import asyncpg

from store.models import Scan

SCAN_CHANNEL = "tonearm_scan"
SCAN_DONE_CHANNEL = "tonearm_scan_done"  # payload: the finished scan's id
# Held in shared mode by every running server that takes scan requests, so the CLI can tell
# at once whether anyone will pick a request up.
SERVER_LOCK = 0x70E4A14


def _scan(r: asyncpg.Record) -> Scan:
    return Scan(
        id=r["id"],
        state=r["state"],
        requested_by=r["requested_by"],
        full_rescan=r["full_rescan"],
        started_at=r["started_at"],
        finished_at=r["finished_at"],
        progress=r["progress"],
        error=r["error"],
    )


class ScanStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def request(self, requested_by: str, full: bool) -> Scan:
        """Queue a scan unless one is already queued (then that one is the answer)."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("LOCK TABLE scans IN SHARE ROW EXCLUSIVE MODE")
            r = await conn.fetchrow(
                "SELECT * FROM scans WHERE state = 'queued' ORDER BY id LIMIT 1"
            )
            if r is None:
                r = await conn.fetchrow(
                    """INSERT INTO scans (state, requested_by, full_rescan)
                       VALUES ('queued', $1, $2) RETURNING *""",
                    requested_by,
                    full,
                )
            elif full and not r["full_rescan"]:
                r = await conn.fetchrow(
                    "UPDATE scans SET full_rescan = true WHERE id = $1 RETURNING *", r["id"]
                )
            await conn.execute("SELECT pg_notify($1, $2)", SCAN_CHANNEL, str(r["id"]))
        assert r is not None
        return _scan(r)

    async def server_running(self) -> bool:
        async with self.pool.acquire() as conn:
            free = await conn.fetchval("SELECT pg_try_advisory_lock($1)", SERVER_LOCK)
            if free:
                await conn.execute("SELECT pg_advisory_unlock($1)", SERVER_LOCK)
        return not free

    async def start(self, requested_by: str, full: bool = False) -> Scan:
        """Claim the oldest queued request, or open a new scan (periodic, at start)."""
        r = await self.pool.fetchrow(
            """UPDATE scans SET state = 'running', started_at = now()
               WHERE id = (SELECT id FROM scans WHERE state = 'queued' ORDER BY id LIMIT 1)
               RETURNING *"""
        )
        if r is None:
            r = await self.pool.fetchrow(
                """INSERT INTO scans (state, requested_by, full_rescan, started_at)
                   VALUES ('running', $1, $2, now()) RETURNING *""",
                requested_by,
                full,
            )
        assert r is not None
        return _scan(r)

    async def has_queued(self) -> bool:
        return bool(
            await self.pool.fetchval("SELECT EXISTS (SELECT 1 FROM scans WHERE state = 'queued')")
        )

    async def update(self, scan_id: int, progress: dict[str, Any]) -> None:
        await self.pool.execute("UPDATE scans SET progress = $2 WHERE id = $1", scan_id, progress)

    async def finish(
        self, scan_id: int, progress: dict[str, Any], error: str | None = None
    ) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                """UPDATE scans SET state = $3, finished_at = now(), progress = $2, error = $4
                   WHERE id = $1""",
                scan_id,
                progress,
                "failed" if error else "done",
                error,
            )
            await conn.execute("SELECT pg_notify($1, $2)", SCAN_DONE_CHANNEL, str(scan_id))

    async def running(self) -> Scan | None:
        """The scan in progress, if any (a new primary resumes it)."""
        r = await self.pool.fetchrow(
            "SELECT * FROM scans WHERE state = 'running' ORDER BY id DESC LIMIT 1"
        )
        return _scan(r) if r else None

    async def get(self, scan_id: int) -> Scan | None:
        r = await self.pool.fetchrow("SELECT * FROM scans WHERE id = $1", scan_id)
        return _scan(r) if r else None

    async def latest(self) -> tuple[Scan | None, Scan | None]:
        """(the running or queued scan if any, the last finished scan)."""
        active = await self.pool.fetchrow(
            "SELECT * FROM scans WHERE state IN ('running', 'queued') ORDER BY state = 'queued', id DESC LIMIT 1"
        )
        last = await self.pool.fetchrow(
            "SELECT * FROM scans WHERE state IN ('done', 'failed') ORDER BY id DESC LIMIT 1"
        )
        return (_scan(active) if active else None, _scan(last) if last else None)
