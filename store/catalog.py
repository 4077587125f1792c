"""Reading the catalogue: artists, albums, tracks and search."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import asyncpg

from store.favourites import KINDS, flag_sql
from store.models import Album, Artist, ArtistRef, Page, Track
from store.text import display_path, like_patterns
from tonearm.errors import NotFound

_TRACK_COLUMNS = """
    t.id, t.library_id, t.rel_path, t.title, t.artist, t.album_id, al.title AS album,
    al.album_artist, t.track_no, t.track_total, t.disc_no, t.disc_total, t.year, t.date,
    t.genres, t.compilation, t.duration, t.bitrate, t.sample_rate, t.channels, t.format,
    t.mime, t.size, c.sha1 AS cover_sha1, t.mb_recording_id, t.mb_track_id, t.mb_album_id,
    t.rg_track_gain, t.rg_track_peak, t.rg_album_gain, t.rg_album_peak, t.added_at,
    l.status <> 'offline' AS available,
    ta.bpm, ta.musical_key, ta.loudness_lufs, ta.replay_gain_db,
    (SELECT coalesce(json_agg(json_build_object('id', a.id, 'name', a.name)
                              ORDER BY ta.position), '[]')
       FROM track_artists ta JOIN artists a ON a.id = ta.artist_id
      WHERE ta.track_id = t.id) AS artists
"""
_TRACK_FROM = """
    FROM tracks t
    JOIN albums al ON al.id = t.album_id
    JOIN libraries l ON l.id = t.library_id
    LEFT JOIN covers c ON c.id = coalesce(t.cover_id, al.cover_id)
    LEFT JOIN track_analysis ta ON ta.track_id = t.id AND ta.status = 'ok'
         AND ta.size = t.size AND ta.mtime_ns = t.mtime_ns
"""
_TRACK_ORDER = "al.album_artist, al.year NULLS LAST, al.title, al.id, t.disc_no NULLS FIRST, t.track_no NULLS LAST, t.title, t.id"


def _track_columns(viewer: str) -> str:
    """The track columns, with `favourite` for the viewer bound at placeholder `viewer`."""
    return f"{_TRACK_COLUMNS}, {flag_sql(KINDS['tracks'], 't.id', viewer)}"


def _rounded(value: float | None) -> float | None:
    """Analysis values are stored as real: 118.77 comes back as 118.76999664..."""
    return None if value is None else round(value, 2)


def _track(r: asyncpg.Record) -> Track:
    return Track(
        id=r["id"],
        library_id=r["library_id"],
        path=display_path(bytes(r["rel_path"])),
        title=r["title"],
        artist=r["artist"],
        artists=tuple(ArtistRef(a["id"], a["name"]) for a in r["artists"]),
        album_id=r["album_id"],
        album=r["album"],
        album_artist=r["album_artist"],
        track_no=r["track_no"],
        track_total=r["track_total"],
        disc_no=r["disc_no"],
        disc_total=r["disc_total"],
        year=r["year"],
        date=r["date"],
        genres=tuple(r["genres"]),
        compilation=r["compilation"],
        duration=r["duration"],
        bitrate=r["bitrate"],
        sample_rate=r["sample_rate"],
        channels=r["channels"],
        format=r["format"],
        mime=r["mime"],
        size=r["size"],
        cover_id=r["cover_sha1"],
        mb_recording_id=r["mb_recording_id"],
        mb_track_id=r["mb_track_id"],
        mb_album_id=r["mb_album_id"],
        rg_track_gain=r["rg_track_gain"],
        rg_track_peak=r["rg_track_peak"],
        rg_album_gain=r["rg_album_gain"],
        rg_album_peak=r["rg_album_peak"],
        available=r["available"],
        added_at=r["added_at"],
        bpm=_rounded(r["bpm"]),
        key=r["musical_key"],
        loudness_lufs=_rounded(r["loudness_lufs"]),
        replay_gain_db=_rounded(r["replay_gain_db"]),
        favourite=r["favourite"],
    )


_ALBUM_COLUMNS = """
    al.id, al.title, al.album_artist, al.album_artist_id, al.year, al.compilation,
    c.sha1 AS cover_sha1, al.mb_album_id, al.created_at, s.track_count, s.duration, s.genres
"""
_ALBUM_FROM = """
      FROM albums al
      LEFT JOIN covers c ON c.id = al.cover_id
      JOIN LATERAL (
        SELECT count(*) AS track_count, coalesce(sum(t.duration), 0) AS duration,
               coalesce((SELECT array_agg(DISTINCT g) FROM tracks t2, unnest(t2.genres) g
                          WHERE t2.album_id = al.id), '{}') AS genres
          FROM tracks t WHERE t.album_id = al.id
      ) s ON s.track_count > 0
