"""Enrichment state: which albums are looked up, what was found, and the shared clock."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import asyncpg

from store.cluster import check_fence


@dataclass(frozen=True, slots=True)
class AlbumToEnrich:
    id: int
    title: str
    album_artist: str
    mb_album_id: str | None
    has_cover: bool


class EnrichmentStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def pending(self, limit: int, retry_after: timedelta) -> list[AlbumToEnrich]:
        """Albums never looked up, then failed lookups old enough to retry (at most 5 tries)."""
        rows = await self.pool.fetch(
            """SELECT al.id, al.title, al.album_artist, al.mb_album_id, al.cover_id IS NOT NULL AS has_cover
               FROM albums al LEFT JOIN album_enrichment e ON e.album_id = al.id
               WHERE e.album_id IS NULL
                  OR (e.status = 'error' AND e.attempts < 5 AND e.fetched_at < now() - $2::interval)
               ORDER BY e.album_id IS NOT NULL, al.id LIMIT $1""",
            limit,
            retry_after,
        )
        return [
            AlbumToEnrich(r["id"], r["title"], r["album_artist"], r["mb_album_id"], r["has_cover"])
            for r in rows
        ]

    async def pending_count(self) -> int:
        return int(
            await self.pool.fetchval(
                """SELECT count(*) FROM albums al
                   WHERE NOT EXISTS (SELECT 1 FROM album_enrichment e WHERE e.album_id = al.id)"""
            )
        )

    async def summary(self) -> dict[str, int]:
        """Albums by enrichment state, for /cluster."""
        r = await self.pool.fetchrow(
            """SELECT count(*) FILTER (WHERE e.album_id IS NULL) AS pending,
                      count(*) FILTER (WHERE e.status = 'found') AS found,
                      count(*) FILTER (WHERE e.status = 'not_found') AS not_found,
                      count(*) FILTER (WHERE e.status = 'error') AS error
               FROM albums al LEFT JOIN album_enrichment e ON e.album_id = al.id"""
        )
        assert r is not None
        return dict(r)

    async def take_slot(self, service: str, interval: float) -> float:
        """Reserve the next request slot of `service`; return seconds to wait for it."""
        r = await self.pool.fetchrow(
            """INSERT INTO enrichment_clock (service, next_at) VALUES ($1, clock_timestamp() + $2)
               ON CONFLICT (service) DO UPDATE
                  SET next_at = greatest(enrichment_clock.next_at, clock_timestamp()) + $2
               RETURNING extract(epoch FROM (next_at - $2 - clock_timestamp())) AS wait""",
            service,
            timedelta(seconds=interval),
        )
        assert r is not None
        return max(0.0, float(r["wait"]))

    async def save(
        self,
        epoch: int,
        album_id: int,
        status: str,
        *,
        mbid: str | None = None,
        release_group_id: str | None = None,
        genres: Sequence[str] = (),
        tags: Sequence[str] = (),
        release_date: str | None = None,
        error: str | None = None,
    ) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await check_fence(conn, epoch)
            await conn.execute(
                """INSERT INTO album_enrichment (album_id, status, mbid, release_group_id, genres,
                                                 tags, release_date, error)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                   ON CONFLICT (album_id) DO UPDATE SET
                       status = EXCLUDED.status, mbid = EXCLUDED.mbid,
                       release_group_id = EXCLUDED.release_group_id, genres = EXCLUDED.genres,
                       tags = EXCLUDED.tags, release_date = EXCLUDED.release_date,
                       error = EXCLUDED.error, fetched_at = now(),
                       attempts = album_enrichment.attempts + 1""",
                album_id, status, mbid, release_group_id, list(genres), list(tags), release_date, error,
            )  # fmt: skip

    async def save_cover(self, epoch: int, album_id: int, data: bytes, mime: str) -> None:
        """A front cover fetched from the network becomes the album's cover (only if it
        still has none: a file found by a scan meanwhile wins)."""
        sha1 = hashlib.sha1(data).hexdigest()
        async with self.pool.acquire() as conn, conn.transaction():
            await check_fence(conn, epoch)
            cover_id = await conn.fetchval(
                """INSERT INTO covers (sha1, mime, kind, data) VALUES ($1, $2, 'remote', $3)
                   ON CONFLICT (sha1) DO UPDATE SET sha1 = EXCLUDED.sha1 RETURNING id""",
                sha1,
                mime,
                data,
            )
            await conn.execute(
                "UPDATE albums SET cover_id = $2 WHERE id = $1 AND cover_id IS NULL",
                album_id,
                cover_id,
            )
