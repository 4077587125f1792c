"""The signed-in user's favourite tracks, albums and artists."""

from __future__ import annotations

from aiohttp import web

from api.context import current_user, services
from api.params import paging, path_id
from api.serialize import respond
from store.favourites import favourite_kind

routes = web.RouteTableDef()


@routes.get("/api/v1/me/favourites/{kind}")
async def list_favourites(request: web.Request) -> web.Response:
    """Newest first, each item as the catalogue's own lists serve it."""
    kind = favourite_kind(request.match_info["kind"])
    limit, offset = paging(request)
    user_id = current_user(request).id
    return respond(await services(request).favourites.page(user_id, kind, limit, offset))


@routes.put("/api/v1/me/favourites/{kind}/{id}")
async def add_favourite(request: web.Request) -> web.Response:
    """Idempotent: a favourite already keeps the time it was first favourited."""
    kind = favourite_kind(request.match_info["kind"])
    item_id = path_id(request)
    await services(request).favourites.add(current_user(request).id, kind, item_id)
    return web.Response(status=204)


@routes.delete("/api/v1/me/favourites/{kind}/{id}")
async def remove_favourite(request: web.Request) -> web.Response:
    """Idempotent: removing what is not a favourite is fine (an unknown item is 404)."""
    kind = favourite_kind(request.match_info["kind"])
    item_id = path_id(request)
    await services(request).favourites.remove(current_user(request).id, kind, item_id)
    return web.Response(status=204)
