"""Migrations: applied once even when replicas start together."""

from __future__ import annotations

import asyncio

from store.db import connect
from store.migrate import available, is_current, migrate


async def test_concurrent_migrations_apply_each_file_once(fresh_db_url: str) -> None:
    pools = [await connect(fresh_db_url, min_size=1, max_size=2) for _ in range(4)]
    try:
        assert not await is_current(pools[0])
        results = await asyncio.gather(*(migrate(p) for p in pools))
        applied = [name for r in results for name in r]
        assert sorted(applied) == [name for _, name, _ in available()]
        assert await is_current(pools[0])
        assert await migrate(pools[0]) == []
        rows = await pools[0].fetchval("SELECT count(*) FROM schema_migrations")
        assert rows == len(available())
    finally:
        for p in pools:
            await p.close()
