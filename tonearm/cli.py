"""The `tonearm` command: serve, scan, user add, migrate."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import signal
import sys
from collections.abc import Sequence
from typing import Any

from tonearm import __version__
from tonearm.config import Config, ConfigError, load_config
from tonearm.errors import AppError
from tonearm.runtime import open_database, setup_logging

log = logging.getLogger("tonearm")


class UserError(Exception):
    """A mistake the user can fix; printed as one line, exit code 1."""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tonearm", description="A self-hosted music server.")
    p.add_argument("--version", action="version", version=f"tonearm {__version__}")
    p.add_argument("--data-dir", help="data directory (TONEARM_DATA_DIR, default ./data)")
    p.add_argument("--library", help="library roots, separated by ':' (TONEARM_LIBRARY)")
    p.add_argument("--database-url", help="PostgreSQL URL (TONEARM_DATABASE_URL)")
    sub = p.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the API and web UI, and scan the library")
    serve.add_argument("--host", help="address to listen on (TONEARM_HOST, default 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port to listen on (TONEARM_PORT, default 8080)")
    scan = sub.add_parser("scan", help="scan the library now")
    scan.add_argument("--wait", action="store_true", help="wait until the scan is finished")
    scan.add_argument("--full", action="store_true", help="re-read every file, changed or not")
    sub.add_parser("migrate", help="apply database migrations and exit")
    user = sub.add_parser("user", help="manage users")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="add a user")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="make the user an administrator")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    return p


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    overrides: dict[str, Any] = {
        "data_dir": args.data_dir,
        "library": args.library,
        "database_url": args.database_url,
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
    }
    try:
        config = load_config(overrides=overrides)
        setup_logging(config.log_level)
        command = {"serve": _serve, "scan": _scan, "migrate": _migrate, "user": _user}[args.command]
        command(config, args)
    except (UserError, ConfigError, AppError) as exc:
        print(f"tonearm: {getattr(exc, 'message', exc)}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


def _serve(config: Config, args: argparse.Namespace) -> None:
    if not config.library:
        log.warning("no library configured: set TONEARM_LIBRARY to one or more folders")
    asyncio.run(_serve_async(config))


async def _serve_async(config: Config) -> None:
    from aiohttp import web

    from api.app import create_app

    pool = await open_database(config)
    app = create_app(config, pool)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, config.host, config.port)
        try:
            await site.start()
        except OSError as exc:
            raise UserError(
                f"cannot listen on {config.host}:{config.port}: {exc.strerror}"
            ) from exc
        log.info("Tonearm %s serving on http://%s:%d", __version__, config.host, config.port)
        for root in config.library:
            log.info("library root: %s", root)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        log.info("shutting down")
    finally:
        await runner.cleanup()
        await pool.close()


def _migrate(config: Config, args: argparse.Namespace) -> None:
    async def run() -> None:
        pool = await open_database(config, max_size=2)
        await pool.close()
        print("database is up to date")

    asyncio.run(run())


def _scan(config: Config, args: argparse.Namespace) -> None:
    if not config.library:
        raise UserError("no library configured: set TONEARM_LIBRARY to one or more folders")
    asyncio.run(_scan_async(config, wait=args.wait, full=args.full))


async def _scan_async(config: Config, *, wait: bool, full: bool) -> None:
    """Ask a running server to scan; with no server up, scan here as a cluster of one."""
    from cluster.standalone import Standalone
    from ingest.service import ScanService
    from store.cluster import ClusterStore
    from store.scans import ScanStore

    pool = await open_database(config, max_size=6)
    try:
        scans = ScanStore(pool)
        if await scans.server_running():
            scan = await scans.request("cli", full)
            if not wait:
                print(f"scan {scan.id} queued; the running server will do it")
                return
            while scan.state not in ("done", "failed"):
                await asyncio.sleep(0.5)
                found = await scans.get(scan.id)
                assert found is not None
                scan = found
        else:
            cluster = Standalone(ClusterStore(pool), "cli", "local", __version__)
            await cluster.start()
            service = ScanService(
                pool,
                cluster,
                [str(p) for p in config.library],
                workers=config.scan_workers,
                interval=0,
            )
            await service.start(scan_now=False)
            try:
                scan = await service.run_once("cli", full=full)
            finally:
                await service.stop()
                await cluster.stop()
        p = scan.progress
        print(
            f"scan {scan.id} {scan.state}: {p.get('found', 0)} files, "
            f"{p.get('added', 0)} added, {p.get('updated', 0)} updated, "
            f"{p.get('removed', 0)} removed, {p.get('failed', 0)} failed"
        )
        if scan.state == "failed":
            raise UserError(f"scan failed: {scan.error}")
    finally:
        await pool.close()


def _user(config: Config, args: argparse.Namespace) -> None:
    from api.auth import check_name, check_password, hash_password
    from store.users import UserStore

    name = check_name(args.name)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"password for {name}: ")
    check_password(password)

    async def run() -> None:
        pool = await open_database(config, max_size=2)
        try:
            user = await UserStore(pool).create(name, hash_password(password), is_admin=args.admin)
        finally:
            await pool.close()
        print(f"added {'administrator' if user.is_admin else 'user'} {user.name}")

    asyncio.run(run())
