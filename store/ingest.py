"""Writing what a scan found: libraries, then artists, covers, albums and tracks in batches."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import asyncpg

from store.cluster import SHARD_CHANNEL, check_fence
from store.text import fold, fold_text, group_key
from tonearm.errors import Conflict
from tonearm.pickling import tuple_pickle

if TYPE_CHECKING:
    from ingest.tags import TrackTags


@tuple_pickle
class CoverSource(NamedTuple):
    sha1: str
    mime: str
    kind: str  # "embedded" (inside rel_path's audio file) or "file" (rel_path is the image)
    rel_path: bytes


@tuple_pickle
class TrackWrite(NamedTuple):
    """One parsed file, ready to be written."""

    rel_path: bytes
    size: int
    mtime_ns: int
    tags: TrackTags
    cover: CoverSource | None  # the track's own picture: embedded first, else the folder's
    album_cover: CoverSource | None  # the folder image first, else the embedded one


def display_artists(names: Sequence[str]) -> str:
    return ", ".join(names)


class IngestStore:
    """The scanner's reads (any replica) and writes (the primary only, each write fenced by
    the term's epoch in its own transaction)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._skip_fk_checks: bool | None = None

    async def sync_libraries(self, epoch: int, paths: Sequence[str]) -> dict[str, int]:
        """Make sure every configured root has a row; return path → id."""
        async with self.pool.acquire() as conn, conn.transaction():
            await check_fence(conn, epoch)
            rows = await conn.fetch(
                """INSERT INTO libraries (path) SELECT unnest($1::text[])
                   ON CONFLICT (path) DO UPDATE SET path = EXCLUDED.path RETURNING id, path""",
                list(paths),
            )
            await conn.execute(
                """UPDATE libraries SET status = 'offline', status_reason = 'not configured'
                   WHERE NOT (path = ANY($1::text[]))""",
                list(paths),
            )
        return {r["path"]: r["id"] for r in rows}

    async def set_status(
        self, epoch: int, library_id: int, status: str, reason: str | None, *, scanned: bool = False
    ) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await check_fence(conn, epoch)
            await conn.execute(
                """UPDATE libraries SET status = $2, status_reason = $3,
                          last_scan_at = CASE WHEN $4 THEN now() ELSE last_scan_at END
                   WHERE id = $1""",
                library_id,
                status,
                reason,
                scanned,
            )

    async def known_files(
        self, library_id: int, ranges: Sequence[tuple[bytes, bytes | None]] = ((b"", None),)
    ) -> dict[bytes, tuple[int, int]]:
        """rel_path → (size, mtime_ns) of the tracks we hold in these [lo, hi) path ranges
        (each range an index range scan on (library_id, rel_path))."""
        args: list[object] = [library_id]
        conds = []
        for lo, hi in ranges:
            args.append(lo)
            cond = f"rel_path >= ${len(args)}"
            if hi is not None:
                args.append(hi)
                cond += f" AND rel_path < ${len(args)}"
            conds.append(f"({cond})")
        where = " OR ".join(conds) or "false"
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT rel_path, size, mtime_ns FROM tracks WHERE library_id = $1 AND ({where})",
                *args,
            )
        return {bytes(r[0]): (r[1], r[2]) for r in rows}

    async def all_paths(self, library_id: int) -> list[bytes]:
        rows = await self.pool.fetch(
            "SELECT rel_path FROM tracks WHERE library_id = $1", library_id
        )
        return [bytes(r[0]) for r in rows]

    async def library_counts(self) -> list[tuple[str, str, int]]:
        """(path, status, track count) of every library."""
        rows = await self.pool.fetch(
            """SELECT l.path, l.status,
                      (SELECT count(*) FROM tracks t WHERE t.library_id = l.id) AS n
               FROM libraries l ORDER BY l.id"""
        )
        return [(r["path"], r["status"], r["n"]) for r in rows]

    async def remove_library_tracks(self, epoch: int, library_id: int) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            await check_fence(conn, epoch)
            await conn.execute("DELETE FROM tracks WHERE library_id = $1", library_id)

    async def prune(self, epoch: int) -> None:
        """Drop albums, artists and covers nothing refers to any more."""
        async with self.pool.acquire() as conn, conn.transaction():
            await check_fence(conn, epoch)
            await conn.execute(
                "DELETE FROM albums al WHERE NOT EXISTS (SELECT 1 FROM tracks t WHERE t.album_id = al.id)"
            )
            await conn.execute(
                """DELETE FROM artists a
                   WHERE NOT EXISTS (SELECT 1 FROM track_artists ta WHERE ta.artist_id = a.id)
                     AND NOT EXISTS (SELECT 1 FROM albums al WHERE al.album_artist_id = a.id)"""
            )
            await conn.execute(
                """DELETE FROM covers c
                   WHERE NOT EXISTS (SELECT 1 FROM tracks t WHERE t.cover_id = c.id)
                     AND NOT EXISTS (SELECT 1 FROM albums al WHERE al.cover_id = c.id)"""
            )

    async def write_batch(
        self,
        epoch: int,
        shard_id: int,
        member: str,
        library_id: int,
        batch: Sequence[TrackWrite],
        progress: dict[str, int],
    ) -> None:
        """One batch of a shard, in one transaction: fenced by the term, refused if the
        shard is no longer this member's. A crash leaves all of it or none."""
        async with self.pool.acquire() as conn:
            skip_checks = await self._may_skip_fk_checks(conn)
            async with conn.transaction():
                await check_fence(conn, epoch)
                await _own_shard(conn, shard_id, member)
                if skip_checks:
                    # Every id this batch refers to was upserted by this same transaction, and
                    # this is the only writer (IngestWriter's lock; prune runs between scans),
                    # so the per-row foreign-key checks prove nothing here — yet they cost
                    # half of PostgreSQL's CPU per track (a FOR KEY SHARE lock on the parent
                    # row each; bench/RESULTS.md). Replica mode skips them for this
                    # transaction only, as pg_restore --disable-triggers does. It skips every
                    # other trigger too: this write must never depend on one (none exist).
                    await conn.execute("SET LOCAL session_replication_role = replica")
                await self._write_tracks(conn, library_id, batch)
                await conn.execute(
                    "UPDATE scan_shards SET progress = $2 WHERE id = $1", shard_id, progress
                )

    async def _may_skip_fk_checks(self, conn: asyncpg.Connection) -> bool:
        """May this role set session_replication_role (superuser, or granted SET on it)?"""
        if self._skip_fk_checks is None:
            try:
                allowed = await conn.fetchval(
                    "SELECT has_parameter_privilege('session_replication_role', 'SET')"
                )
            except asyncpg.UndefinedFunctionError:  # before PostgreSQL 15
                allowed = await conn.fetchval(
                    "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
                )
            self._skip_fk_checks = bool(allowed)
        return self._skip_fk_checks

    async def finish_shard(
        self,
        epoch: int,
        shard_id: int,
        member: str,
        library_id: int,
        missing: Sequence[bytes],
        progress: dict[str, int],
    ) -> None:
        """Remove the shard's vanished tracks and mark it done, fenced, in one transaction."""
        async with self.pool.acquire() as conn, conn.transaction():
            await check_fence(conn, epoch)
            await _own_shard(conn, shard_id, member)
            if missing:
                await conn.execute(
                    "DELETE FROM tracks WHERE library_id = $1 AND rel_path = ANY($2::bytea[])",
                    library_id,
                    list(missing),
                )
            await conn.execute(
                """UPDATE scan_shards SET state = 'done', progress = $2, finished_at = now()
                   WHERE id = $1""",
                shard_id,
                progress,
            )
            await conn.execute("SELECT pg_notify($1, '')", SHARD_CHANNEL)

    async def _write_tracks(
        self, conn: asyncpg.Connection, library_id: int, batch: Sequence[TrackWrite]
    ) -> None:
        if not batch:
            return
        # Each track's artists and album artists as shown, joined once for the four uses.
        shown = [
            (display_artists(i.tags.artists), display_artists(i.tags.album_artists)) for i in batch
        ]
        artist_ids = await self._upsert_artists(conn, batch, shown)
        cover_ids = await self._upsert_covers(conn, library_id, batch)
        album_ids = await self._upsert_albums(conn, batch, shown, artist_ids, cover_ids)
        track_ids, updated = await self._upsert_tracks(
            conn, library_id, batch, shown, album_ids, cover_ids
        )
        if updated:  # a new track has no links to replace: no probe per row on a first scan
            await conn.execute(
                "DELETE FROM track_artists WHERE track_id = ANY($1::bigint[])", updated
            )
        # Every link of these tracks is gone (new tracks, or deleted above), so they COPY in;
        # two spellings of one artist ("Beyoncé", "Beyonce") are one link, the first one.
        links = [
            (tid, artist_id, pos)
            for tid, item in zip(track_ids, batch, strict=True)
            for pos, artist_id in enumerate(
                dict.fromkeys(artist_ids[fold(name)] for name in item.tags.artists)
            )
        ]
        await conn.copy_records_to_table(
            "track_artists", records=links, columns=["track_id", "artist_id", "position"]
        )

    @staticmethod
    async def _upsert_artists(
        conn: asyncpg.Connection, batch: Sequence[TrackWrite], shown: list[tuple[str, str]]
    ) -> dict[str, int]:
        names: dict[str, str] = {}
        for item, (_, album_artist) in zip(batch, shown, strict=True):
            for name in (*item.tags.artists, album_artist):
                names.setdefault(fold(name), name)
        rows = await conn.fetch(
            """INSERT INTO artists (name, name_key, search_text)
               SELECT n, k, k FROM unnest($1::text[], $2::text[]) AS x(n, k)
               ON CONFLICT (name_key) DO UPDATE SET name_key = EXCLUDED.name_key
               RETURNING id, name_key""",
            list(names.values()),
            list(names.keys()),
        )
        return {r["name_key"]: r["id"] for r in rows}

    @staticmethod
    async def _upsert_covers(
        conn: asyncpg.Connection, library_id: int, batch: Sequence[TrackWrite]
    ) -> dict[str, int]:
        covers: dict[str, CoverSource] = {}
        for item in batch:
            for cover in (item.cover, item.album_cover):
                if cover is not None:
                    covers.setdefault(cover.sha1, cover)
        if not covers:
            return {}
        values = list(covers.values())
        # Keep the first source seen for a hash; re-point it only if this root re-found it.
        rows = await conn.fetch(
            """INSERT INTO covers (sha1, mime, kind, library_id, rel_path)
               SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bytea[])
               ON CONFLICT (sha1) DO UPDATE SET kind = EXCLUDED.kind, library_id = EXCLUDED.library_id,
                   rel_path = EXCLUDED.rel_path, mime = EXCLUDED.mime
               RETURNING id, sha1""",
            [c.sha1 for c in values],
            [c.mime for c in values],
            [c.kind for c in values],
            [library_id] * len(values),
            [c.rel_path for c in values],
        )
        return {r["sha1"]: r["id"] for r in rows}

    @staticmethod
    async def _upsert_albums(
        conn: asyncpg.Connection,
        batch: Sequence[TrackWrite],
        shown: list[tuple[str, str]],
        artist_ids: dict[str, int],
        cover_ids: dict[str, int],
    ) -> list[int]:
        albums: dict[str, tuple[str, str, int, str | None, int | None, bool, int | None]] = {}
        keys: list[str] = []
        for item, (_, artist) in zip(batch, shown, strict=True):
            t = item.tags
            key = album_key(artist, t)
            keys.append(key)
            cover = cover_ids.get(item.album_cover.sha1) if item.album_cover else None
            prev = albums.get(key)
            if prev is None:
                albums[key] = (
                    t.album,
                    artist,
                    artist_ids[fold(artist)],
                    t.mb_album_id,
                    t.year,
                    t.compilation,
                    cover,
                )
            else:
                albums[key] = (
                    prev[0], prev[1], prev[2], prev[3] or t.mb_album_id,
                    max(filter(None, (prev[4], t.year)), default=None),
                    prev[5] or t.compilation, prev[6] or cover,
                )  # fmt: skip
        cols = list(zip(*albums.values(), strict=True))
        rows = await conn.fetch(
            """INSERT INTO albums (group_key, title, album_artist, album_artist_id, mb_album_id,
                                   year, compilation, cover_id, search_text)
               SELECT k, ti, aa, aid, mb, y, c, cov, s
                 FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[],
                             $6::int[], $7::bool[], $8::bigint[], $9::text[])
                   AS x(k, ti, aa, aid, mb, y, c, cov, s)
               ON CONFLICT (group_key) DO UPDATE SET
                   title = EXCLUDED.title,
                   album_artist_id = EXCLUDED.album_artist_id,
                   mb_album_id = coalesce(EXCLUDED.mb_album_id, albums.mb_album_id),
                   year = coalesce(EXCLUDED.year, albums.year),
                   compilation = albums.compilation OR EXCLUDED.compilation,
                   cover_id = coalesce(EXCLUDED.cover_id, albums.cover_id)
               RETURNING id, group_key""",
            list(albums.keys()),
            list(cols[0]),
            list(cols[1]),
            list(cols[2]),
            list(cols[3]),
            list(cols[4]),
            list(cols[5]),
            list(cols[6]),
            [fold_text(f"{a[0]} {a[1]}") for a in albums.values()],
        )
        ids = {r["group_key"]: r["id"] for r in rows}
        return [ids[k] for k in keys]

    @staticmethod
    async def _upsert_tracks(
        conn: asyncpg.Connection,
        library_id: int,
        batch: Sequence[TrackWrite],
        shown: list[tuple[str, str]],
        album_ids: list[int],
        cover_ids: dict[str, int],
    ) -> tuple[list[int], list[int]]:
        """The batch's track ids in order, and the ids of those that existed before."""
        records = []
        for item, (artist, album_artist), album_id in zip(batch, shown, album_ids, strict=True):
            t = item.tags
            records.append(
                (
                    library_id, item.rel_path, item.size, item.mtime_ns, album_id,
                    cover_ids.get(item.cover.sha1) if item.cover else None,
                    t.title, artist, t.track_no, t.track_total, t.disc_no, t.disc_total,
                    t.year, t.date, list(t.genres), t.compilation, t.duration, t.bitrate,
                    t.sample_rate, t.channels, t.format, t.mime, t.mb_recording_id,
                    t.mb_track_id, t.mb_album_id, t.rg_track_gain, t.rg_track_peak,
                    t.rg_album_gain, t.rg_album_peak,
                    fold_text(f"{t.title} {artist} {t.album} {album_artist}"),
                )
            )  # fmt: skip
        columns = [
            "library_id", "rel_path", "size", "mtime_ns", "album_id", "cover_id", "title",
            "artist", "track_no", "track_total", "disc_no", "disc_total", "year", "date",
            "genres", "compilation", "duration", "bitrate", "sample_rate", "channels", "format",
            "mime", "mb_recording_id", "mb_track_id", "mb_album_id", "rg_track_gain",
            "rg_track_peak", "rg_album_gain", "rg_album_peak", "search_text",
        ]  # fmt: skip
        known = await conn.fetchval(
            """SELECT EXISTS (SELECT 1 FROM tracks
                              WHERE library_id = $1 AND rel_path = ANY($2::bytea[]))""",
            library_id,
            [item.rel_path for item in batch],
        )
        if not known:
            # All new (a first scan, or new files): COPY straight into tracks with ids taken
            # up front. Going through a temp table and INSERT … ON CONFLICT costs PostgreSQL
            # a third more CPU per track (bench/ingest_write.py). This transaction holds the
            # only writer's lock, so no other write can add one of these paths meanwhile.
            ids = [
                r[0]
                for r in await conn.fetch(
                    "SELECT nextval('tracks_id_seq') FROM generate_series(1, $1)", len(records)
                )
            ]
            await conn.copy_records_to_table(
                "tracks",
                records=[(tid, *rec) for tid, rec in zip(ids, records, strict=True)],
                columns=["id", *columns],
            )
            return ids, []
        await conn.execute(
            """CREATE TEMP TABLE IF NOT EXISTS incoming_tracks
               (LIKE tracks INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"""
        )
        await conn.copy_records_to_table("incoming_tracks", records=records, columns=columns)
        names = ", ".join(columns)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[2:])
        rows = await conn.fetch(
            f"""INSERT INTO tracks ({names}) SELECT {names} FROM incoming_tracks
                ON CONFLICT (library_id, rel_path) DO UPDATE SET {updates}, updated_at = now()
                RETURNING id, rel_path, xmax <> 0 AS existed"""
        )
        # xmax is set on the row version an ON CONFLICT update wrote, zero on a fresh insert.
        by_path = {bytes(r["rel_path"]): r["id"] for r in rows}
        updated = [r["id"] for r in rows if r["existed"]]
        return [by_path[item.rel_path] for item in batch], updated


async def _own_shard(conn: asyncpg.Connection, shard_id: int, member: str) -> None:
    """Inside a write transaction: the shard must still be this member's and unfinished."""
    r = await conn.fetchrow(
        "SELECT state, assigned_to FROM scan_shards WHERE id = $1 FOR UPDATE", shard_id
    )
    if r is None or r["state"] != "assigned" or r["assigned_to"] != member:
        raise Conflict(
            f"shard {shard_id} is no longer assigned to {member}", code="shard_reassigned"
        )


def album_key(album_artist: str, tags: TrackTags) -> str:
    """Albums group by album artist (as shown) + album title (+ release MBID when tagged)."""
    return group_key(album_artist, tags.album, tags.mb_album_id)
