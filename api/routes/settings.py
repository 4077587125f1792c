"""The signed-in user's client settings (theme, volume, visualizer layout, keyboard shortcuts), on
every device."""

from __future__ import annotations

from aiohttp import web

from api.context import current_user, services
from api.params import json_body
from api.serialize import respond
from api.settings import apply_patch, with_defaults

routes = web.RouteTableDef()


@routes.get("/api/v1/me/settings")
async def get_settings(request: web.Request) -> web.Response:
    stored = await services(request).settings.load(current_user(request).id)
    return respond(with_defaults(stored))


@routes.put("/api/v1/me/settings")
async def put_settings(request: web.Request) -> web.Response:
    """Any subset of the keys; each given key is replaced whole, null restores its default."""
    patch = await json_body(request)
    updated = await services(request).settings.update(
        current_user(request).id, lambda stored: apply_patch(stored, patch)
    )
    return respond(with_defaults(updated))
