"""The signed-in user's listens and home page."""

from __future__ import annotations

from aiohttp import web

from api.context import current_user, services
from api.params import field, int_param, json_body, required
from api.serialize import respond
from tonearm.errors import Invalid

routes = web.RouteTableDef()

CONTEXT_TYPES = ("album", "playlist", "artist", "mix", "search", "tracks", "radio")


@routes.post("/api/v1/me/listens")
async def add_listen(request: web.Request) -> web.Response:
    body = await json_body(request)
    track_id = required(body, "track_id", int)
    ms_played = required(body, "ms_played", int)
    if track_id <= 0 or not 0 <= ms_played <= 24 * 3600 * 1000:
        raise Invalid("track_id must be positive and ms_played within a day", code="invalid_field")
    context = field(body, "context", dict, required=False) or {}
    context_type = context.get("type")
    context_id = context.get("id")
    if context_type is not None and context_type not in CONTEXT_TYPES:
        raise Invalid(
            f"context.type must be one of {', '.join(CONTEXT_TYPES)}", code="invalid_field"
        )
    if context_id is not None and not isinstance(context_id, str | int):
        raise Invalid("context.id must be a string or an integer", code="invalid_field")
    listen_id = await services(request).listens.record(
        current_user(request).id,
        track_id,
        ms_played,
        context_type,
        None if context_id is None else str(context_id),
    )
    return respond({"id": listen_id}, status=201)


@routes.get("/api/v1/me/home")
async def home(request: web.Request) -> web.Response:
    limit = int_param(request, "limit", 15, minimum=1, maximum=100)
    s = services(request)
    user_id = current_user(request).id
    return respond(
        {
            "recent_tracks": await s.catalog.get_tracks(
                await s.listens.recent_tracks(user_id, limit), viewer=user_id
            ),
            "recent_albums": await s.catalog.get_albums(
                await s.listens.recent_albums(user_id, limit), viewer=user_id
            ),
            "recent_playlists": await s.playlists.get_many(
                user_id, await s.listens.recent_playlists(user_id, limit)
            ),
            "recently_added_albums": list(
                (await s.catalog.list_albums(limit, 0, sort="recent", viewer=user_id)).items
            ),
        }
    )
