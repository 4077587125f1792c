"""The fencing term and scan shards: the primary's claims and every replica's shard reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg

from tonearm.errors import Conflict

SHARD_CHANNEL = "tonearm_shards"


class Fenced(Conflict):
    """A newer primary term exists: this node's writes are refused."""

    code = "fenced"


async def check_fence(conn: asyncpg.Connection, epoch: int) -> None:
    """Inside a transaction: hold the term row (FOR SHARE, so a new claim waits for us) and
    refuse unless `epoch` is still the current term."""
    current = await conn.fetchval("SELECT epoch FROM cluster_term WHERE id = 1 FOR SHARE")
    if current != epoch:
        raise Fenced(f"term {epoch} is over (current term {current})")


@dataclass(frozen=True, slots=True)
class Shard:
    id: int
    scan_id: int
    library_id: int
    root: str
    prefixes: tuple[bytes, ...]
    flat_dirs: tuple[bytes, ...]
    full: bool
    expected: int
    state: str
    assigned_to: str | None
    epoch: int | None
    attempts: int
    tried_by: tuple[str, ...]
    progress: dict[str, Any]
    error: str | None
    assigned_at: datetime | None
    finished_at: datetime | None


def _shard(r: asyncpg.Record) -> Shard:
    return Shard(
        id=r["id"],
        scan_id=r["scan_id"],
        library_id=r["library_id"],
        root=r["path"],
        prefixes=tuple(bytes(p) for p in r["prefixes"]),
        flat_dirs=tuple(bytes(p) for p in r["flat_dirs"]),
        full=r["full_rescan"],
        expected=r["expected"],
        state=r["state"],
        assigned_to=r["assigned_to"],
        epoch=r["epoch"],
        attempts=r["attempts"],
        tried_by=tuple(r["tried_by"]),
        progress=r["progress"],
        error=r["error"],
        assigned_at=r["assigned_at"],
        finished_at=r["finished_at"],
    )


_SHARD_SELECT = """
    SELECT s.*, l.path, sc.full_rescan FROM scan_shards s
    JOIN libraries l ON l.id = s.library_id JOIN scans sc ON sc.id = s.scan_id
"""


class ClusterStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def claim(self, epoch: int, node_id: str) -> bool:
        """Start a term: succeeds only if `epoch` is newer than the stored one."""
        result: str = await self.pool.execute(
            """INSERT INTO cluster_term (id, epoch, primary_id) VALUES (1, $1, $2)
               ON CONFLICT (id) DO UPDATE
                  SET epoch = EXCLUDED.epoch, primary_id = EXCLUDED.primary_id, started_at = now()
                WHERE cluster_term.epoch < EXCLUDED.epoch""",
            epoch,
            node_id,
        )
        return result.endswith(" 1")

    async def claim_next(self, node_id: str) -> int:
        """Standalone: a new term one above the last."""
        epoch: int = await self.pool.fetchval(
            """INSERT INTO cluster_term (id, epoch, primary_id) VALUES (1, 1, $1)
               ON CONFLICT (id) DO UPDATE
                  SET epoch = cluster_term.epoch + 1, primary_id = $1, started_at = now()
               RETURNING epoch""",
            node_id,
        )
        return epoch

    async def term(self) -> tuple[int, str | None]:
        r = await self.pool.fetchrow("SELECT epoch, primary_id FROM cluster_term WHERE id = 1")
        return (r["epoch"], r["primary_id"]) if r else (0, None)

    # Shards

    async def create_shards(
        self,
        epoch: int,
        scan_id: int,
        plans: Sequence[tuple[int, Sequence[bytes], Sequence[bytes], int]],
    ) -> None:
        """(library_id, prefixes, flat_dirs, expected file count) per shard, fenced."""
        async with self.pool.acquire() as conn, conn.transaction():
            await check_fence(conn, epoch)
            await conn.executemany(
                """INSERT INTO scan_shards (scan_id, library_id, prefixes, flat_dirs, expected)
                   VALUES ($1, $2, $3, $4, $5)""",
                [(scan_id, lib, list(p), list(f), n) for lib, p, f, n in plans],
            )

    async def shards(self, scan_id: int) -> list[Shard]:
        rows = await self.pool.fetch(f"{_SHARD_SELECT} WHERE s.scan_id = $1 ORDER BY s.id", scan_id)
        return [_shard(r) for r in rows]

    async def shard(self, shard_id: int) -> Shard | None:
        r = await self.pool.fetchrow(f"{_SHARD_SELECT} WHERE s.id = $1", shard_id)
        return _shard(r) if r else None

    async def assigned_to(self, node_id: str) -> list[Shard]:
        rows = await self.pool.fetch(
            f"""{_SHARD_SELECT} WHERE s.assigned_to = $1 AND s.state = 'assigned'
                ORDER BY s.id""",
            node_id,
        )
        return [_shard(r) for r in rows]

    async def assign(self, epoch: int, assignments: Sequence[tuple[int, str]]) -> None:
        """Hand shards to members (fenced) and wake every replica's shard worker."""
        await assign_shards(self.pool, "scan_shards", epoch, assignments)

    async def fail_shard(self, epoch: int, shard_id: int, error: str) -> None:
        await fail_shard(self.pool, "scan_shards", epoch, shard_id, error)

    async def release(
        self, epoch: int, shard_id: int, error: str, member: str | None = None
    ) -> bool:
        """A member could not do the shard (or is gone): back to pending, for someone else.
        With `member`, only if the shard is still that member's."""
        return await release_shard(self.pool, "scan_shards", epoch, shard_id, error, member)


