"""Worker processes for audio analysis, so native-code trouble costs one file, never the server.

``run_chunks`` (synchronous, for benchmarks and scripts) and ``AnalysisPool`` (asyncio, kept
by a replica between shards) both send chunks of paths to ``analyze_chunk`` in a process
pool. If a worker dies in native code (a segfault, a double free), every chunk in flight is
retried one file at a time, each in a fresh single-process pool, so the crash costs the file
that caused it and no other.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
import time
from collections.abc import AsyncGenerator, Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool

from ingest.analysis.results import Analysis, Failure, Result
from tonearm import metrics
from tonearm.lifeline import exit_with

__all__ = ["AnalysisPool", "Chunk", "Result", "preload", "run_chunks"]

log = logging.getLogger(__name__)

Chunk = Callable[[Sequence[str | bytes]], list[Result]]
CRASHED = "the analyser crashed on this file"


def analyze_chunk(paths: Sequence[str | bytes]) -> list[Result]:
    """In a worker: ingest.analyze.analyze_chunk, imported there (the forkserver preloads it),
    so that the server process never imports essentia."""
    from ingest.analyze import analyze_chunk as chunk

    return chunk(paths)


def preload() -> None:
    """Have the forkserver import the analyser once (essentia takes ~1.6 s), so every worker
    forked from it starts warm. Takes effect only if called before the forkserver starts."""
    multiprocessing.get_context("forkserver").set_forkserver_preload(["ingest.analyze"])


# Chunks a pool's processes take before AnalysisPool replaces them, between two shards:
# that bounds leaks in native code. Not max_tasks_per_child: on Python 3.11 a worker leaving
# at its limit with work queued can leave the executor with no worker and no replacement,
# hanging every future and shutdown() (CPython gh-115634, fixed only in 3.13+).
RECYCLE_AFTER = 64


def _executor(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    # forkserver: workers fork from a clean server process, not from the server with its
    # event loop, sockets and threads.
    preload()
    return concurrent.futures.ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=exit_with,
        initargs=(os.getpid(),),
    )


def run_chunks(
    paths: Sequence[str | bytes],
    workers: int = os.cpu_count() or 1,
    chunk_size: int = 8,
    fn: Chunk = analyze_chunk,
) -> Iterator[list[Result]]:
    """Analyse paths over worker processes, yielding each chunk's results as it completes."""
    chunks = [list(paths[i : i + chunk_size]) for i in range(0, len(paths), chunk_size)]
    suspects: list[str | bytes] = []
    with _executor(workers) as pool:
        futures = {pool.submit(fn, c): c for c in chunks}
        for future in concurrent.futures.as_completed(futures):
            try:
                yield future.result()
            except BrokenProcessPool:
                suspects.extend(futures[future])
    for path in suspects:
        with _executor(1) as alone:
            try:
                yield alone.submit(fn, [path]).result()
            except BrokenProcessPool:
                log.warning("analysis crashed the worker on %r", path)
                yield [Failure(path, CRASHED)]


def timed(fn: Chunk, paths: Sequence[str | bytes]) -> list[tuple[Result, float]]:
    """In a worker: each file's result with the wall seconds it took (decode included)."""
    out: list[tuple[Result, float]] = []
    for path in paths:
        started = time.perf_counter()
        [result] = fn([path])
        out.append((result, time.perf_counter() - started))
    return out


class AnalysisPool:
    """A replica's analysis processes (``workers`` of them), started on first use and kept
    between shards. ``run`` keeps at most two chunks per worker queued, so cancelling a
    shard leaves little behind; ``close`` waits for the chunks still running."""

    def __init__(
        self,
        workers: int,
        chunk_size: int = 4,
        fn: Chunk = analyze_chunk,
        recycle_after: int = RECYCLE_AFTER,
    ) -> None:
        self.workers = workers
        self.chunk_size = chunk_size
        self.fn = fn
        self.recycle_after = recycle_after
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._submitted = 0  # chunks sent to the current pool

    def _current(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = _executor(self.workers)
            self._submitted = 0
        return self._pool

    async def _recycle(self) -> None:
        """Between shards (nothing in flight): fresh processes once these did their share."""
        if self._pool is not None and self._submitted >= self.recycle_after:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    async def _discard(self, pool: concurrent.futures.ProcessPoolExecutor) -> None:
        """A broken pool is replaced on the next submit (only if it is still the current one:
        a late failure from an old pool must not throw away its healthy successor)."""
        if pool is self._pool:
            self._pool = None
        await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)

    async def run(self, paths: Sequence[str | bytes]) -> AsyncGenerator[list[Result], None]:
        """Each chunk's results as it completes; crashed files come last, as Failures."""
        chunks = iter(
            [list(paths[i : i + self.chunk_size]) for i in range(0, len(paths), self.chunk_size)]
        )
        inflight: dict[asyncio.Future[list[tuple[Result, float]]], tuple[list[str | bytes], concurrent.futures.ProcessPoolExecutor]] = {}  # fmt: skip
        suspects: list[str | bytes] = []
        await self._recycle()
        try:
            while True:
                while len(inflight) < 2 * self.workers and (chunk := next(chunks, None)):
                    pool = self._current()
                    try:
                        future = asyncio.wrap_future(pool.submit(timed, self.fn, chunk))
                    except BrokenProcessPool:
                        await self._discard(pool)
                        suspects.extend(chunk)
                        continue
                    self._submitted += 1
                    inflight[future] = (chunk, pool)
                if not inflight:
                    break
                done, _ = await asyncio.wait(inflight, return_when=asyncio.FIRST_COMPLETED)
                for future in done:
                    chunk, pool = inflight.pop(future)
                    try:
                        yield _observed(future.result())
                    except BrokenProcessPool:
                        suspects.extend(chunk)
                        await self._discard(pool)
        finally:
            for future in inflight:
                future.cancel()
        for path in suspects:
            yield await self._alone(path)

    async def _alone(self, path: str | bytes) -> list[Result]:
        alone = _executor(1)
        try:
            return _observed(await asyncio.wrap_future(alone.submit(timed, self.fn, [path])))
        except BrokenProcessPool:
            log.warning("analysis crashed the worker on %r", path)
            return [Failure(path, CRASHED)]
        finally:
            await asyncio.to_thread(alone.shutdown, wait=True, cancel_futures=True)

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


def _observed(results: list[tuple[Result, float]]) -> list[Result]:
    for result, seconds in results:
        if isinstance(result, Analysis):
            metrics.ANALYSIS_SECONDS.observe(seconds)
    return [r for r, _ in results]