"""


def _album_select(viewer: str) -> str:
    """The album query up to its WHERE, with `favourite` for the viewer at `viewer`."""
    favourite = flag_sql(KINDS["albums"], "al.id", viewer)
    return f"SELECT {_ALBUM_COLUMNS}, {favourite} {_ALBUM_FROM}"


def _artist_select(viewer: str) -> str:
    """The artist query up to its WHERE, with `favourite` for the viewer at `viewer`."""
    return f"""SELECT a.id, a.name,
        (SELECT count(*) FROM albums al WHERE al.album_artist_id = a.id) AS album_count,
        (SELECT count(*) FROM track_artists ta WHERE ta.artist_id = a.id) AS track_count,
        {flag_sql(KINDS["artists"], "a.id", viewer)}
      FROM artists a"""


def _artist(r: asyncpg.Record) -> Artist:
    return Artist(r["id"], r["name"], r["album_count"], r["track_count"], r["favourite"])


def _album(r: asyncpg.Record, tracks: Sequence[Track] = ()) -> Album:
    return Album(
        id=r["id"],
        title=r["title"],
        album_artist=r["album_artist"],
        album_artist_id=r["album_artist_id"],
        year=r["year"],
        compilation=r["compilation"],
        cover_id=r["cover_sha1"],
        mb_album_id=r["mb_album_id"],
        track_count=r["track_count"],
        duration=r["duration"],
        genres=tuple(sorted(r["genres"])),
        added_at=r["created_at"],
        tracks=tuple(tracks),
        favourite=r["favourite"],
    )


_ALBUM_SORTS = {
    "name": "al.title, al.album_artist, al.id",
    "artist": "al.album_artist, al.year NULLS LAST, al.title, al.id",
    "year": "al.year DESC NULLS LAST, al.album_artist, al.title, al.id",
    "recent": "al.created_at DESC, al.id DESC",
}
ALBUM_SORTS = tuple(_ALBUM_SORTS)


class _Where:
    """Conditions with bound parameters, numbered as they are added."""

    def __init__(self) -> None:
        self.conds: list[str] = []
        self.args: list[Any] = []

    def add(self, cond: str, *values: Any) -> None:
        for value in values:
            self.args.append(value)
            cond = cond.replace("?", f"${len(self.args)}", 1)
        self.conds.append(cond)

    def sql(self) -> str:
        return " AND ".join(self.conds) or "true"

    def page(self) -> tuple[str, list[Any]]:
        """The LIMIT/OFFSET clause after the conditions' parameters, and all parameters."""
        n = len(self.args)
        return f"LIMIT ${n + 1} OFFSET ${n + 2}", self.args

    def viewer(self) -> str:
        """The placeholder of the viewer's id, bound after the paging parameters (the count
        queries, which bind only the conditions' parameters, do not use it)."""
        return f"${len(self.args) + 3}"


