"""Waveform peaks of tracks: computed once per file version, kept as one byte per bucket."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import asyncpg

from tonearm.errors import NotFound


@dataclass(frozen=True, slots=True)
class TrackSource:
    """What decoding a track needs: where its file is and which version of it we know."""

    root: str
    rel_path: bytes
    library_status: str
    size: int
    mtime_ns: int
    duration: float


class WaveformStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def source(self, track_id: int) -> TrackSource:
        r = await self.pool.fetchrow(
            """SELECT l.path, t.rel_path, l.status, t.size, t.mtime_ns, t.duration
               FROM tracks t JOIN libraries l ON l.id = t.library_id WHERE t.id = $1""",
            track_id,
        )
        if r is None:
            raise NotFound(f"no track with id {track_id}")
        return TrackSource(
            r["path"], bytes(r["rel_path"]), r["status"], r["size"], r["mtime_ns"], r["duration"]
        )

    async def cached(self, track_id: int, size: int, mtime_ns: int) -> bytes | None:
        """The stored peaks if they were computed from this version of the file."""
        value = await self.pool.fetchval(
            """SELECT peaks FROM track_waveforms
               WHERE track_id = $1 AND size = $2 AND mtime_ns = $3""",
            track_id,
            size,
            mtime_ns,
        )
        return bytes(value) if value is not None else None

    async def save(self, track_id: int, size: int, mtime_ns: int, peaks: bytes) -> None:
        # The track may have been removed while we decoded it: nothing to keep then.
        with contextlib.suppress(asyncpg.ForeignKeyViolationError):
            await self.pool.execute(
                """INSERT INTO track_waveforms (track_id, size, mtime_ns, peaks)
                   VALUES ($1, $2, $3, $4)
                   ON CONFLICT (track_id) DO UPDATE
                   SET size = $2, mtime_ns = $3, peaks = $4, created_at = now()""",
                track_id,
                size,
                mtime_ns,
                peaks,
            )