# -- the life of a shard, shared by the walk's shards and the analysis shards ------------------

ShardTable = Literal["scan_shards", "analysis_shards"]


async def assign_shards(
    pool: asyncpg.Pool, table: ShardTable, epoch: int, assignments: Sequence[tuple[int, str]]
) -> None:
    """Hand shards to members (fenced) and wake every replica's workers."""
    if not assignments:
        return
    async with pool.acquire() as conn, conn.transaction():
        await check_fence(conn, epoch)
        await conn.executemany(
            f"""UPDATE {table} SET state = 'assigned', assigned_to = $2, epoch = $3,
                       assigned_at = now(), attempts = attempts + 1,
                       tried_by = array_append(tried_by, $2)
                WHERE id = $1 AND state IN ('pending', 'assigned')""",
            [(shard_id, member, epoch) for shard_id, member in assignments],
        )
        await conn.execute("SELECT pg_notify($1, '')", SHARD_CHANNEL)


async def release_shard(
    pool: asyncpg.Pool,
    table: ShardTable,
    epoch: int,
    shard_id: int,
    error: str,
    member: str | None = None,
) -> bool:
    """Back to pending, for someone else; with `member`, only if it is still theirs."""
    async with pool.acquire() as conn, conn.transaction():
        await check_fence(conn, epoch)
        result: str = await conn.execute(
            f"""UPDATE {table} SET state = 'pending', assigned_to = NULL, error = $2
                WHERE id = $1 AND state = 'assigned' AND ($3::text IS NULL OR assigned_to = $3)""",
            shard_id,
            error,
            member,
        )
        await conn.execute("SELECT pg_notify($1, '')", SHARD_CHANNEL)
    return result.endswith(" 1")


async def fail_shard(
    pool: asyncpg.Pool, table: ShardTable, epoch: int, shard_id: int, error: str
) -> None:
    """No replica could do it: failed, unless it got done meanwhile."""
    async with pool.acquire() as conn, conn.transaction():
        await check_fence(conn, epoch)
        await conn.execute(
            f"""UPDATE {table} SET state = 'failed', error = $2, finished_at = now()
                WHERE id = $1 AND state <> 'done'""",
            shard_id,
            error,
        )
