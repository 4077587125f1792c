"""Every replica's FAISS index of the analysed tracks, and how it keeps up with the database.

`VectorIndex` is the index itself (synchronous, confined to one thread): the normalised,
group-weighted vectors (ingest.vector.normalise) searched by inner product, which on unit
vectors is the cosine. Which FAISS index depends on the library's size:

- up to `HNSW_THRESHOLD` (250,000) tracks, exact search (IndexFlatIP). Measured on the 2-core
  machine of bench/RESULTS.md, one query for 200 neighbours scans 200,000 vectors of 54
  floats in ~3 ms on one core: exact, nothing to tune, instant to build and to add to.
- above it, HNSW (IndexHNSWFlat, M=16): a flat scan grows with the library (~15 ms at a
  million), HNSW stays near a millisecond with ~0.99 recall on clustered data like ours.
  It costs minutes to build on two cores, so while it builds the replica answers from an
  exact index of the same vectors, built in seconds. IVF would build faster but needs
  training that goes stale as the library grows; HNSW takes additions as they come.

Vectors are normalised with the statistics of the library at build time. Additions use
those statistics; the index is rebuilt (fresh statistics) when additions and removals
reach a fifth of what it was built with. A removed or re-analysed track's row stays in
FAISS (HNSW cannot delete) but is masked, and searches fetch a little more to make up.

`SimilarityIndex` keeps a `VectorIndex` current on the event loop's side: built at start
(the database read is async, the FAISS work on a thread), caught up whenever the analysis
stage NOTIFYs `tonearm_analysis`, and reconciled with the database every
`refresh_interval` seconds (the safety net for a lost notification or a deleted track).
Queries run on one dedicated thread with one FAISS (OpenMP) thread: measured, two
threads answer a single query slower than one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Collection, Sequence
from typing import Any, TypeVar

import asyncpg
import faiss
import numpy as np
import numpy.typing as npt

from ingest.vector import DIM, FEATURE_VERSION, NormStats, normalise
from store.analysis import ANALYSIS_CHANNEL
from store.recommend import RecommendStore, VectorBatch, stamp_time
from tonearm import metrics

log = logging.getLogger(__name__)

T = TypeVar("T")

HNSW_THRESHOLD = 250_000
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 64
HNSW_EF_SEARCH = 256  # raised to k for larger k
REBUILD_CHURN = 0.2  # rebuild once additions + removals reach this share of the build
# A NOTIFY may race a slower transaction that committed an earlier analysed_at: re-read
# this far behind the newest stamp seen (rows already held are skipped).
OVERLAP_MICROS = 30_000_000
RECONNECT_MAX = 30.0

Vector = npt.NDArray[np.float32]


class VectorIndex:
    """Track ids ↔ FAISS rows, and the search. Not thread-safe: one thread at a time."""

    def __init__(self, stats: NormStats, index: faiss.Index, kind: str) -> None:
        self.stats = stats
        self.index = index
        self.kind = kind  # "flat" or "hnsw"
        self.ids = np.empty(0, np.int64)  # row → track id
        self.stamps = np.empty(0, np.int64)  # row → analysed_at (µs)
        self.alive = np.empty(0, bool)
        self._rows: dict[int, int] = {}  # track id → its live row
        self.built_with = 0
        self.churn = 0
        self.watermark = 0  # newest analysed_at (µs) held

    @classmethod
    def build(
        cls, batch: VectorBatch, *, hnsw_threshold: int = HNSW_THRESHOLD, kind: str | None = None
    ) -> VectorIndex:
        """An index of `batch`, normalised over it; HNSW above `hnsw_threshold` vectors."""
        if batch.ids.size:
            unit, stats = normalise(batch.vectors)
        else:
            _, stats = normalise(np.zeros((1, DIM), np.float32))
            unit = np.empty((0, DIM), np.float32)
        kind = kind or ("hnsw" if batch.ids.size > hnsw_threshold else "flat")
        index: faiss.Index
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(DIM, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        else:
            index = faiss.IndexFlatIP(DIM)
        built = cls(stats, index, kind)
        built._append(batch.ids, batch.stamps, unit)
        built.built_with = len(built._rows)
        built.churn = 0
        return built

    def __len__(self) -> int:
        return len(self._rows)

    def _append(
        self, ids: npt.NDArray[np.int64], stamps: npt.NDArray[np.int64], unit: Vector
    ) -> None:
        # The same track twice in one batch: its last row wins.
        start = self.ids.size
        if ids.size:
            self.index.add(np.ascontiguousarray(unit, dtype=np.float32))
        self.ids = np.concatenate([self.ids, ids])
        self.stamps = np.concatenate([self.stamps, stamps])
        self.alive = np.concatenate([self.alive, np.ones(ids.size, bool)])
        for offset, tid in enumerate(ids.tolist()):
            old = self._rows.get(tid)
            if old is not None:
                self.alive[old] = False
            self._rows[tid] = start + offset
        if stamps.size:
            self.watermark = max(self.watermark, int(stamps.max()))

    def add(self, batch: VectorBatch) -> int:
        """Add new and re-analysed tracks (skipping rows already held); how many changed."""
        keep = [
            i
            for i, (tid, stamp) in enumerate(
                zip(batch.ids.tolist(), batch.stamps.tolist(), strict=True)
            )
            if (row := self._rows.get(tid)) is None or int(self.stamps[row]) != stamp
        ]
        if not keep:
            if batch.stamps.size:
                self.watermark = max(self.watermark, int(batch.stamps.max()))
            return 0
        sel = np.asarray(keep, np.int64)
        self._append(batch.ids[sel], batch.stamps[sel], self.stats.apply(batch.vectors[sel]))
        self.churn += len(keep)
        return len(keep)

    def remove(self, track_ids: Sequence[int]) -> int:
        removed = 0
        for tid in track_ids:
            row = self._rows.pop(int(tid), None)
            if row is not None:
                self.alive[row] = False
                removed += 1
        self.churn += removed
        return removed

    def needs_rebuild(self) -> bool:
        return self.churn > max(REBUILD_CHURN * self.built_with, 8)

    def has(self, track_id: int) -> bool:
        return track_id in self._rows

    def stamp(self, track_id: int) -> int | None:
        row = self._rows.get(track_id)
        return None if row is None else int(self.stamps[row])

    def held(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(track ids, stamps) of every live row."""
        rows = np.flatnonzero(self.alive)
        return self.ids[rows], self.stamps[rows]

    def vectors(self, track_ids: Sequence[int]) -> tuple[list[int], Vector]:
        """The normalised vectors of those `track_ids` that are held, in that order."""
        found = [t for t in track_ids if t in self._rows]
        if not found:
            return [], np.empty((0, DIM), np.float32)
        rows = np.asarray([self._rows[t] for t in found], np.int64)
        return found, np.asarray(self.index.reconstruct_batch(rows), np.float32)

    def search(
        self, query: Vector, k: int, exclude: Collection[int] = frozenset()
    ) -> list[tuple[int, float]]:
        """The `k` nearest live tracks to a unit `query` vector, (track id, cosine) best first."""
        live = len(self._rows)
        if live == 0 or k <= 0:
            return []
        dead = self.ids.size - live
        fetch = min(self.ids.size, k + len(exclude) + min(dead, k // 4 + 16))
        q = np.ascontiguousarray(np.asarray(query, np.float32).reshape(1, DIM))
        while True:
            params = None
            if self.kind == "hnsw":
                params = faiss.SearchParametersHNSW()  # type: ignore[attr-defined]
                params.efSearch = max(HNSW_EF_SEARCH, fetch)
            sims, rows = self.index.search(q, fetch, params=params)
            out: list[tuple[int, float]] = []
            for row, sim in zip(rows[0].tolist(), sims[0].tolist(), strict=True):
                if row < 0 or not self.alive[row]:
                    continue
                tid = int(self.ids[row])
                if tid not in exclude:
                    out.append((tid, float(sim)))
            if len(out) >= k or fetch >= self.ids.size:
                return out[:k]
            fetch = min(self.ids.size, fetch * 2)

    def sample(self, n: int, seed: int) -> list[int]:
        """Up to `n` held track ids, drawn reproducibly for `seed`."""
        rows = np.flatnonzero(self.alive)
        if rows.size > n:
            rows = np.random.default_rng(seed).choice(rows, n, replace=False)
        return [int(t) for t in self.ids[rows]]

    def memory_bytes(self) -> int:
        """Roughly: FAISS storage (and graph) plus the row tables."""
        n = self.ids.size
        graph = n * HNSW_M * 2 * 4 * 1.1 if self.kind == "hnsw" else 0
        return int(n * DIM * 4 + graph + n * (8 + 8 + 1) + len(self._rows) * 100)


def _add(batch: VectorBatch, index: VectorIndex) -> int:
    return index.add(batch)


def _remove(track_ids: list[int], index: VectorIndex) -> int:
    return index.remove(track_ids)


def _in_thread(fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
    """Run a build on a daemon thread of its own: it uses every core for minutes at a
    million tracks, and a replica shutting down meanwhile must not wait for it."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():
            return  # the caller was cancelled (shutdown): nothing waits for it
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)

    def run() -> None:
        try:
            result, error = fn(*args), None
        except Exception as exc:
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop is closed: shut down
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name="faiss-build", daemon=True).start()
    return future


def _single_threaded() -> None:
    faiss.omp_set_num_threads(1)


def _set_event(event: asyncio.Event, *_: object) -> None:
    event.set()


class SimilarityIndex:
    """The replica's current VectorIndex, kept in step with the database."""

    def __init__(
        self,
        store: RecommendStore,
        *,
        refresh_interval: float = 600.0,
        hnsw_threshold: int = HNSW_THRESHOLD,
    ) -> None:
        self.store = store
        self.refresh_interval = refresh_interval
        self.hnsw_threshold = hnsw_threshold
        self.index: VectorIndex | None = None
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        self._built = asyncio.Event()
        self._lock = asyncio.Lock()  # one change (build, refresh, reconcile) at a time
        self.changes = 0  # bumped whenever the index changes: a cheap "did it move?"
        self.listening = asyncio.Event()  # set while LISTEN is in place (tests wait on it)
        self._started = False

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        """Build now and keep up: LISTEN, and reconcile every refresh_interval. Without
        start (an app without background work, as in tests), the index is built on first
        use and refreshed only when asked, and holds no connection."""
        self._started = True
        self._spawn(self._maintain())
        self._spawn(self._listen())

    def _queries(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                1, thread_name_prefix="ThreadPoolExecutor-faiss", initializer=_single_threaded
            )
        return self._executor

    async def stop(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _spawn(self, coro: Any) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def ready(self) -> None:
        """Wait for the first build."""
        await self._built.wait()

    # -- queries (on the FAISS thread) ---------------------------------------------------

    async def run(self, fn: Callable[[VectorIndex], T], default: T) -> T:
        """`fn(index)` on the FAISS thread; `default` while the first build is under way."""
        if self.index is None and not self._started:
            await self.refresh()  # not started: built on first use
        index = self.index
        if index is None:
            return default
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._queries(), fn, index)

    async def vectors(self, track_ids: Sequence[int]) -> tuple[list[int], Vector]:
        return await self.run(
            lambda ix: ix.vectors(track_ids), ([], np.empty((0, DIM), np.float32))
        )

    async def search(
        self, query: Vector, k: int, exclude: Collection[int] = frozenset()
    ) -> list[tuple[int, float]]:
        started = time.perf_counter()
        none: list[tuple[int, float]] = []
        hits = await self.run(lambda ix: ix.search(query, k, exclude), none)
        metrics.RECOMMEND_QUERY_SECONDS.observe(time.perf_counter() - started)
        return hits

    # -- keeping up ---------------------------------------------------------------------

    def wake(self) -> None:
        """Catch up soon (a NOTIFY arrived)."""
        self._wake.set()

    async def rebuild(self) -> None:
        """Read every vector and build a fresh index; swap it in, then catch up."""
        async with self._lock:
            await self._rebuild_locked()

    async def _rebuild_locked(self) -> None:
        started = time.monotonic()
        chunks = [b async for b in self.store.vectors(FEATURE_VERSION, DIM)]
        batch = VectorBatch.concat(chunks, DIM)
        del chunks
        big = batch.ids.size > self.hnsw_threshold
        if big and self.index is None:
            # Answer exactly while the graph builds (minutes at a million tracks).
            self._publish(await _in_thread(self._build, batch, "flat"))
        self._publish(await _in_thread(self._build, batch, None))
        log.info(
            "similarity index built: %d tracks (%s) in %.1f s",
            batch.ids.size,
            self.index.kind if self.index else "-",
            time.monotonic() - started,
        )
        await self._catch_up_locked()

    def _build(self, batch: VectorBatch, kind: str | None) -> VectorIndex:
        return VectorIndex.build(batch, hnsw_threshold=self.hnsw_threshold, kind=kind)

    def _publish(self, index: VectorIndex) -> None:
        self.index = index
        self.changes += 1
        self._built.set()
        metrics.RECOMMEND_INDEX_TRACKS.set(len(index))

    async def refresh(self) -> int:
        """Add what was analysed since the newest vector held; how many tracks changed."""
        async with self._lock:
            if self.index is None:
                await self._rebuild_locked()
                return len(self.index) if self.index else 0
            return await self._catch_up_locked()

    async def _catch_up_locked(self) -> int:
        index = self.index
        assert index is not None
        since = stamp_time(max(0, index.watermark - OVERLAP_MICROS)) if index.watermark else None
        changed = 0
        async for batch in self.store.vectors(FEATURE_VERSION, DIM, since=since):
            changed += await self.run(functools.partial(_add, batch), 0)
        if changed:
            self.changes += 1
            metrics.RECOMMEND_INDEX_TRACKS.set(len(index))
        if index.needs_rebuild():
            await self._rebuild_locked()
        return changed

    async def reconcile(self) -> None:
        """The safety net: diff the held (id, stamp) pairs with the database's, fetch what
        is new or changed, drop what is gone."""
        async with self._lock:
            if self.index is None:
                await self._rebuild_locked()
                return
            index = self.index
            db_ids, db_stamps = await self.store.stamps(FEATURE_VERSION, DIM)
            held_ids, held_stamps = await self.run(lambda ix: ix.held(), (db_ids[:0], db_ids[:0]))
            gone = np.setdiff1d(held_ids, db_ids, assume_unique=True)
            held = dict(zip(held_ids.tolist(), held_stamps.tolist(), strict=True))
            stale = [
                t
                for t, s in zip(db_ids.tolist(), db_stamps.tolist(), strict=True)
                if held.get(t) != s
            ]
            changed = await self.run(functools.partial(_remove, gone.tolist()), 0)
            for i in range(0, len(stale), 10_000):
                batch = await self.store.vectors_of(stale[i : i + 10_000], FEATURE_VERSION, DIM)
                changed += await self.run(functools.partial(_add, batch), 0)
            if changed:
                self.changes += 1
                metrics.RECOMMEND_INDEX_TRACKS.set(len(index))
                log.info("similarity index reconciled: %d tracks changed", changed)
            if index.needs_rebuild():
                await self._rebuild_locked()

    async def _maintain(self) -> None:
        """Build, then catch up on every wake and reconcile every refresh_interval."""
        delay = 1.0
        while self.index is None:
            try:
                await self.rebuild()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("cannot build the similarity index yet; retrying", exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX)
        while True:
            timeout = self.refresh_interval if self.refresh_interval > 0 else None
            woke = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
                woke = True
            self._wake.clear()
            try:
                if woke:
                    await asyncio.sleep(0.05)  # let a burst of notifications settle
                    self._wake.clear()
                    await self.refresh()
                else:
                    await self.reconcile()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("similarity index refresh failed; will retry", exc_info=True)
                await asyncio.sleep(1.0)
                self._wake.set()

    async def _listen(self) -> None:
        """LISTEN for the analysis stage's batches; after a lost connection, listen again
        and catch up, since notifications sent meanwhile are gone."""
        delay = 0.5
        while True:
            try:
                async with self.store.pool.acquire() as conn:
                    lost = asyncio.Event()
                    on_lost = functools.partial(_set_event, lost)
                    conn.add_termination_listener(on_lost)
                    await conn.add_listener(ANALYSIS_CHANNEL, self._notified)
                    try:
                        delay = 0.5
                        self.listening.set()
                        self.wake()
                        await lost.wait()
                    finally:
                        self.listening.clear()
                        # A terminated connection is already back in the pool: nothing to undo.
                        with contextlib.suppress(asyncpg.InterfaceError):
                            conn.remove_termination_listener(on_lost)
                        if not conn.is_closed():
                            with contextlib.suppress(Exception):
                                await conn.remove_listener(ANALYSIS_CHANNEL, self._notified)
                log.warning("lost the analysis notifications connection; reconnecting")
            except asyncio.CancelledError:
                raise
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("cannot listen for analysis notifications (%s); retrying", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX)

    def _notified(self, *_: object) -> None:
        self.wake()
