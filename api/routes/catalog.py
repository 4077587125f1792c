"""Browsing: libraries, artists, albums, tracks and search."""

from __future__ import annotations

from aiohttp import web

from api.context import current_user, services
from api.params import choice, optional_id, paging, path_id
from api.serialize import respond
from store.catalog import ALBUM_SORTS
from tonearm.errors import Invalid

routes = web.RouteTableDef()


def _query(request: web.Request, name: str = "q", *, required: bool = False) -> str | None:
    q = request.query.get(name, "").strip()
    if len(q) > 200:
        raise Invalid(f"{name} is longer than 200 characters", code="invalid_parameter")
    if required and not q:
        raise Invalid(f"{name} is required", code="missing_parameter")
    return q or None


def _viewer(request: web.Request) -> int:
    """Whose favourites the answer's `favourite` flags say."""
    return current_user(request).id


@routes.get("/api/v1/libraries")
async def libraries(request: web.Request) -> web.Response:
    items = await services(request).libraries.all()
    return respond({"items": items, "total": len(items)})


@routes.get("/api/v1/artists")
async def artists(request: web.Request) -> web.Response:
    limit, offset = paging(request)
    return respond(
        await services(request).catalog.list_artists(
            limit, offset, _query(request), viewer=_viewer(request)
        )
    )


@routes.get("/api/v1/artists/{id}")
async def artist(request: web.Request) -> web.Response:
    catalog = services(request).catalog
    artist_id = path_id(request)
    viewer = _viewer(request)
    found = await catalog.get_artist(artist_id, viewer=viewer)
    albums = await catalog.list_albums(500, 0, sort="year", artist_id=artist_id, viewer=viewer)
    return respond({"artist": found, "albums": list(albums.items)})


@routes.get("/api/v1/albums")
async def albums(request: web.Request) -> web.Response:
    limit, offset = paging(request)
    sort = choice(request, "sort", ALBUM_SORTS, "artist")
    page = await services(request).catalog.list_albums(
        limit,
        offset,
        sort=sort,
        artist_id=optional_id(request, "artist_id"),
        query=_query(request),
        viewer=_viewer(request),
    )
    return respond(page)


@routes.get("/api/v1/albums/{id}")
async def album(request: web.Request) -> web.Response:
    return respond(
        await services(request).catalog.get_album(path_id(request), viewer=_viewer(request))
    )


@routes.get("/api/v1/tracks")
async def tracks(request: web.Request) -> web.Response:
    limit, offset = paging(request)
    page = await services(request).catalog.list_tracks(
        limit,
        offset,
        query=_query(request),
        album_id=optional_id(request, "album_id"),
        artist_id=optional_id(request, "artist_id"),
        viewer=_viewer(request),
    )
    return respond(page)


@routes.get("/api/v1/tracks/{id}")
async def track(request: web.Request) -> web.Response:
    return respond(
        await services(request).catalog.get_track(path_id(request), viewer=_viewer(request))
    )


@routes.get("/api/v1/search")
async def search(request: web.Request) -> web.Response:
    """Accent- and case-insensitive search over artists, albums and tracks at once."""
    q = _query(request, required=True)
    limit, offset = paging(request, default_limit=20)
    catalog = services(request).catalog
    viewer = _viewer(request)
    return respond(
        {
            "query": q,
            "artists": await catalog.list_artists(limit, offset, q, viewer=viewer),
            "albums": await catalog.list_albums(
                limit, offset, sort="artist", query=q, viewer=viewer
            ),
            "tracks": await catalog.list_tracks(limit, offset, query=q, viewer=viewer),
        }
    )
