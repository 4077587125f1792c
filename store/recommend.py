"""What the recommender reads: analysed vectors, track metadata, listens; and users' mixes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import numpy as np
import numpy.typing as npt

from store.analysis import ANALYSIS_CHANNEL
from store.models import TrackMeta
from tonearm.errors import NotFound

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def stamp_time(micros: int) -> datetime:
    """The analysed_at of a vector stamp (microseconds since the epoch, exact)."""
    return _EPOCH + timedelta(microseconds=int(micros))


@dataclass(frozen=True, slots=True)
class VectorBatch:
    """Analysed tracks: ids, analysed_at as epoch microseconds, raw float32 vectors."""

    ids: npt.NDArray[np.int64]
    stamps: npt.NDArray[np.int64]
    vectors: npt.NDArray[np.float32]  # (n, dim), not normalised

    @staticmethod
    def empty(dim: int) -> VectorBatch:
        return VectorBatch(
            np.empty(0, np.int64), np.empty(0, np.int64), np.empty((0, dim), np.float32)
        )

    @staticmethod
    def concat(batches: Sequence[VectorBatch], dim: int) -> VectorBatch:
        if not batches:
            return VectorBatch.empty(dim)
        return VectorBatch(
            np.concatenate([b.ids for b in batches]),
            np.concatenate([b.stamps for b in batches]),
            np.concatenate([b.vectors for b in batches]),
        )


@dataclass(frozen=True, slots=True)
class Played:
    """One track in a user's listening history."""

    track_id: int
    plays: int
    weight: float  # the plays, each counted 0.5^(age / half-life)
    last_played: datetime


@dataclass(frozen=True, slots=True)
class NewMix:
    kind: str  # taste | recent | discover | genre
    name: str
    description: str
    cover_track: int | None
    track_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StoredMix:
    id: int
    slot: int
    kind: str
    name: str
    description: str
    cover_track: int | None
    track_ids: tuple[int, ...]
    generated_at: datetime


_VECTOR_SELECT = """
    SELECT track_id, (extract(epoch FROM analysed_at) * 1000000)::bigint AS stamp, features
      FROM track_analysis
     WHERE status = 'ok' AND version = $1 AND octet_length(features) = $2
"""

_META = """
    SELECT t.id, t.artist, t.album_id, al.album_artist_id, coalesce(t.year, al.year) AS year,
           t.genres, l.status <> 'offline' AS available,
           coalesce(e.genres, '{}') || coalesce(e.tags, '{}') AS tags,
           (SELECT coalesce(array_agg(ta.artist_id ORDER BY ta.position), '{}')
              FROM track_artists ta WHERE ta.track_id = t.id) AS artist_ids
      FROM tracks t
      JOIN albums al ON al.id = t.album_id
      JOIN libraries l ON l.id = t.library_id
      LEFT JOIN album_enrichment e ON e.album_id = t.album_id AND e.status = 'found'
     WHERE t.id = ANY($1::bigint[])
"""


def _batch(rows: Sequence[asyncpg.Record], dim: int) -> VectorBatch:
    if not rows:
        return VectorBatch.empty(dim)
    raw = np.frombuffer(b"".join(r["features"] for r in rows), dtype="<f4")
    return VectorBatch(
        np.fromiter((r["track_id"] for r in rows), np.int64, len(rows)),
        np.fromiter((r["stamp"] for r in rows), np.int64, len(rows)),
        raw.astype(np.float32).reshape(len(rows), dim),
    )


def _meta(r: asyncpg.Record) -> TrackMeta:
    return TrackMeta(
        id=r["id"],
        artist=r["artist"],
        artist_ids=tuple(r["artist_ids"]),
        album_id=r["album_id"],
        album_artist_id=r["album_artist_id"],
        genres=frozenset(g.casefold() for g in r["genres"]),
        tags=frozenset(t.casefold() for t in r["tags"]),
        year=r["year"],
        available=r["available"],
    )


