"""Autoplay's stopgap candidates: tracks by the same artists, then in the same genres."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

# How many of the user's latest listens autoplay keeps out, besides the play state's own
# history.
RECENT_LISTENS = 200


class AutoplayStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def same_artist_or_genre(
        self,
        user_id: int,
        seed_ids: Sequence[int],
        exclude_ids: Sequence[int],
        limit: int,
        salt: str,
    ) -> list[int]:
        """Playable tracks sharing an artist with the seeds first, then sharing a genre;
        never one in `exclude_ids` or among the user's recent listens. Within each tier the
        order is a hash of the track id and `salt`: varied, yet the same for the same salt."""
        rows = await self.pool.fetch(
            """
            WITH seed_artists AS (
                SELECT DISTINCT ta.artist_id FROM track_artists ta
                 WHERE ta.track_id = ANY($2::bigint[])
            ), seed_genres AS (
                SELECT coalesce(array_agg(DISTINCT g), '{}') AS genres
                  FROM tracks t, unnest(t.genres) g WHERE t.id = ANY($2::bigint[])
            ), candidates AS (
                SELECT ta.track_id AS id, 0 AS tier FROM track_artists ta
                 WHERE ta.artist_id IN (SELECT artist_id FROM seed_artists)
                UNION ALL
                SELECT t.id, 1 FROM tracks t, seed_genres s WHERE t.genres && s.genres
            ), recent AS (
                SELECT track_id FROM listens WHERE user_id = $1
                 ORDER BY played_at DESC LIMIT $5
            )
            SELECT c.id FROM candidates c
              JOIN tracks t ON t.id = c.id
              JOIN libraries l ON l.id = t.library_id
             WHERE l.status <> 'offline'
               AND c.id <> ALL($3::bigint[])
               AND c.id NOT IN (SELECT track_id FROM recent)
             GROUP BY c.id
             ORDER BY min(c.tier), md5(c.id::text || $4), c.id
             LIMIT $6
            """,
            user_id,
            list(seed_ids),
            list(exclude_ids),
            salt,
            RECENT_LISTENS,
            limit,
        )
        return [r[0] for r in rows]
