"""Audio analysis: what needs analysing, the shards that spread it over the replicas, and
the primary's fenced writes of results (track_analysis, and the waveform cache)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg

from store.cluster import (
    SHARD_CHANNEL,
    assign_shards,
    check_fence,
    fail_shard,
    release_shard,
)
from tonearm.errors import Conflict

# NOTIFY after every committed batch of results; the payload is small JSON:
# {"ok": n, "failed": n, "analysed_at": the batch's timestamp}.
ANALYSIS_CHANNEL = "tonearm_analysis"

# A track needs analysis when it has no row, or its row is from another extractor version
# or another version of the file. Failed rows count as done: a file that cannot be decoded
# is tried again only when it (or the extractor) changes.
_STALE = "(a.track_id IS NULL OR a.version <> $1 OR a.size <> t.size OR a.mtime_ns <> t.mtime_ns)"
_CURRENT = "(a.version = $1 AND a.size = t.size AND a.mtime_ns = t.mtime_ns)"


@dataclass(frozen=True, slots=True)
class AnalysisShard:
    id: int
    track_ids: tuple[int, ...]
    state: str  # pending, assigned, done, failed
    assigned_to: str | None
    attempts: int
    tried_by: tuple[str, ...]
    done: int
    failed: int
    error: str | None


@dataclass(frozen=True, slots=True)
class AnalysisJob:
    """One track to analyse: where its file is and which version of it the catalogue holds
    (the result is stamped with that version, so a file changed since is analysed again)."""

    track_id: int
    root: str
    rel_path: bytes
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class AnalysisWrite:
    """One track's result, as the primary writes it."""

    track_id: int
    size: int
    mtime_ns: int
    status: str  # ok | failed
    error: str | None = None
    features: bytes | None = None  # DIM little-endian float32, raw
    bpm: float | None = None
    key: str | None = None
    loudness_lufs: float | None = None
    replay_gain_db: float | None = None
    peaks: bytes | None = None  # the waveform cache's 1000 bytes, when the whole track was read


@dataclass(frozen=True, slots=True)
class AnalysisProgress:
    pending: int  # tracks of online libraries still to analyse
    analysed: int  # current results: ok
    failed: int  # current results: could not be decoded or analysed
    offline: int  # not analysed, but their drive is offline
    total: int  # all tracks
    shards: dict[str, int] = field(default_factory=dict)  # by state

    def as_dict(self) -> dict[str, object]:
        return {
            "pending": self.pending,
            "analysed": self.analysed,
            "failed": self.failed,
            "offline": self.offline,
            "total": self.total,
            "shards": self.shards,
        }


def _shard(r: asyncpg.Record) -> AnalysisShard:
    return AnalysisShard(
        id=r["id"],
        track_ids=tuple(r["track_ids"]),
        state=r["state"],
        assigned_to=r["assigned_to"],
        attempts=r["attempts"],
        tried_by=tuple(r["tried_by"]),
        done=r["done"],
        failed=r["failed"],
        error=r["error"],
    )


class AnalysisStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def needing(self, version: int) -> list[int]:
        """Tracks of online libraries that need analysis and are in no open shard, in path
        order (a shard then reads neighbouring files: one album, one disk area)."""
        rows = await self.pool.fetch(
            f"""WITH open AS (
                    SELECT DISTINCT unnest(track_ids) AS id FROM analysis_shards
                    WHERE state IN ('pending', 'assigned'))
                SELECT t.id FROM tracks t
                JOIN libraries l ON l.id = t.library_id AND l.status = 'online'
                LEFT JOIN track_analysis a ON a.track_id = t.id
                WHERE {_STALE} AND NOT EXISTS (SELECT 1 FROM open o WHERE o.id = t.id)
                ORDER BY t.library_id, t.rel_path""",
            version,
        )
        return [r[0] for r in rows]

    async def create_shards(self, epoch: int, groups: Sequence[Sequence[int]]) -> list[int]:
        """One pending shard per group of track ids, fenced; also forgets shards finished
        over a week ago (the progress counts only need the recent ones)."""
        async with self.pool.acquire() as conn, conn.transaction():
            await check_fence(conn, epoch)
            await conn.execute(
                """DELETE FROM analysis_shards WHERE state IN ('done', 'failed')
                   AND finished_at < now() - interval '7 days'"""
            )
            return [
                await conn.fetchval(
                    "INSERT INTO analysis_shards (track_ids) VALUES ($1) RETURNING id", list(g)
                )
                for g in groups
            ]

    async def open_shards(self) -> list[AnalysisShard]:
        rows = await self.pool.fetch(
            "SELECT * FROM analysis_shards WHERE state IN ('pending', 'assigned') ORDER BY id"
        )
        return [_shard(r) for r in rows]

    async def shard(self, shard_id: int) -> AnalysisShard | None:
        r = await self.pool.fetchrow("SELECT * FROM analysis_shards WHERE id = $1", shard_id)
        return _shard(r) if r else None

    async def assigned_to(self, node_id: str) -> list[AnalysisShard]:
        rows = await self.pool.fetch(
            """SELECT * FROM analysis_shards WHERE assigned_to = $1 AND state = 'assigned'
               ORDER BY id""",
            node_id,
        )
        return [_shard(r) for r in rows]

    async def assign(self, epoch: int, assignments: Sequence[tuple[int, str]]) -> None:
        await assign_shards(self.pool, "analysis_shards", epoch, assignments)

    async def release(
        self, epoch: int, shard_id: int, error: str, member: str | None = None
    ) -> bool:
        return await release_shard(self.pool, "analysis_shards", epoch, shard_id, error, member)

    async def fail_shard(self, epoch: int, shard_id: int, error: str) -> None:
        """No replica could do it (its drive is offline everywhere): its tracks are planned
        again at the next scan."""
        await fail_shard(self.pool, "analysis_shards", epoch, shard_id, error)

    async def jobs(self, track_ids: Sequence[int], version: int) -> list[AnalysisJob]:
        """The shard's tracks that still need analysis and whose drive is online (a redone
        shard skips what an earlier attempt already wrote)."""
        rows = await self.pool.fetch(
            f"""SELECT t.id, l.path, t.rel_path, t.size, t.mtime_ns FROM tracks t
                JOIN libraries l ON l.id = t.library_id AND l.status <> 'offline'
                LEFT JOIN track_analysis a ON a.track_id = t.id
                WHERE t.id = ANY($2::bigint[]) AND {_STALE}
                ORDER BY t.library_id, t.rel_path""",
            version,
            list(track_ids),
        )
        return [AnalysisJob(r[0], r[1], bytes(r[2]), r[3], r[4]) for r in rows]

    async def write(
        self,
        epoch: int,
        shard_id: int,
        member: str,
        version: int,
        results: Sequence[AnalysisWrite],
    ) -> None:
        """One batch of a shard's results in one transaction: fenced by the term, refused
        unless the shard is still this member's. Tracks deleted meanwhile are left out;
        peaks become the cached waveform only while the file is the version analysed."""
        async with self.pool.acquire() as conn, conn.transaction():
            await check_fence(conn, epoch)
            await _own_shard(conn, shard_id, member)
            cols = [list(c) for c in zip(*map(_row, results), strict=True)] or [[]] * 11
            await conn.execute(
                """INSERT INTO track_analysis (track_id, version, size, mtime_ns, status, error,
                       features, bpm, musical_key, loudness_lufs, replay_gain_db)
                   SELECT r.id, $1, r.size, r.mtime, r.status, r.error, r.features, r.bpm,
                          r.musical_key, r.lufs, r.gain
                   FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],
                               $7::bytea[], $8::real[], $9::text[], $10::real[], $11::real[])
                        AS r(id, size, mtime, status, error, features, bpm, musical_key, lufs, gain)
                   JOIN tracks t ON t.id = r.id
                   ON CONFLICT (track_id) DO UPDATE SET
                       version = EXCLUDED.version, size = EXCLUDED.size,
                       mtime_ns = EXCLUDED.mtime_ns, status = EXCLUDED.status,
                       error = EXCLUDED.error, features = EXCLUDED.features, bpm = EXCLUDED.bpm,
                       musical_key = EXCLUDED.musical_key,
                       loudness_lufs = EXCLUDED.loudness_lufs,
                       replay_gain_db = EXCLUDED.replay_gain_db, analysed_at = now()""",
                version,
                *cols[:10],
            )
            await conn.execute(
                """INSERT INTO track_waveforms (track_id, size, mtime_ns, peaks)
                   SELECT r.id, r.size, r.mtime, r.peaks
                   FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bytea[])
                        AS r(id, size, mtime, peaks)
                   JOIN tracks t ON t.id = r.id AND t.size = r.size AND t.mtime_ns = r.mtime
                   WHERE r.peaks IS NOT NULL
                   ON CONFLICT (track_id) DO UPDATE SET size = EXCLUDED.size,
                       mtime_ns = EXCLUDED.mtime_ns, peaks = EXCLUDED.peaks, created_at = now()""",
                cols[0],
                cols[1],
                cols[2],
                cols[10],
            )
            ok = sum(1 for r in results if r.status == "ok")
            await conn.execute(
                "UPDATE analysis_shards SET done = done + $2, failed = failed + $3 WHERE id = $1",
                shard_id,
                ok,
                len(results) - ok,
            )
            await conn.execute(
                """SELECT pg_notify($1, json_build_object(
                       'ok', $2::int, 'failed', $3::int, 'analysed_at', now())::text)""",
                ANALYSIS_CHANNEL,
                ok,
                len(results) - ok,
            )

    async def finish(self, epoch: int, shard_id: int, member: str) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await check_fence(conn, epoch)
            await _own_shard(conn, shard_id, member)
            await conn.execute(
                """UPDATE analysis_shards SET state = 'done', finished_at = now(), error = NULL
                   WHERE id = $1""",
                shard_id,
            )
            await conn.execute("SELECT pg_notify($1, '')", SHARD_CHANNEL)

    async def progress(self, version: int) -> AnalysisProgress:
        r = await self.pool.fetchrow(
            f"""SELECT count(*) AS total,
                   count(*) FILTER (WHERE {_CURRENT} AND a.status = 'ok') AS analysed,
                   count(*) FILTER (WHERE {_CURRENT} AND a.status = 'failed') AS failed,
                   count(*) FILTER (WHERE {_STALE} AND l.status = 'online') AS pending,
                   count(*) FILTER (WHERE {_STALE} AND l.status <> 'online') AS offline
                FROM tracks t JOIN libraries l ON l.id = t.library_id
                LEFT JOIN track_analysis a ON a.track_id = t.id""",
            version,
        )
        shards = await self.pool.fetch("SELECT state, count(*) FROM analysis_shards GROUP BY state")
        states = dict.fromkeys(("pending", "assigned", "done", "failed"), 0)
        states.update({s[0]: s[1] for s in shards})
        return AnalysisProgress(
            pending=r["pending"],
            analysed=r["analysed"],
            failed=r["failed"],
            offline=r["offline"],
            total=r["total"],
            shards=states,
        )


def _row(r: AnalysisWrite) -> tuple[object, ...]:
    return (
        r.track_id, r.size, r.mtime_ns, r.status, r.error, r.features, r.bpm, r.key,
        r.loudness_lufs, r.replay_gain_db, r.peaks,
    )  # fmt: skip


async def _own_shard(conn: asyncpg.Connection, shard_id: int, member: str) -> None:
    """Inside a write transaction: the shard must still be this member's and unfinished."""
    r = await conn.fetchrow(
        "SELECT state, assigned_to FROM analysis_shards WHERE id = $1 FOR UPDATE", shard_id
    )
    if r is None or r["state"] != "assigned" or r["assigned_to"] != member:
        raise Conflict(
            f"analysis shard {shard_id} is no longer assigned to {member}",
            code="shard_reassigned",
        )
