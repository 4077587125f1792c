"""Serving cover art: the stored original, or a resized variant from the disk cache or the
resize pool, or the placeholder when there is no usable picture.

Resizing runs in a bounded thread pool (one job per worker at a time; the rest wait on the
event loop, not in an unbounded executor queue), and concurrent requests for one variant
share one job. See the README's HTTP API section for the contract.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from api import imaging
from api.cover_cache import CoverCache
from api.imaging import UnusableImage, Variant
from api.placeholder import draw as draw_placeholder
from ingest.tags import TagError, read_embedded_picture
from store.covers import CoverLocation, CoverStore
from tonearm import metrics
from tonearm.config import Config
from tonearm.errors import NotFound, Unavailable

log = logging.getLogger(__name__)

IMMUTABLE = "public, max-age=31536000, immutable"
PLACEHOLDER_CACHE = "public, max-age=86400"  # its URL carries no hash: a redesign must show
STAND_IN_CACHE = "public, max-age=300"  # a drive may come back, a file may be rescanned
_REMEMBER_UNUSABLE = 4096  # sources known to be undecodable (their bytes never change)


@dataclass(frozen=True, slots=True)
class Rendition:
    body: bytes
    mime: str
    etag: str
    cache_control: str
    placeholder: str | None = None  # why the placeholder was served: no-art, corrupt, offline …


def variant_etag(sha1: str, v: Variant) -> str:
    return f'"{sha1}-{v.slug}-v{imaging.VERSION}.{v.format}"'


def _cache_key(sha1: str, v: Variant) -> str:
    return f"v{imaging.VERSION}/{sha1[:2]}/{sha1}-{v.slug}.{v.format}"


class CoverArt:
    def __init__(self, store: CoverStore, config: Config) -> None:
        self.store = store
        self.max_size = config.cover_max_size
        self.cache = CoverCache(config.data_dir / "covers", config.cover_cache_mb * 1024 * 1024)
        self.workers = config.cover_workers
        self.resizes = 0  # sources decoded and resized by this process (tests watch it)
        self._resizes_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._slots: asyncio.Semaphore | None = None
        self._jobs: dict[str, asyncio.Task[bytes]] = {}
        self._unusable: OrderedDict[str, str] = OrderedDict()

    @property
    def formats(self) -> tuple[str, ...]:
        return imaging.available_formats()

    async def start(self) -> None:
        imaging.configure()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="tonearm-cover")
        self._slots = asyncio.Semaphore(self.workers)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._pool, self.cache.load)
        formats = await loop.run_in_executor(self._pool, imaging.available_formats)
        log.debug("cover formats: %s", ", ".join(formats))

    async def close(self) -> None:
        jobs = list(self._jobs.values())
        for job in jobs:
            job.cancel()
        await asyncio.gather(*jobs, return_exceptions=True)
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await asyncio.to_thread(pool.shutdown, True, cancel_futures=True)

    # -- the original ---------------------------------------------------------------------------

    async def original(self, sha1: str) -> tuple[bytes, str]:
        """The stored bytes and their mime type, exactly as found (not decoded)."""
        location = await self.store.locate(sha1)
        if location.library_status == "offline":
            raise Unavailable("the drive holding this cover is offline", code="library_offline")
        found = await asyncio.to_thread(_read, location)
        if found is None:
            raise NotFound(
                "the image of this cover is gone; a rescan will tidy up", code="file_missing"
            )
        if not await asyncio.to_thread(_names, found[0], sha1):
            raise NotFound(
                "the image of this cover changed since the last scan; a rescan will tidy up",
                code="file_changed",
            )
        return found

    # -- variants -------------------------------------------------------------------------------

    async def variant(self, sha1: str, v: Variant) -> Rendition:
        """Cover `sha1` as variant `v`: from the cache, else resized now. A source that cannot
        be used (offline, gone, corrupt) gets the placeholder with a short cache life."""
        key = _cache_key(sha1, v)
        cached = await asyncio.to_thread(self.cache.get, key)
        if cached is not None:
            metrics.COVER_CACHE.labels("hit").inc()
            return Rendition(cached, imaging.MIME[v.format], variant_etag(sha1, v), IMMUTABLE)
        metrics.COVER_CACHE.labels("miss").inc()
        location = await self.store.locate(sha1)  # NotFound for an unknown id
        reason = self._unusable.get(sha1)
        if reason is None and location.library_status == "offline":
            reason = "offline"
        if reason is None:
            try:
                body = await self._once(key, lambda: self._render(location, v, key))
                return Rendition(body, imaging.MIME[v.format], variant_etag(sha1, v), IMMUTABLE)
            except UnusableImage as exc:
                reason = exc.reason
                if reason in ("corrupt", "unsupported", "too_large"):
                    self._remember_unusable(sha1, reason)
        return await self.placeholder(v, reason)

    async def placeholder(self, v: Variant, reason: str | None = None) -> Rendition:
        """The generated no-art picture at the size of `v`; `reason` says what it stands in for."""
        v = Variant(v.width, v.height, "cover", v.format, False)  # it is drawn to fit exactly
        key = f"v{imaging.VERSION}/placeholder/{v.slug}.{v.format}"
        etag = f'"placeholder-{v.slug}-v{imaging.VERSION}.{v.format}"'
        body = await asyncio.to_thread(self.cache.get, key)
        if body is None:
            body = await self._once(key, lambda: self._draw_placeholder(v, key))
        return Rendition(
            body,
            imaging.MIME[v.format],
            etag,
            PLACEHOLDER_CACHE if reason is None else STAND_IN_CACHE,
            reason or "no-art",
        )

    # -- the pool -------------------------------------------------------------------------------

    async def _once(self, key: str, job: Callable[[], bytes]) -> bytes:
        """Run `job` in the pool, once for all concurrent callers asking for `key`."""
        task = self._jobs.get(key)
        if task is None:
            task = asyncio.create_task(self._run(job))
            self._jobs[key] = task
            task.add_done_callback(lambda t: self._finished(key, t))
        return await asyncio.shield(task)

    def _finished(self, key: str, task: asyncio.Task[bytes]) -> None:
        self._jobs.pop(key, None)
        if not task.cancelled():
            task.exception()  # retrieved here too, in case every caller went away

    async def _run(self, job: Callable[[], bytes]) -> bytes:
        if self._pool is None or self._slots is None:
            raise Unavailable("the cover service is not running", code="not_started")
        async with self._slots:  # at most `workers` jobs in the pool: nothing queues there
            return await asyncio.get_running_loop().run_in_executor(self._pool, job)

    def _render(self, location: CoverLocation, v: Variant, key: str) -> bytes:
        """In a pool thread: read the source, check it is still the image its id names,
        resize, store."""
        found = _read(location)
        if found is None:
            raise UnusableImage("missing")
        data = found[0]
        if not _names(data, location.sha1):
            raise UnusableImage("changed")  # the file changed since the scan
        started = time.perf_counter()
        try:
            body = imaging.resize(data, v, self.max_size)
        except UnusableImage as exc:
            log.warning("cover %s cannot be resized: %s", location.sha1, exc.reason)
            raise
        with self._resizes_lock:
            self.resizes += 1
        metrics.COVER_RESIZE_SECONDS.observe(time.perf_counter() - started)
        self.cache.put(key, body)
        return body

    def _draw_placeholder(self, v: Variant, key: str) -> bytes:
        body = draw_placeholder(v)
        self.cache.put(key, body)
        return body

    def _remember_unusable(self, sha1: str, reason: str) -> None:
        self._unusable[sha1] = reason
        if len(self._unusable) > _REMEMBER_UNUSABLE:
            self._unusable.popitem(last=False)


def _names(data: bytes, sha1: str) -> bool:
    """The bytes are still the image the id names (the id is their hash)."""
    return hashlib.sha1(data).hexdigest() == sha1


def _read(location: CoverLocation) -> tuple[bytes, str] | None:
    """The source bytes and mime, or None when the file or its picture is gone."""
    if location.data is not None:
        return location.data, location.mime
    if location.kind == "embedded":
        try:
            return read_embedded_picture(location.path)
        except (TagError, OSError):
            return None
    try:
        with open(location.path, "rb") as f:
            return f.read(), location.mime
    except OSError:
        return None
