"""Playlists: owned by a user, an ordered list of tracks (a track may appear twice)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from store.catalog import CatalogStore
from store.models import Page, Playlist
from tonearm.errors import Invalid, NotFound

_SELECT = """
    SELECT p.id, p.owner_id, p.name, p.created_at, p.updated_at,
           (SELECT count(*) FROM playlist_tracks pt WHERE pt.playlist_id = p.id) AS track_count,
           (SELECT coalesce(sum(t.duration), 0) FROM playlist_tracks pt
              JOIN tracks t ON t.id = pt.track_id WHERE pt.playlist_id = p.id) AS duration,
           (SELECT c.sha1 FROM playlist_tracks pt JOIN tracks t ON t.id = pt.track_id
              JOIN albums al ON al.id = t.album_id
              JOIN covers c ON c.id = coalesce(al.cover_id, t.cover_id)
             WHERE pt.playlist_id = p.id ORDER BY pt.position LIMIT 1) AS cover_sha1
      FROM playlists p
"""


def _playlist(r: asyncpg.Record, tracks: Sequence[object] = ()) -> Playlist:
    return Playlist(
        id=r["id"],
        owner_id=r["owner_id"],
        name=r["name"],
        track_count=r["track_count"],
        duration=r["duration"],
        cover_id=r["cover_sha1"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        tracks=tuple(tracks),  # type: ignore[arg-type]
    )


class PlaylistStore:
    """Every method takes the owner: a user only ever sees and edits their own playlists."""

    def __init__(self, pool: asyncpg.Pool, catalog: CatalogStore) -> None:
        self.pool = pool
        self.catalog = catalog

    async def page(self, owner_id: int, limit: int, offset: int) -> Page:
        rows = await self.pool.fetch(
            f"{_SELECT} WHERE p.owner_id = $1 ORDER BY lower(p.name), p.id LIMIT $2 OFFSET $3",
            owner_id,
            limit,
            offset,
        )
        total = await self.pool.fetchval(
            "SELECT count(*) FROM playlists WHERE owner_id = $1", owner_id
        )
        return Page(tuple(_playlist(r) for r in rows), int(total))

    async def get_many(self, owner_id: int, playlist_ids: Sequence[int]) -> list[Playlist]:
        """These playlists of the owner, in the order given, without their tracks."""
        rows = await self.pool.fetch(
            f"{_SELECT} WHERE p.id = ANY($1::bigint[]) AND p.owner_id = $2",
            list(playlist_ids),
            owner_id,
        )
        by_id = {r["id"]: _playlist(r) for r in rows}
        return [by_id[i] for i in playlist_ids if i in by_id]

    async def get(self, owner_id: int, playlist_id: int) -> Playlist:
        r = await self.pool.fetchrow(
            f"{_SELECT} WHERE p.id = $1 AND p.owner_id = $2", playlist_id, owner_id
        )
        if r is None:
            raise NotFound(f"no playlist with id {playlist_id}")
        ids = await self.track_ids(playlist_id)
        tracks = await self.catalog.get_tracks(ids, viewer=owner_id)
        return _playlist(r, tracks)

    async def track_ids(self, playlist_id: int) -> list[int]:
        rows = await self.pool.fetch(
            "SELECT track_id FROM playlist_tracks WHERE playlist_id = $1 ORDER BY position",
            playlist_id,
        )
        return [r[0] for r in rows]

    async def create(self, owner_id: int, name: str, track_ids: Sequence[int] = ()) -> Playlist:
        async with self.pool.acquire() as conn, conn.transaction():
            pid = await conn.fetchval(
                "INSERT INTO playlists (owner_id, name) VALUES ($1, $2) RETURNING id",
                owner_id,
                name,
            )
            await self._write_tracks(conn, pid, list(track_ids))
        return await self.get(owner_id, pid)

    async def update(
        self, owner_id: int, playlist_id: int, *, name: str | None, track_ids: Sequence[int] | None
    ) -> Playlist:
        """Rename and/or replace the whole track list (add, remove and reorder are all this)."""
        async with self.pool.acquire() as conn, conn.transaction():
            found = await conn.fetchval(
                """UPDATE playlists SET name = coalesce($3, name), updated_at = now()
                   WHERE id = $1 AND owner_id = $2 RETURNING id""",
                playlist_id,
                owner_id,
                name,
            )
            if found is None:
                raise NotFound(f"no playlist with id {playlist_id}")
            if track_ids is not None:
                await conn.execute(
                    "DELETE FROM playlist_tracks WHERE playlist_id = $1", playlist_id
                )
                await self._write_tracks(conn, playlist_id, list(track_ids))
        return await self.get(owner_id, playlist_id)

    async def append(self, owner_id: int, playlist_id: int, track_ids: Sequence[int]) -> Playlist:
        current = await self.get(owner_id, playlist_id)
        return await self.update(
            owner_id,
            playlist_id,
            name=None,
            track_ids=[t.id for t in current.tracks] + list(track_ids),
        )

    async def delete(self, owner_id: int, playlist_id: int) -> None:
        result = await self.pool.execute(
            "DELETE FROM playlists WHERE id = $1 AND owner_id = $2", playlist_id, owner_id
        )
        if result.endswith(" 0"):
            raise NotFound(f"no playlist with id {playlist_id}")

    @staticmethod
    async def _write_tracks(conn: asyncpg.Connection, playlist_id: int, ids: list[int]) -> None:
        if not ids:
            return
        known = {
            r[0]
            for r in await conn.fetch("SELECT id FROM tracks WHERE id = ANY($1::bigint[])", ids)
        }
        unknown: list[int] = sorted(set(ids) - known)
        if unknown:
            raise Invalid(f"unknown track ids: {unknown[:10]}", code="unknown_track")
        await conn.execute(
            """INSERT INTO playlist_tracks (playlist_id, position, track_id)
               SELECT $1, p - 1, t FROM unnest($2::bigint[]) WITH ORDINALITY AS x(t, p)""",
            playlist_id,
            ids,
        )