class CatalogStore:
    """Read-only queries over artists, albums and tracks. `viewer` is the user whose
    favourites the items' `favourite` flags say; None leaves the flags None."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def list_artists(
        self, limit: int, offset: int, query: str | None = None, *, viewer: int | None = None
    ) -> Page:
        w = _Where()
        w.add("a.search_text LIKE ALL(?::text[])", like_patterns(query or ""))
        w.add(
            "(EXISTS (SELECT 1 FROM track_artists ta WHERE ta.artist_id = a.id)"
            " OR EXISTS (SELECT 1 FROM albums al WHERE al.album_artist_id = a.id))"
        )
        page, args = w.page()
        rows = await self.pool.fetch(
            f"""{_artist_select(w.viewer())} WHERE {w.sql()}
                ORDER BY a.search_text, a.id {page}""",
            *args,
            limit,
            offset,
            viewer,
        )
        total = await self.pool.fetchval(f"SELECT count(*) FROM artists a WHERE {w.sql()}", *args)
        return Page(tuple(_artist(r) for r in rows), int(total))

    async def get_artist(self, artist_id: int, *, viewer: int | None = None) -> Artist:
        r = await self.pool.fetchrow(f"{_artist_select('$2')} WHERE a.id = $1", artist_id, viewer)
        if r is None:
            raise NotFound(f"no artist with id {artist_id}")
        return _artist(r)

    async def get_artists(
        self, artist_ids: Sequence[int], *, viewer: int | None = None
    ) -> list[Artist]:
        """The artists with these ids, in the order given; unknown ids are left out."""
        rows = await self.pool.fetch(
            f"{_artist_select('$2')} WHERE a.id = ANY($1::bigint[])", list(artist_ids), viewer
        )
        by_id = {r["id"]: _artist(r) for r in rows}
        return [by_id[i] for i in artist_ids if i in by_id]

    async def list_albums(
        self,
        limit: int,
        offset: int,
        *,
        sort: str = "artist",
        artist_id: int | None = None,
        query: str | None = None,
        viewer: int | None = None,
    ) -> Page:
        w = _Where()
        w.add("al.search_text LIKE ALL(?::text[])", like_patterns(query or ""))
        if artist_id is not None:
            w.add(
                "(al.album_artist_id = ? OR EXISTS (SELECT 1 FROM tracks t JOIN track_artists ta"
                " ON ta.track_id = t.id WHERE t.album_id = al.id AND ta.artist_id = ?))",
                artist_id,
                artist_id,
            )
        page, args = w.page()
        rows = await self.pool.fetch(
            f"{_album_select(w.viewer())} WHERE {w.sql()} ORDER BY {_ALBUM_SORTS[sort]} {page}",
            *args,
            limit,
            offset,
            viewer,
        )
        total = await self.pool.fetchval(
            f"""SELECT count(*) FROM albums al WHERE {w.sql()}
                AND EXISTS (SELECT 1 FROM tracks t WHERE t.album_id = al.id)""",
            *args,
        )
        return Page(tuple(_album(r) for r in rows), int(total))

    async def get_album(self, album_id: int, *, viewer: int | None = None) -> Album:
        r = await self.pool.fetchrow(f"{_album_select('$2')} WHERE al.id = $1", album_id, viewer)
        if r is None:
            raise NotFound(f"no album with id {album_id}")
        tracks = await self.pool.fetch(
            f"""SELECT {_track_columns("$2")} {_TRACK_FROM} WHERE t.album_id = $1
                ORDER BY {_TRACK_ORDER}""",
            album_id,
            viewer,
        )
        return _album(r, [_track(t) for t in tracks])

    async def get_albums(
        self, album_ids: Sequence[int], *, viewer: int | None = None
    ) -> list[Album]:
        """The albums with these ids, in the order given, without their tracks."""
        rows = await self.pool.fetch(
            f"{_album_select('$2')} WHERE al.id = ANY($1::bigint[])", list(album_ids), viewer
        )
        by_id = {r["id"]: _album(r) for r in rows}
        return [by_id[i] for i in album_ids if i in by_id]

    async def list_tracks(
        self,
        limit: int,
        offset: int,
        *,
        query: str | None = None,
        album_id: int | None = None,
        artist_id: int | None = None,
        viewer: int | None = None,
    ) -> Page:
        w = _Where()
        w.add("t.search_text LIKE ALL(?::text[])", like_patterns(query or ""))
        if album_id is not None:
            w.add("t.album_id = ?", album_id)
        if artist_id is not None:
            w.add(
                "EXISTS (SELECT 1 FROM track_artists ta WHERE ta.track_id = t.id"
                " AND ta.artist_id = ?)",
                artist_id,
            )
        page, args = w.page()
        rows = await self.pool.fetch(
            f"""SELECT {_track_columns(w.viewer())} {_TRACK_FROM} WHERE {w.sql()}
                ORDER BY {_TRACK_ORDER} {page}""",
            *args,
            limit,
            offset,
            viewer,
        )
        total = await self.pool.fetchval(f"SELECT count(*) FROM tracks t WHERE {w.sql()}", *args)
        return Page(tuple(_track(r) for r in rows), int(total))

    async def get_track(self, track_id: int, *, viewer: int | None = None) -> Track:
        r = await self.pool.fetchrow(
            f"SELECT {_track_columns('$2')} {_TRACK_FROM} WHERE t.id = $1", track_id, viewer
        )
        if r is None:
            raise NotFound(f"no track with id {track_id}")
        return _track(r)

    async def get_tracks(
        self, track_ids: Sequence[int], *, viewer: int | None = None
    ) -> list[Track]:
        """The tracks with these ids, in the order given; unknown ids are left out."""
        rows = await self.pool.fetch(
            f"SELECT {_track_columns('$2')} {_TRACK_FROM} WHERE t.id = ANY($1::bigint[])",
            list(track_ids),
            viewer,
        )
        by_id = {r["id"]: _track(r) for r in rows}
        return [by_id[i] for i in track_ids if i in by_id]

    async def track_file(self, track_id: int) -> tuple[bytes, bytes, str, str]:
        """(library root, relative path, mime, library status) of a track, for streaming."""
        r = await self.pool.fetchrow(
            """SELECT l.path, t.rel_path, t.mime, l.status FROM tracks t
               JOIN libraries l ON l.id = t.library_id WHERE t.id = $1""",
            track_id,
        )
        if r is None:
            raise NotFound(f"no track with id {track_id}")
        return os.fsencode(r["path"]), bytes(r["rel_path"]), r["mime"], r["status"]
