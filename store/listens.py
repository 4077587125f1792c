"""Listen history: what each user played, from where."""

from __future__ import annotations

import asyncpg

from tonearm.errors import NotFound


class ListenStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def record(
        self,
        user_id: int,
        track_id: int,
        ms_played: int,
        context_type: str | None,
        context_id: str | None,
    ) -> int:
        try:
            lid: int = await self.pool.fetchval(
                """INSERT INTO listens (user_id, track_id, ms_played, context_type, context_id)
                   VALUES ($1, $2, $3, $4, $5) RETURNING id""",
                user_id,
                track_id,
                ms_played,
                context_type,
                context_id,
            )
        except asyncpg.ForeignKeyViolationError:
            raise NotFound(f"no track with id {track_id}") from None
        return lid

    async def recent_tracks(self, user_id: int, limit: int) -> list[int]:
        rows = await self.pool.fetch(
            """SELECT track_id FROM listens WHERE user_id = $1
               GROUP BY track_id ORDER BY max(played_at) DESC, track_id LIMIT $2""",
            user_id,
            limit,
        )
        return [r[0] for r in rows]

    async def recent_albums(self, user_id: int, limit: int) -> list[int]:
        rows = await self.pool.fetch(
            """SELECT t.album_id FROM listens l JOIN tracks t ON t.id = l.track_id
               WHERE l.user_id = $1 GROUP BY t.album_id
               ORDER BY max(l.played_at) DESC, t.album_id LIMIT $2""",
            user_id,
            limit,
        )
        return [r[0] for r in rows]

    async def recent_playlists(self, user_id: int, limit: int) -> list[int]:
        rows = await self.pool.fetch(
            """SELECT p.id FROM listens l JOIN playlists p ON p.id::text = l.context_id
               WHERE l.user_id = $1 AND l.context_type = 'playlist' AND p.owner_id = $1
               GROUP BY p.id ORDER BY max(l.played_at) DESC, p.id LIMIT $2""",
            user_id,
            limit,
        )
        return [r[0] for r in rows]