class RecommendStore:
    """Reads for the similarity index, the re-rank and the mixes. Every list of candidates
    leaves out tracks on offline drives: what cannot play is not recommended."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def vectors(
        self, version: int, dim: int, *, since: datetime | None = None, chunk: int = 20_000
    ) -> AsyncIterator[VectorBatch]:
        """Every current, successful analysis (or those analysed after `since`), streamed in
        chunks through a cursor so a million vectors never sit in memory as rows."""
        query = _VECTOR_SELECT + ("" if since is None else " AND analysed_at > $3")
        args: list[object] = [version, dim * 4] + ([] if since is None else [since])
        async with self.pool.acquire() as conn, conn.transaction(readonly=True):
            cursor = await conn.cursor(query, *args)
            while rows := await cursor.fetch(chunk):
                yield _batch(rows, dim)

    async def stamps(
        self, version: int, dim: int, chunk: int = 100_000
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(track ids, analysed_at stamps) of every current analysis: the safety net's diff."""
        ids: list[npt.NDArray[np.int64]] = []
        stamps: list[npt.NDArray[np.int64]] = []
        async with self.pool.acquire() as conn, conn.transaction(readonly=True):
            cursor = await conn.cursor(
                """SELECT track_id, (extract(epoch FROM analysed_at) * 1000000)::bigint
                     FROM track_analysis
                    WHERE status = 'ok' AND version = $1 AND octet_length(features) = $2""",
                version,
                dim * 4,
            )
            while rows := await cursor.fetch(chunk):
                ids.append(np.fromiter((r[0] for r in rows), np.int64, len(rows)))
                stamps.append(np.fromiter((r[1] for r in rows), np.int64, len(rows)))
        if not ids:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        return np.concatenate(ids), np.concatenate(stamps)

    async def vectors_of(self, track_ids: Sequence[int], version: int, dim: int) -> VectorBatch:
        rows = await self.pool.fetch(
            _VECTOR_SELECT + " AND track_id = ANY($3::bigint[])", version, dim * 4, list(track_ids)
        )
        return _batch(rows, dim)

    async def track_meta(self, track_ids: Sequence[int]) -> dict[int, TrackMeta]:
        rows = await self.pool.fetch(_META, list(set(track_ids)))
        return {r["id"]: _meta(r) for r in rows}

    async def same_artist(self, track_ids: Sequence[int], limit: int) -> list[int]:
        """Playable tracks by the seeds' artists or album artists (the seeds included)."""
        rows = await self.pool.fetch(
            """
            WITH seed_artists AS (
                SELECT ta.artist_id AS id FROM track_artists ta WHERE ta.track_id = ANY($1::bigint[])
                UNION
                SELECT al.album_artist_id FROM tracks t JOIN albums al ON al.id = t.album_id
                 WHERE t.id = ANY($1::bigint[]) AND al.album_artist_id IS NOT NULL
            ), hits AS (
                SELECT ta.track_id AS id FROM track_artists ta
                 WHERE ta.artist_id IN (SELECT id FROM seed_artists)
                UNION
                SELECT t.id FROM tracks t JOIN albums al ON al.id = t.album_id
                 WHERE al.album_artist_id IN (SELECT id FROM seed_artists)
            )
            SELECT h.id FROM hits h JOIN tracks t ON t.id = h.id
              JOIN libraries l ON l.id = t.library_id
             WHERE l.status <> 'offline'
             ORDER BY md5(h.id::text) LIMIT $2
            """,
            list(track_ids),
            limit,
        )
        return [r[0] for r in rows]

    async def same_genre(self, track_ids: Sequence[int], limit: int, salt: str) -> list[int]:
        """Playable tracks sharing a genre with the seeds, closest in year first."""
        rows = await self.pool.fetch(
            """
            WITH seeds AS (
                SELECT t.genres, coalesce(t.year, al.year) AS year
                  FROM tracks t JOIN albums al ON al.id = t.album_id
                 WHERE t.id = ANY($1::bigint[])
            ), wanted AS (
                SELECT coalesce(array_agg(DISTINCT g), '{}') AS genres,
                       (SELECT avg(year) FROM seeds) AS year
                  FROM seeds, unnest(seeds.genres) g
            )
            SELECT t.id FROM tracks t
              JOIN albums al ON al.id = t.album_id
              JOIN libraries l ON l.id = t.library_id, wanted w
             WHERE t.genres && w.genres AND l.status <> 'offline'
             ORDER BY abs(coalesce(t.year, al.year, 0) - coalesce(w.year, 0)),
                      md5(t.id::text || $3)
             LIMIT $2
            """,
            list(track_ids),
            limit,
            salt,
        )
        return [r[0] for r in rows]

    async def colistened(
        self, track_ids: Sequence[int], limit: int, window: timedelta = timedelta(minutes=30)
    ) -> dict[int, int]:
        """Tracks played in the same sessions as the seeds (by the same user within `window`
        of a seed's listen), by every user; counted per session, from the seeds' latest
        listens (at most 500, so a hit track costs the same as a rare one)."""
        rows = await self.pool.fetch(
            """
            WITH seed_listens AS (
                SELECT l.user_id, l.played_at FROM listens l
                 WHERE l.track_id = ANY($1::bigint[])
                 ORDER BY l.played_at DESC LIMIT 500
            )
            SELECT other.track_id, count(*) AS n
              FROM seed_listens s
              JOIN listens other ON other.user_id = s.user_id
               AND other.played_at BETWEEN s.played_at - $3::interval AND s.played_at + $3::interval
             WHERE other.track_id <> ALL($1::bigint[])
             GROUP BY other.track_id ORDER BY n DESC, other.track_id LIMIT $2
            """,
            list(track_ids),
            limit,
            window,
        )
        return {r[0]: int(r[1]) for r in rows}

    async def recent_listens(self, user_id: int, limit: int) -> list[int]:
        """The user's latest listens, newest first (a track may come twice)."""
        rows = await self.pool.fetch(
            "SELECT track_id FROM listens WHERE user_id = $1 ORDER BY played_at DESC LIMIT $2",
            user_id,
            limit,
        )
        return [r[0] for r in rows]

    async def history(
        self, user_id: int, *, days: int, half_life_days: float, limit: int
    ) -> list[Played]:
        """What the user played in the last `days`, weighted by recency, heaviest first."""
        rows = await self.pool.fetch(
            """
            SELECT track_id, count(*) AS plays, max(played_at) AS last_played,
                   sum(power(0.5, extract(epoch FROM now() - played_at) / 86400.0 / $3)) AS weight
              FROM listens
             WHERE user_id = $1 AND played_at > now() - make_interval(days => $2)
             GROUP BY track_id ORDER BY weight DESC, track_id LIMIT $4
            """,
            user_id,
            days,
            half_life_days,
            limit,
        )
        return [Played(r[0], int(r[1]), float(r["weight"]), r["last_played"]) for r in rows]

    async def recently_added(self, limit: int) -> list[int]:
        """Playable tracks of the most recently added albums, album by album in disc order."""
        rows = await self.pool.fetch(
            """
            SELECT t.id FROM (SELECT id, created_at FROM albums
                               ORDER BY created_at DESC, id DESC LIMIT $1) al
              JOIN tracks t ON t.album_id = al.id
              JOIN libraries l ON l.id = t.library_id
             WHERE l.status <> 'offline'
             ORDER BY al.created_at DESC, al.id DESC, t.disc_no NULLS FIRST, t.track_no NULLS LAST, t.id
             LIMIT $1
            """,
            limit,
        )
        return [r[0] for r in rows]

    async def top_genres(self, limit: int) -> list[str]:
        rows = await self.pool.fetch(
            """SELECT g FROM tracks t, unnest(t.genres) g
               GROUP BY g ORDER BY count(*) DESC, g LIMIT $1""",
            limit,
        )
        return [r[0] for r in rows]

    async def genre_tracks(self, genre: str, limit: int, salt: str) -> list[int]:
        rows = await self.pool.fetch(
            """SELECT t.id FROM tracks t JOIN libraries l ON l.id = t.library_id
               WHERE t.genres @> ARRAY[$1]::text[] AND l.status <> 'offline'
               ORDER BY md5(t.id::text || $3) LIMIT $2""",
            genre,
            limit,
            salt,
        )
        return [r[0] for r in rows]

    async def save_analyses(
        self,
        rows: Sequence[tuple[int, npt.NDArray[np.float32], float, str, float]],
        version: int,
    ) -> None:
        """Store successful analyses (track id, raw vector, bpm, key, LUFS) and announce them.

        The analysis stage writes through its own store (store/analysis.py); this one serves
        tests and bench/recommend_eval.py, which analyse files themselves."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.executemany(
                """INSERT INTO track_analysis (track_id, version, size, mtime_ns, status, features,
                                               bpm, musical_key, loudness_lufs, replay_gain_db)
                   SELECT t.id, $2, t.size, t.mtime_ns, 'ok', $3, $4, $5, $6::real, -18 - $6::real
                     FROM tracks t WHERE t.id = $1
                   ON CONFLICT (track_id) DO UPDATE SET
                       version = EXCLUDED.version, status = 'ok', error = NULL,
                       features = EXCLUDED.features, bpm = EXCLUDED.bpm,
                       musical_key = EXCLUDED.musical_key,
                       loudness_lufs = EXCLUDED.loudness_lufs,
                       replay_gain_db = EXCLUDED.replay_gain_db, analysed_at = now()""",
                [
                    (tid, version, np.asarray(vec, "<f4").tobytes(), bpm, key, lufs)
                    for tid, vec, bpm, key, lufs in rows
                ],
            )
            await conn.execute("SELECT pg_notify($1, $2)", ANALYSIS_CHANNEL, str(len(rows)))


def _mix(r: asyncpg.Record) -> StoredMix:
    return StoredMix(
        id=r["id"],
        slot=r["slot"],
        kind=r["kind"],
        name=r["name"],
        description=r["description"],
        cover_track=r["cover_track"],
        track_ids=tuple(r["track_ids"]),
        generated_at=r["generated_at"],
    )


_MIX_COLUMNS = "id, slot, kind, name, description, cover_track, track_ids, generated_at"


class MixStore:
    """Each user's generated mixes, one row per slot."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def of_user(self, user_id: int) -> list[StoredMix]:
        rows = await self.pool.fetch(
            f"SELECT {_MIX_COLUMNS} FROM user_mixes WHERE user_id = $1 ORDER BY slot", user_id
        )
        return [_mix(r) for r in rows]

    async def get(self, user_id: int, mix_id: int) -> StoredMix:
        """One of the user's mixes; another user's mix is as unknown as a missing one."""
        r = await self.pool.fetchrow(
            f"SELECT {_MIX_COLUMNS} FROM user_mixes WHERE id = $1 AND user_id = $2",
            mix_id,
            user_id,
        )
        if r is None:
            raise NotFound(f"no mix with id {mix_id}")
        return _mix(r)

    async def replace(self, user_id: int, mixes: Sequence[NewMix]) -> list[StoredMix]:
        """The user's mixes become `mixes`, slot by slot: ids of kept slots stay."""
        async with self.pool.acquire() as conn, conn.transaction():
            # Two replicas regenerating one user's mixes at once take turns.
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext('mixes'), $1::int)", user_id % 2**31
            )
            for slot, m in enumerate(mixes):
                await conn.execute(
                    """INSERT INTO user_mixes (user_id, slot, kind, name, description, cover_track,
                                               track_ids)
                       VALUES ($1, $2, $3, $4, $5, $6, $7)
                       ON CONFLICT (user_id, slot) DO UPDATE SET
                           kind = EXCLUDED.kind, name = EXCLUDED.name,
                           description = EXCLUDED.description,
                           cover_track = EXCLUDED.cover_track, track_ids = EXCLUDED.track_ids,
                           generated_at = now()""",
                    user_id, slot, m.kind, m.name, m.description, m.cover_track, list(m.track_ids),
                )  # fmt: skip
            await conn.execute(
                "DELETE FROM user_mixes WHERE user_id = $1 AND slot >= $2", user_id, len(mixes)
            )
            rows = await conn.fetch(
                f"SELECT {_MIX_COLUMNS} FROM user_mixes WHERE user_id = $1 ORDER BY slot", user_id
            )
        return [_mix(r) for r in rows]

    async def due(self, older_than: timedelta, active_within: timedelta, limit: int) -> list[int]:
        """Users who listened lately and whose mixes are older than `older_than` (or who
        have none): the schedule's work list."""
        rows = await self.pool.fetch(
            """
            SELECT u.id FROM users u
             WHERE NOT u.disabled
               AND EXISTS (SELECT 1 FROM listens l
                            WHERE l.user_id = u.id AND l.played_at > now() - $2::interval)
               AND coalesce((SELECT min(m.generated_at) FROM user_mixes m WHERE m.user_id = u.id),
                            '-infinity') < now() - $1::interval
             ORDER BY u.id LIMIT $3
            """,
            older_than,
            active_within,
            limit,
        )
        return [r[0] for r in rows]
