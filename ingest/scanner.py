"""Doing one shard: probe the root, walk the shard's folders, diff against the database,
parse what changed in worker processes, and hand batches to a sink (the primary)."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from ingest.parse import Failure, Job, parse_chunk
from ingest.shards import key_ranges, scope
from ingest.tags import AUDIO_EXTENSIONS
from ingest.walk import WalkResult, probe, walk
from store.cluster import Shard
from store.ingest import IngestStore, TrackWrite
from tonearm import metrics

log = logging.getLogger(__name__)

CHUNK = 96  # files per worker task: big enough to amortise IPC, small enough to balance
WRITE_BATCH = 500  # tracks per batch (one transaction on the primary)
IN_FLIGHT = 8  # chunks queued to the worker processes at once


@dataclass
class Progress:
    """What a shard (or, summed, a scan) has done; stored as JSON with the shard."""

    found: int = 0
    to_parse: int = 0
    parsed: int = 0
    unchanged: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    failed: int = 0
    skipped: int = 0
    unreadable_folders: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def total(cls, parts: Sequence[dict[str, Any]]) -> Progress:
        out = cls()
        for part in parts:
            for key, value in part.items():
                if hasattr(out, key) and isinstance(value, int):
                    setattr(out, key, getattr(out, key) + value)
        return out


@dataclass(frozen=True, slots=True)
class Diff:
    jobs: list[Job]
    new: set[bytes]
    missing: list[bytes]
    unchanged: int


def diff(result: WalkResult, known: dict[bytes, tuple[int, int]], *, full: bool) -> Diff:
    """Which files to parse and which tracks are gone. Tracks under folders we could not
    read are never 'gone'."""
    jobs = []
    new = set()
    unchanged = 0
    images = result.folder_images
    for f in result.files:
        old = known.get(f.rel_path)
        if old is None:
            new.add(f.rel_path)
        elif old == (f.size, f.mtime_ns) and not full:
            unchanged += 1
            continue
        folder = f.rel_path[: max(f.rel_path.rfind(b"/"), 0)]
        jobs.append(Job(f.rel_path, f.size, f.mtime_ns, images.get(folder)))
    missing: list[bytes] = []
    if b"" not in result.unreadable:
        seen = {f.rel_path for f in result.files}
        blocked = tuple(d + b"/" for d in result.unreadable)
        missing = [p for p in known if p not in seen and not p.startswith(blocked)]
    return Diff(jobs, new, missing, unchanged)


@dataclass(frozen=True, slots=True)
class Walked:
    """What walking a shard and diffing it against the database found."""

    diff: Diff
    found: int
    skipped: int
    unreadable: list[bytes]
    errors: int


def walk_and_diff(
    root: str,
    nested: Sequence[str],
    prefixes: Sequence[bytes],
    flat_dirs: Sequence[bytes],
    known: dict[bytes, tuple[int, int]],
    full: bool,
) -> Walked:
    """Runs in a parse worker process: two shards walk on two cores at once, not one after
    the other under the main process's GIL, and only the changes travel back."""
    result = walk(root, AUDIO_EXTENSIONS, nested, prefixes=prefixes, flat_dirs=flat_dirs)
    return Walked(
        diff(result, known, full=full),
        len(result.files),
        result.skipped,
        result.unreadable,
        len(result.errors),
    )


class RootOffline(Exception):
    """This node cannot read the shard's root: give the shard to another node."""


@dataclass(frozen=True, slots=True)
class ShardResult:
    progress: Progress
    missing: list[bytes]
    unreadable: list[bytes] = field(default_factory=list)


class Sink(Protocol):
    """Where a shard's results go: the primary's writer, in-process or over HTTP."""

    async def write(self, shard: Shard, batch: list[TrackWrite], progress: Progress) -> None: ...

    async def finish(self, shard: Shard, result: ShardResult) -> None: ...

    async def release(self, shard: Shard, reason: str) -> None: ...


class ShardRunner:
    def __init__(self, store: IngestStore, executor: Executor) -> None:
        self.store = store
        self.executor = executor

    async def run(self, shard: Shard, sink: Sink, nested: Sequence[str]) -> Progress:
        online, reason = await asyncio.to_thread(probe, shard.root)
        known = await self.store.known_files(
            shard.library_id, key_ranges(shard.prefixes, shard.flat_dirs)
        )
        if shard.flat_dirs:
            inside = scope(shard.prefixes, shard.flat_dirs)
            known = {p: v for p, v in known.items() if inside(p)}
        if online and reason == "empty" and known:
            online, reason = False, "empty (not mounted?)"
        if not online:
            raise RootOffline(reason or "offline")
        real = await asyncio.to_thread(os.path.realpath, shard.root)
        walked = await asyncio.get_running_loop().run_in_executor(
            self.executor,
            walk_and_diff,
            real,
            tuple(nested),
            tuple(shard.prefixes),
            tuple(shard.flat_dirs),
            known,
            shard.full,
        )
        d = walked.diff
        progress = Progress(
            found=walked.found,
            to_parse=len(d.jobs),
            unchanged=d.unchanged,
            skipped=walked.skipped,
            unreadable_folders=len(walked.unreadable),
        )
        metrics.SCAN_ERRORS.inc(walked.errors)
        metrics.SCAN_FILES.labels("skipped").inc(walked.skipped)
        metrics.SCAN_FILES.labels("unchanged").inc(d.unchanged)
        await self._parse_and_send(shard, real, d, progress, sink)
        progress.removed = len(d.missing)
        metrics.SCAN_FILES.labels("removed").inc(len(d.missing))
        await sink.finish(shard, ShardResult(progress, d.missing, walked.unreadable))
        return progress

    async def _parse_and_send(
        self, shard: Shard, root: str, d: Diff, progress: Progress, sink: Sink
    ) -> None:
        loop = asyncio.get_running_loop()
        root_b = os.fsencode(root)
        chunks = [d.jobs[i : i + CHUNK] for i in range(0, len(d.jobs), CHUNK)]
        # A chunk holds its slot until its results are taken, not just until it is parsed,
        # and only the queue holds them until then: when writing is slower than parsing,
        # parsed tracks would otherwise pile up (the whole library at worst) in memory and in
        # every full garbage collection.
        slots = asyncio.Semaphore(IN_FLIGHT)
        parsed: asyncio.Queue[asyncio.Future[list[TrackWrite | Failure]]] = asyncio.Queue()
        pending: list[TrackWrite] = []

        in_flight: set[asyncio.Future[list[TrackWrite | Failure]]] = set()

        def done(future: asyncio.Future[list[TrackWrite | Failure]]) -> None:
            in_flight.discard(future)
            parsed.put_nowait(future)

        async def submit() -> None:
            for chunk in chunks:
                await slots.acquire()
                try:
                    future = loop.run_in_executor(self.executor, parse_chunk, root_b, chunk)
                except Exception as exc:  # the pool is shut down or broken: fail the shard
                    future = loop.create_future()
                    future.set_exception(exc)
                    parsed.put_nowait(future)
                    return
                in_flight.add(future)
                future.add_done_callback(done)

        async def send() -> None:
            nonlocal pending
            if not pending:
                return
            added = sum(1 for t in pending if t.rel_path in d.new)
            progress.added += added
            progress.updated += len(pending) - added
            await sink.write(shard, pending, progress)
            metrics.SCAN_FILES.labels("added").inc(added)
            metrics.SCAN_FILES.labels("updated").inc(len(pending) - added)
            pending = []

        submitter = asyncio.ensure_future(submit())
        try:
            for _ in chunks:
                items = (await parsed.get()).result()
                slots.release()
                for item in items:
                    progress.parsed += 1
                    if isinstance(item, Failure):
                        progress.failed += 1
                        metrics.SCAN_FILES.labels("failed").inc()
                        log.warning("skipping %s: %s", os.fsdecode(item.rel_path), item.reason)
                        continue
                    pending.append(item)
                del items
                if len(pending) >= WRITE_BATCH:
                    await send()
            await send()
        finally:
            submitter.cancel()
            for future in list(in_flight):
                future.cancel()
