"""A tiny migration runner: numbered .sql files, applied in order under an advisory lock."""

from __future__ import annotations

import logging
from importlib import resources

import asyncpg

log = logging.getLogger(__name__)

# Any constant works; it only has to be the same in every replica.
MIGRATION_LOCK = 0x70E4A12


def available() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration shipped with this build, in order."""
    found = []
    for entry in resources.files("store.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text()))
    return sorted(found)


async def applied_versions(conn: asyncpg.Connection) -> set[int]:
    exists = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    if not exists:
        return set()
    return {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}


async def migrate(pool: asyncpg.Pool) -> list[str]:
    """Apply what is missing; return the names applied. Safe when replicas start together:
    the advisory lock serialises them and the second one finds nothing left to do."""
    done: list[str] = []
    async with pool.acquire() as conn:
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            have = await applied_versions(conn)
            for version, name, sql in available():
                if version in have:
                    continue
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                        version,
                        name,
                    )
                log.info("applied migration %s", name)
                done.append(name)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)
    return done


async def is_current(pool: asyncpg.Pool) -> bool:
    """True when every shipped migration is applied (used by /readyz)."""
    async with pool.acquire() as conn:
        have = await applied_versions(conn)
    return all(v in have for v, _, _ in available())
