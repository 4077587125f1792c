"""The scan service: runs scans at start, on a timer and on request, one at a time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import asyncpg

from ingest.scanner import Progress, Scanner
from store.ingest import IngestStore
from store.scans import SCAN_CHANNEL, SCAN_LOCK, SERVER_LOCK, ScanStore
from tonearm import metrics

log = logging.getLogger(__name__)

PROGRESS_EVERY = 1.0  # seconds between progress writes to the database


class ScanService:
    """Owns the worker processes and the scan lock. `run_once` does one scan now; `start`
    keeps a background loop that scans at start, every `interval` seconds and on request."""

    def __init__(
        self, pool: asyncpg.Pool, roots: Sequence[str], *, workers: int, interval: int
    ) -> None:
        self.pool = pool
        self.roots = list(roots)
        self.interval = interval
        self.workers = workers
        self.scans = ScanStore(pool)
        self._executor: ProcessPoolExecutor | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: asyncpg.Connection | None = None
        self.current: Progress | None = None

    @property
    def executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # forkserver: children do not inherit the event loop, sockets or threads.
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("forkserver")
            )
        return self._executor

    async def run_once(self, requested_by: str = "manual", *, full: bool = False) -> int:
        """Run one scan now (claiming a queued request if any) and return its id. Waits while
        another process scans: two scans of one library never run at once."""
        async with self.pool.acquire() as lock_conn:
            await lock_conn.execute("SELECT pg_advisory_lock($1)", SCAN_LOCK)
            try:
                await self.scans.fail_interrupted()
                return await self._scan(requested_by, full)
            finally:
                await lock_conn.execute("SELECT pg_advisory_unlock($1)", SCAN_LOCK)

    async def _scan(self, requested_by: str, full: bool) -> int:
        scan = await self.scans.start(requested_by, full)
        progress = Progress()
        self.current = progress
        last_write = time.monotonic()
        pending_write: asyncio.Task[None] | None = None

        def on_progress(p: Progress) -> None:
            nonlocal last_write, pending_write
            now = time.monotonic()
            if now - last_write >= PROGRESS_EVERY and (
                pending_write is None or pending_write.done()
            ):
                last_write = now
                pending_write = asyncio.ensure_future(self.scans.update(scan.id, p.as_dict()))

        metrics.SCAN_RUNNING.set(1)
        started = time.monotonic()
        log.info("scan %d started (%s)", scan.id, requested_by)
        try:
            scanner = Scanner(IngestStore(self.pool), self.executor)
            await scanner.scan(
                self.roots, full=scan.full_rescan, progress=progress, on_progress=on_progress
            )
        except Exception as exc:
            log.exception("scan %d failed", scan.id)
            metrics.SCANS.labels("failed").inc()
            await self.scans.finish(scan.id, progress.as_dict(), error=type(exc).__name__)
        else:
            metrics.SCANS.labels("done").inc()
            await self.scans.finish(scan.id, progress.as_dict())
            log.info(
                "scan %d done in %.1fs: %d found, %d added, %d updated, %d removed, %d failed",
                scan.id, time.monotonic() - started, progress.found, progress.added,
                progress.updated, progress.removed, progress.failed,
            )  # fmt: skip
        finally:
            if pending_write is not None:
                with contextlib.suppress(Exception):
                    await pending_write
            metrics.SCAN_RUNNING.set(0)
            self.current = None
        return scan.id

    async def start(self, *, scan_now: bool) -> None:
        self._listener = await self.pool.acquire()
        await self._listener.execute("SELECT pg_advisory_lock_shared($1)", SERVER_LOCK)
        await self._listener.add_listener(SCAN_CHANNEL, self._notified)
        if scan_now:
            self._wake.set()
        self._task = asyncio.create_task(self._loop(), name="scan-loop")

    def _notified(self, *_: Any) -> None:
        self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    async def _loop(self) -> None:
        while True:
            timeout = self.interval if self.interval > 0 else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            try:
                await self.run_once("periodic" if not await self.scans.has_queued() else "request")
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scan loop error; retrying at the next interval")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.remove_listener(SCAN_CHANNEL, self._notified)
                await self._listener.execute("SELECT pg_advisory_unlock_shared($1)", SERVER_LOCK)
            await self.pool.release(self._listener)
            self._listener = None
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
