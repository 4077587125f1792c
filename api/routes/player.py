"""The signed-in user's player: state, play, next/previous, the queue (rules: api/player)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from api.context import current_user, services
from api.params import MAX_ID, field, id_list, json_body, path_id, required
from api.player.service import Snapshot
from api.player.state import CONTEXT_TYPES, QUEUE_MODES, Item
from api.serialize import respond
from tonearm.errors import Invalid

routes = web.RouteTableDef()


def _one_of(body: dict[str, Any], name: str, options: tuple[str, ...], default: str) -> str:
    value = field(body, name, str, required=False) or default
    if value not in options:
        raise Invalid(f"{name} must be one of {', '.join(options)}", code="invalid_field")
    return value


def _positive(body: dict[str, Any], name: str) -> int | None:
    value = field(body, name, int, required=False)
    if value is not None and not 0 < value <= MAX_ID:
        raise Invalid(f"{name} must be a positive integer id", code="invalid_field")
    return value


async def _state(request: web.Request, snap: Snapshot, status: int = 200) -> web.Response:
    return respond(await services(request).player.view(snap), status=status)


async def _step(request: web.Request, snap: Snapshot, item: Item | None) -> web.Response:
    """`{"track", "source", "state"}`; autoplay says how it chose."""
    player = services(request).player
    view = await player.view(snap)
    current = view["current"]
    body: dict[str, Any] = {
        "track": current["track"] if item is not None and current is not None else None,
        "source": None if item is None else item.source,
        "state": view,
    }
    if item is not None and item.source == "autoplay":
        body["autoplay"] = view["autoplay"]
    return respond(body)


@routes.get("/api/v1/me/player")
async def get_player(request: web.Request) -> web.Response:
    player = services(request).player
    return await _state(request, await player.load(current_user(request).id))


@routes.put("/api/v1/me/player")
async def update_player(request: web.Request) -> web.Response:
    """Shuffle, repeat, volume and the transport (position, playing); each optional."""
    body = await json_body(request)
    repeat = field(body, "repeat", str, required=False)
    snap = await services(request).player.update(
        current_user(request).id,
        shuffle=field(body, "shuffle", bool, required=False),
        repeat=repeat,
        position_ms=field(body, "position_ms", int, required=False),
        volume=field(body, "volume", int, required=False),
        playing=field(body, "playing", bool, required=False),
    )
    return await _state(request, snap)


@routes.post("/api/v1/me/player/play")
async def play(request: web.Request) -> web.Response:
    body = await json_body(request)
    context = required(body, "context", dict)
    kind = context.get("type")
    if kind not in CONTEXT_TYPES:
        raise Invalid(
            f"context.type must be one of {', '.join(CONTEXT_TYPES)}", code="invalid_field"
        )
    context_id = context.get("id")
    if context_id is not None and (
        isinstance(context_id, bool) or not isinstance(context_id, int | str)
    ):
        raise Invalid("context.id must be an integer or a string", code="invalid_field")
    snap = await services(request).player.play(
        current_user(request).id,
        kind,
        context_id,
        id_list(context, "track_ids", required=False),
        _positive(body, "start_track_id"),
        field(body, "shuffle", bool, required=False),
    )
    return await _state(request, snap)


@routes.post("/api/v1/me/player/next")
async def next_track(request: web.Request) -> web.Response:
    """`explicit: false` when the track ended on its own (repeat one then repeats it)."""
    body = await json_body(request)
    explicit = field(body, "explicit", bool, required=False)
    snap, item = await services(request).player.next(
        current_user(request).id, explicit=True if explicit is None else explicit
    )
    return await _step(request, snap, item)


@routes.post("/api/v1/me/player/previous")
async def previous_track(request: web.Request) -> web.Response:
    """Back along what played within the first 3 s of a track; later, restart it."""
    body = await json_body(request)
    position_ms = field(body, "position_ms", int, required=False)
    if position_ms is not None and position_ms < 0:
        raise Invalid("position_ms must not be negative", code="invalid_field")
    snap, item = await services(request).player.previous(current_user(request).id, position_ms)
    return await _step(request, snap, item)


@routes.post("/api/v1/me/player/queue")
async def queue_add(request: web.Request) -> web.Response:
    """`mode: "next"` plays it next, `"last"` (the default) after everything queued."""
    body = await json_body(request)
    track_id = _positive(body, "track_id")
    if track_id is None:
        raise Invalid("track_id is required", code="missing_field")
    mode = _one_of(body, "mode", QUEUE_MODES, "last")
    snap = await services(request).player.queue_add(current_user(request).id, track_id, mode)
    return await _state(request, snap, status=201)


@routes.delete("/api/v1/me/player/queue/{id}")
async def queue_remove(request: web.Request) -> web.Response:
    snap = await services(request).player.queue_remove(current_user(request).id, path_id(request))
    return await _state(request, snap)


@routes.post("/api/v1/me/player/queue/{id}/move")
async def queue_move(request: web.Request) -> web.Response:
    body = await json_body(request)
    index = required(body, "index", int)
    snap = await services(request).player.queue_move(
        current_user(request).id, path_id(request), index
    )
    return await _state(request, snap)
