"""The signed-in user's event stream: a websocket that pushes every play-state change."""

from __future__ import annotations

from aiohttp import web

from api.auth import media
from api.context import current_user
from api.events import USER_EVENTS

routes = web.RouteTableDef()


@routes.get("/api/v1/me/ws")
@media
async def user_events(request: web.Request) -> web.StreamResponse:
    """Sends `{"type": "player", "state": {...}}` at once and after every change."""
    return await request.app[USER_EVENTS].serve(request, current_user(request).id)
