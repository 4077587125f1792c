"""Each user's favourite tracks, albums and artists ("likes"), newest first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg

from store.models import Page
from tonearm.errors import Invalid, NotFound

if TYPE_CHECKING:  # the catalogue imports flag_sql from here
    from store.catalog import CatalogStore


@dataclass(frozen=True, slots=True)
class Kind:
    """What can be a favourite, by its name in the URL (/me/favourites/{name}/{id})."""

    name: str
    noun: str  # for messages
    table: str  # the favourites of this kind
    column: str  # their item id column
    items: str  # the catalogue table the id is of
    # When the catalogue's lists show an item (aliased `x`): a favourite that is not shown
    # there (an album left with no tracks until the next prune) is not listed or counted.
    shown: str


KINDS: dict[str, Kind] = {
    "tracks": Kind("tracks", "track", "favourite_tracks", "track_id", "tracks", "true"),
    "albums": Kind(
        "albums",
        "album",
        "favourite_albums",
        "album_id",
        "albums",
        "EXISTS (SELECT 1 FROM tracks t WHERE t.album_id = x.id)",
    ),
    "artists": Kind(
        "artists",
        "artist",
        "favourite_artists",
        "artist_id",
        "artists",
        "(EXISTS (SELECT 1 FROM track_artists ta WHERE ta.artist_id = x.id)"
        " OR EXISTS (SELECT 1 FROM albums al WHERE al.album_artist_id = x.id))",
    ),
}


def favourite_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise Invalid(
            f"kind must be one of {', '.join(KINDS)}, not {name[:40]!r}", code="invalid_kind"
        ) from None


def flag_sql(kind: Kind, item: str, viewer: str) -> str:
    """The `favourite` column of a catalogue query: whether the viewer (placeholder `viewer`,
    a bigint parameter) has item `item` among their favourites; NULL when the viewer is NULL,
    so queries made for no one in particular (player states, parties) say nothing."""
    return (
        f"CASE WHEN {viewer}::bigint IS NULL THEN NULL ELSE EXISTS (SELECT 1 FROM {kind.table} fav"
        f" WHERE fav.user_id = {viewer}::bigint AND fav.{kind.column} = {item}) END AS favourite"
    )


class FavouriteStore:
    """Every method takes the user: a user only ever sees and changes their own favourites."""

    def __init__(self, pool: asyncpg.Pool, catalog: CatalogStore) -> None:
        self.pool = pool
        self.catalog = catalog

    async def add(self, user_id: int, kind: Kind, item_id: int) -> None:
        """Idempotent: favouriting a favourite again keeps the time it was first favourited.
        An item the catalogue does not show is NotFound, as its own page is."""
        try:
            found = await self.pool.fetchval(
                f"""WITH item AS (SELECT x.id FROM {kind.items} x WHERE x.id = $2 AND {kind.shown}),
                         added AS (INSERT INTO {kind.table} (user_id, {kind.column})
                                   SELECT $1, id FROM item ON CONFLICT DO NOTHING)
                    SELECT EXISTS (SELECT 1 FROM item)""",
                user_id,
                item_id,
            )
        except asyncpg.ForeignKeyViolationError:  # deleted by a rescan meanwhile
            found = False
        if not found:
            raise NotFound(f"no {kind.noun} with id {item_id}")

    async def remove(self, user_id: int, kind: Kind, item_id: int) -> None:
        """Idempotent for any item that exists; an unknown item is NotFound."""
        found = await self.pool.fetchval(
            f"""WITH gone AS (DELETE FROM {kind.table} WHERE user_id = $1 AND {kind.column} = $2
                              RETURNING 1)
                SELECT EXISTS (SELECT 1 FROM gone)
                    OR EXISTS (SELECT 1 FROM {kind.items} x WHERE x.id = $2)""",
            user_id,
            item_id,
        )
        if not found:
            raise NotFound(f"no {kind.noun} with id {item_id}")

    async def ids(self, user_id: int, kind: Kind, limit: int, offset: int) -> tuple[list[int], int]:
        """A page of the user's favourites of a kind, newest first, and how many there are."""
        where = f"""FROM {kind.table} f JOIN {kind.items} x ON x.id = f.{kind.column}
                    WHERE f.user_id = $1 AND {kind.shown}"""
        rows = await self.pool.fetch(
            f"""SELECT f.{kind.column} {where}
                ORDER BY f.favourited_at DESC, f.{kind.column} DESC LIMIT $2 OFFSET $3""",
            user_id,
            limit,
            offset,
        )
        total = await self.pool.fetchval(f"SELECT count(*) {where}", user_id)
        return [r[0] for r in rows], int(total)

    async def page(self, user_id: int, kind: Kind, limit: int, offset: int) -> Page:
        """The favourites as the catalogue's lists serve them (each with `favourite: true`)."""
        ids, total = await self.ids(user_id, kind, limit, offset)
        items: list[object]
        if kind.name == "tracks":
            items = list(await self.catalog.get_tracks(ids, viewer=user_id))
        elif kind.name == "albums":
            items = list(await self.catalog.get_albums(ids, viewer=user_id))
        else:
            items = list(await self.catalog.get_artists(ids, viewer=user_id))
        return Page(tuple(items), total)
