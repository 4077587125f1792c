"""Play states: one JSON document per user, written with a version check, announced by NOTIFY."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

# Every replica LISTENs here; payloads are {"type", "user_id", "version"}, far below the
# 8000-byte NOTIFY limit — receivers load what changed from the table.
EVENTS_CHANNEL = "tonearm_user_events"


@dataclass(frozen=True, slots=True)
class StoredState:
    """A user's stored play state (None before their first change) and its version (0 then)."""

    state: dict[str, Any] | None
    version: int
    updated_at: datetime | None


# Write and announce in one statement: the NOTIFY goes out only if the row was written,
# and only once the write is committed.
_INSERT = """
    WITH saved AS (
        INSERT INTO player_state (user_id, state, version) VALUES ($1, $2, 1)
        ON CONFLICT (user_id) DO NOTHING RETURNING version, updated_at)
    SELECT version, updated_at,
           pg_notify($3, json_build_object('type', 'player', 'user_id', $1::bigint,
                                           'version', version)::text)
      FROM saved
"""
_UPDATE = """
    WITH saved AS (
        UPDATE player_state SET state = $2, version = version + 1, updated_at = now()
         WHERE user_id = $1 AND version = $4 RETURNING version, updated_at)
    SELECT version, updated_at,
           pg_notify($3, json_build_object('type', 'player', 'user_id', $1::bigint,
                                           'version', version)::text)
      FROM saved
"""


class PlayerStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def load(self, user_id: int) -> StoredState:
        r = await self.pool.fetchrow(
            "SELECT state, version, updated_at FROM player_state WHERE user_id = $1", user_id
        )
        if r is None:
            return StoredState(None, 0, None)
        return StoredState(r["state"], r["version"], r["updated_at"])

    async def save(
        self, user_id: int, state: dict[str, Any], expected_version: int
    ) -> StoredState | None:
        """Store `state` if the stored version is still `expected_version` (0: no row yet)
        and notify every replica; None when another write came first."""
        if expected_version == 0:
            r = await self.pool.fetchrow(_INSERT, user_id, state, EVENTS_CHANNEL)
        else:
            r = await self.pool.fetchrow(_UPDATE, user_id, state, EVENTS_CHANNEL, expected_version)
        if r is None:
            return None
        return StoredState(state, r["version"], r["updated_at"])

    async def unplayable(self, track_ids: Sequence[int]) -> set[int]:
        """Those of `track_ids` that cannot play: gone from the catalogue, or offline."""
        rows = await self.pool.fetch(
            """SELECT x.id FROM unnest($1::bigint[]) AS x(id)
               WHERE NOT EXISTS (SELECT 1 FROM tracks t JOIN libraries l ON l.id = t.library_id
                                  WHERE t.id = x.id AND l.status <> 'offline')""",
            list(set(track_ids)),
        )
        return {r[0] for r in rows}

    async def known(self, track_ids: Sequence[int]) -> set[int]:
        """Those of `track_ids` that exist."""
        rows = await self.pool.fetch(
            "SELECT id FROM tracks WHERE id = ANY($1::bigint[])", list(set(track_ids))
        )
        return {r[0] for r in rows}

    async def artist_track_ids(self, artist_id: int) -> list[int]:
        """An artist's tracks as a context: album by album (oldest first), in disc order."""
        rows = await self.pool.fetch(
            """SELECT t.id FROM tracks t JOIN albums al ON al.id = t.album_id
               WHERE EXISTS (SELECT 1 FROM track_artists ta
                              WHERE ta.track_id = t.id AND ta.artist_id = $1)
               ORDER BY al.year NULLS LAST, al.title, al.id, t.disc_no NULLS FIRST,
                        t.track_no NULLS LAST, t.title, t.id""",
            artist_id,
        )
        return [r[0] for r in rows]
