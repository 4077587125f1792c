"""The scan service of one replica: the shard worker always, the coordinator while this
replica is primary, the scan triggers (at start, on a timer, on request), and the worker
processes that read tags. With analysis on, the same for the analysis stage: every replica's
analysis worker, and the primary's analysis coordinator (planning after every scan)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import aiohttp
import asyncpg

from cluster import Cluster
from ingest.analysis import AnalysisSettings
from ingest.analysis.coordinator import AnalysisCoordinator
from ingest.analysis.pool import AnalysisPool, preload
from ingest.analysis.sinks import AnalysisSink, AnalysisWriter, HttpAnalysisSink, LocalAnalysisSink
from ingest.analysis.worker import AnalysisWorker
from ingest.coordinator import Coordinator, cancel
from ingest.enrich.enricher import Enricher
from ingest.scanner import ShardRunner, Sink
from ingest.sinks import HttpSink, LocalSink, PrimaryClient
from ingest.vector import FEATURE_VERSION
from ingest.worker import ShardWorker
from ingest.writer import IngestWriter
from store.analysis import AnalysisProgress, AnalysisStore
from store.cluster import SHARD_CHANNEL, ClusterStore
from store.ingest import IngestStore
from store.models import Scan
from store.scans import SCAN_CHANNEL, SCAN_DONE_CHANNEL, SERVER_LOCK, ScanStore
from tonearm import metrics
from tonearm.lifeline import exit_with

log = logging.getLogger(__name__)

PROGRESS_TTL = 2.0  # seconds an analysis progress count is reused


class ScanService:
    def __init__(
        self,
        pool: asyncpg.Pool,
        cluster: Cluster,
        roots: Sequence[str],
        *,
        workers: int,
        interval: int,
        cluster_secret: str | None = None,
        min_shard: int = 2000,
        enricher: Callable[[aiohttp.ClientSession], Enricher] | None = None,
        analysis: AnalysisSettings | None = None,
    ) -> None:
        self.make_enricher = enricher
        self.enricher: Enricher | None = None
        self.pool = pool
        self.cluster = cluster
        self.roots = list(roots)
        self.interval = interval
        self.workers = workers
        self.secret = cluster_secret
        self.scans = ScanStore(pool)
        self.clusters = ClusterStore(pool)
        self.ingest = IngestStore(pool)
        self.writer = IngestWriter(self.ingest, self.clusters, cluster)
        self.coordinator = Coordinator(
            cluster, self.scans, self.clusters, self.ingest, self.roots, min_shard=min_shard
        )
        self.analysis = analysis
        self.analysis_store = AnalysisStore(pool)
        # The writer answers secondaries even when this node's own analysis is off.
        self.analysis_writer = AnalysisWriter(self.analysis_store, cluster)
        self.analysis_coordinator = (
            AnalysisCoordinator(cluster, self.analysis_store, analysis.shard_tracks)
            if analysis
            else None
        )
        self._analysis_pool: AnalysisPool | None = None
        self._progress: tuple[float, AnalysisProgress | None] = (0.0, None)
        self._analysis_worker: AnalysisWorker | None = None
        self._executor: ProcessPoolExecutor | None = None
        self._session: aiohttp.ClientSession | None = None
        self._listener: asyncpg.Connection | None = None
        self._wake = asyncio.Event()
        self._scan_done = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._worker: ShardWorker | None = None
        self._scan_at_start = False

    @property
    def executor(self) -> ProcessPoolExecutor:
        if self._executor is None:
            # forkserver: children do not inherit the event loop, sockets or threads.
            self._executor = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_init_worker,
                initargs=(logging.getLogger().getEffectiveLevel(), os.getpid()),
            )
        return self._executor

    def _primary_client(self) -> PrimaryClient | None:
        """How a secondary reaches the primary; None while there is none to reach."""
        view = self.cluster.view
        primary = view.member(view.primary_id)
        if primary is None or self._session is None or not self.secret:
            return None
        return PrimaryClient(self._session, primary.address, self.secret, view.node_id)

    def _sink(self) -> Sink | None:
        if self.cluster.view.is_primary:
            return LocalSink(self.writer, self.cluster.view.node_id)
        client = self._primary_client()
        return HttpSink(client) if client else None

    def _analysis_sink(self) -> AnalysisSink | None:
        if self.cluster.view.is_primary:
            return LocalAnalysisSink(self.analysis_writer, self.cluster.view.node_id)
        client = self._primary_client()
        return HttpAnalysisSink(client) if client else None

    async def start(self, *, scan_now: bool) -> None:
        if self.analysis is not None:
            preload()  # before the first worker process starts the forkserver
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        if self.make_enricher is not None:
            self.enricher = self.make_enricher(self._session)
        self._listener = await self.pool.acquire()
        # Tells `tonearm scan` that a server is up to take requests.
        await self._listener.execute("SELECT pg_advisory_lock_shared($1)", SERVER_LOCK)
        await self._listener.add_listener(SCAN_CHANNEL, self._on_scan_notify)
        await self._listener.add_listener(SCAN_DONE_CHANNEL, self._on_scan_done)
        await self._listener.add_listener(SHARD_CHANNEL, self._on_shard_notify)
        runner = ShardRunner(self.ingest, self.executor)
        self._worker = ShardWorker(self.cluster, self.clusters, runner, self._sink, self.roots)
        if scan_now:
            self._scan_at_start = True
            self._wake.set()
        self._tasks = [
            asyncio.create_task(self._worker.run(), name="shard-worker"),
            asyncio.create_task(self._supervise(), name="scan-supervisor"),
        ]
        if self.analysis is not None:
            self._analysis_pool = AnalysisPool(self.analysis.workers)
            self._analysis_worker = AnalysisWorker(
                self.cluster, self.analysis_store, self._analysis_pool, self._analysis_sink
            )
            self._tasks.append(
                asyncio.create_task(self._analysis_worker.run(), name="analysis-worker")
            )

    def _on_scan_notify(self, *_: Any) -> None:
        self._wake.set()

    def _on_scan_done(self, *_: Any) -> None:
        self._scan_done.set()

    def _on_shard_notify(self, *_: Any) -> None:
        self.coordinator.shard_event.set()
        if self._worker is not None:
            self._worker.event.set()
        if self.analysis_coordinator is not None:
            self.analysis_coordinator.event.set()
        if self._analysis_worker is not None:
            self._analysis_worker.event.set()

    def wake(self) -> None:
        self._wake.set()

    async def _supervise(self) -> None:
        """Run the coordinator for as long as this node is primary, one term at a time."""
        term: asyncio.Task[None] | None = None
        term_epoch: int | None = None
        try:
            while True:
                view = self.cluster.view
                epoch = view.epoch if view.is_primary else None
                if epoch != term_epoch:
                    await cancel(term)
                    term, term_epoch = None, epoch
                    if epoch is not None:
                        term = asyncio.create_task(self._term(epoch), name=f"term-{epoch}")
                await self.cluster.changed()
        finally:
            await cancel(term)

    async def _term(self, epoch: int) -> None:
        """Everything only the primary does, for one term."""
        jobs = [self._lead(epoch)]
        if self.enricher is not None:
            jobs.append(self.enricher.run(epoch))
        if self.analysis_coordinator is not None:
            jobs.append(self.analysis_coordinator.run(epoch))
        await asyncio.gather(*jobs)

    async def _lead(self, epoch: int) -> None:
        """The primary's scan loop for one term: resume a running scan, then scan on
        request, on the timer and once at start. Losing the term cancels this task."""
        while True:
            try:
                scan = await self.scans.running() or await self._next_scan()
                if scan is None:
                    continue
                metrics.SCAN_RUNNING.set(1)
                try:
                    await self.coordinator.drive(scan, epoch)
                finally:
                    metrics.SCAN_RUNNING.set(0)
                if self.enricher is not None:
                    self.enricher.wake.set()
                if self.analysis_coordinator is not None:
                    self.analysis_coordinator.plan_soon()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("scan coordination failed; retrying")
                await asyncio.sleep(2)

    async def _next_scan(self) -> Scan | None:
        timed_out = False
        try:
            await asyncio.wait_for(self._wake.wait(), self.interval if self.interval > 0 else None)
        except TimeoutError:
            timed_out = True
        self._wake.clear()
        if await self.scans.has_queued():
            return await self.scans.start("request")
        if timed_out or self._scan_at_start:
            self._scan_at_start = False
            return await self.scans.start("periodic" if timed_out else "start")
        return None  # a wake-up for a request someone else already took

    async def request(self, requested_by: str, full: bool = False) -> Scan:
        scan = await self.scans.request(requested_by, full)
        self._wake.set()
        return scan

    async def run_once(self, requested_by: str = "manual", *, full: bool = False) -> Scan:
        """Ask for a scan and wait until it is finished (the service must be started)."""
        scan = await self.request(requested_by, full)
        while True:
            self._scan_done.clear()  # before reading: a NOTIFY after this read is not lost
            current = await self.scans.get(scan.id)
            if current is not None and current.state in ("done", "failed"):
                return current
            # Whichever replica finishes it tells every listener; the timeout is a safety net.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._scan_done.wait(), 1.0)

    async def analysis_progress(self) -> dict[str, object]:
        """The analysis stage's counts for GET /scan (tracks and shards). The count reads
        every track, and clients poll: one count per PROGRESS_TTL serves them all."""
        at, progress = self._progress
        if progress is None or time.monotonic() - at > PROGRESS_TTL:
            progress = await self.analysis_store.progress(FEATURE_VERSION)
            self._progress = (time.monotonic(), progress)
        return {"enabled": self.analysis is not None, **progress.as_dict()}

    async def stop(self) -> None:
        for task in self._tasks:
            await cancel(task)
        self._tasks = []
        self._analysis_worker = None
        if self._analysis_pool is not None:
            await self._analysis_pool.close()
            self._analysis_pool = None
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.remove_listener(SCAN_CHANNEL, self._on_scan_notify)
                await self._listener.remove_listener(SCAN_DONE_CHANNEL, self._on_scan_done)
                await self._listener.remove_listener(SHARD_CHANNEL, self._on_shard_notify)
                await self._listener.execute("SELECT pg_advisory_unlock_shared($1)", SERVER_LOCK)
            await self.pool.release(self._listener)
            self._listener = None
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._executor is not None:
            executor, self._executor = self._executor, None
            # Waiting for the workers to exit is a blocking join: not on the event loop.
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)


def _init_worker(level: int, server_pid: int) -> None:
    """Parse workers log skipped files and unreadable folders as the server does, and end
    with the server."""
    exit_with(server_pid)
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)-7s %(name)s[worker]: %(message)s"
    )
