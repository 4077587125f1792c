"""Waveform peaks for the player: decoded by ffmpeg on first request, then kept in the database.

ffmpeg runs as a subprocess (never on the event loop), down-mixed to mono 16-bit PCM at a low
rate, and the absolute peak of each of BUCKETS equal slices of the track is kept as one byte.
At most DECODERS run at once; concurrent requests for one track share one decode.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import sys
from array import array

from store.waveforms import WaveformStore
from tonearm.errors import AppError, NotFound, Unavailable

log = logging.getLogger(__name__)

BUCKETS = 1000
RATE = 8000  # Hz: plenty for peaks at any zoom the player shows
BLOCK = RATE // 100  # samples: the decode is reduced to one peak per 10 ms as it streams in
DECODERS = 2
TIMEOUT = 120.0  # seconds for one decode; a longer one is killed
CHUNK = 1 << 16


class Undecodable(AppError):
    code, status = "undecodable", 422


def block_peaks(samples: array[int], out: array[int]) -> None:
    """Append the absolute peak of each BLOCK of signed 16-bit samples to `out`."""
    for start in range(0, len(samples), BLOCK):
        part = samples[start : start + BLOCK]
        out.append(max(max(part), -min(part)))


def buckets(peaks: array[int], count: int = BUCKETS) -> bytes:
    """The highest of each of `count` equal slices of absolute peaks (0–32768), as 0–255.
    Fewer peaks than buckets are spread out, so the answer always has `count` values."""
    total = len(peaks)
    out = bytearray(count)
    if total == 0:
        return bytes(out)
    for i in range(count):
        start = i * total // count
        end = max((i + 1) * total // count, start + 1)
        out[i] = min(255, (max(peaks[start:end]) * 255 + 16383) // 32768)
    return bytes(out)


def to_floats(peaks: bytes) -> list[float]:
    return [round(b / 255, 3) for b in peaks]


class Waveforms:
    def __init__(self, store: WaveformStore) -> None:
        self.store = store
        self._slots = asyncio.Semaphore(DECODERS)
        self._inflight: dict[tuple[int, int, int], asyncio.Future[bytes]] = {}

    async def peaks(self, track_id: int) -> tuple[bytes, float]:
        """(BUCKETS peak bytes, duration in seconds) of a track."""
        src = await self.store.source(track_id)
        cached = await self.store.cached(track_id, src.size, src.mtime_ns)
        if cached is not None:
            return cached, src.duration
        if src.library_status == "offline":
            raise Unavailable("the drive holding this track is offline", code="library_offline")
        path = os.path.join(os.fsencode(src.root), src.rel_path)
        key = (track_id, src.size, src.mtime_ns)
        shared = self._inflight.get(key)
        if shared is not None:
            return await asyncio.shield(shared), src.duration
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            data = await self._decode(path)
            await self.store.save(track_id, src.size, src.mtime_ns, data)
            future.set_result(data)
            return data, src.duration
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here, so an unshared failure is not logged twice
            raise
        finally:
            del self._inflight[key]

    async def _decode(self, path: bytes) -> bytes:
        if not await asyncio.to_thread(os.path.isfile, path):
            raise NotFound(
                "the file of this track is gone; a rescan will tidy up", code="file_missing"
            )
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg is None:
            raise Unavailable("ffmpeg is not installed on the server", code="no_decoder")
        async with self._slots:
            proc = await asyncio.create_subprocess_exec(
                ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error",
                "-i", os.fsdecode(path), "-vn", "-ac", "1", "-ar", str(RATE),
                "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1",
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            peaks: array[int] = array("I")
            try:
                async with asyncio.timeout(TIMEOUT):
                    err = await self._read(proc, peaks)
            except BaseException:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
                raise
        if proc.returncode != 0 or not peaks:
            log.warning("cannot decode %r for its waveform: %s", path, err[:300])
            raise Undecodable("this track's audio cannot be decoded", code="undecodable")
        return buckets(peaks)

    @staticmethod
    async def _read(proc: asyncio.subprocess.Process, peaks: array[int]) -> str:
        """Reduce ffmpeg's PCM to block peaks as it arrives (an hour is 57 MB of PCM, its
        peaks 1.4 MB); return its error output."""
        assert proc.stdout is not None and proc.stderr is not None
        errors = asyncio.ensure_future(proc.stderr.read())
        try:
            pending = b""
            step = BLOCK * 2
            while chunk := await proc.stdout.read(CHUNK):
                pending += chunk
                whole = len(pending) - len(pending) % step
                block_peaks(_pcm(pending[:whole]), peaks)
                pending = pending[whole:]
            if len(pending) >= 2:
                block_peaks(_pcm(pending[: len(pending) - len(pending) % 2]), peaks)
            await proc.wait()
            return (await errors).decode(errors="replace").strip()
        finally:
            errors.cancel()


def _pcm(data: bytes) -> array[int]:
    """Little-endian signed 16-bit samples (ffmpeg's s16le) as an array."""
    samples = array("h")
    samples.frombytes(data)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples
