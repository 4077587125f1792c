"""Listen parties: start one, join with the link (and code), leave or hand over, and the
party's websocket (rules and protocol: api/party)."""

from __future__ import annotations

from aiohttp import web

from api.auth import client_address, media
from api.context import current_user, services
from api.params import MAX_ID, field, json_body, required
from api.party.hub import PARTY_EVENTS
from api.serialize import respond
from store.parties import Party
from tonearm.errors import Invalid

routes = web.RouteTableDef()


def _id(request: web.Request) -> str:
    return request.match_info["id"]


async def _view(request: web.Request, party: Party, status: int = 200) -> web.Response:
    parties = services(request).parties
    return respond(await parties.view_for(party, current_user(request).id), status=status)


def _user_id(body: dict[str, object], name: str) -> int | None:
    value = field(body, name, int, required=False)
    if value is not None and not 0 < value <= MAX_ID:
        raise Invalid(f"{name} must be a user id", code="invalid_field")
    return value


@routes.post("/api/v1/parties")
async def create(request: web.Request) -> web.Response:
    """Start a party hosted by the caller; with `require_code` the answer holds its code."""
    body = await json_body(request)
    party = await services(request).parties.create(
        current_user(request).id,
        require_code=field(body, "require_code", bool, required=False) or False,
        allow_suggestions=field(body, "allow_suggestions", bool, required=False) or False,
    )
    return await _view(request, party, status=201)


@routes.get("/api/v1/me/party")
async def mine(request: web.Request) -> web.Response:
    """The running party the caller hosts or is in: `{"party": … | null}`."""
    user = current_user(request)
    party = await services(request).parties.running_for(user.id)
    if party is None:
        return respond({"party": None})
    return respond({"party": await services(request).parties.view_for(party, user.id)})


@routes.get("/api/v1/parties/{id}")
async def get(request: web.Request) -> web.Response:
    party = await services(request).parties.get(current_user(request).id, _id(request))
    return await _view(request, party)


@routes.patch("/api/v1/parties/{id}")
async def update(request: web.Request) -> web.Response:
    """The host's settings: `allow_suggestions`."""
    body = await json_body(request)
    allow = required(body, "allow_suggestions", bool)
    party = await services(request).parties.set_suggestions(
        current_user(request).id, _id(request), allow
    )
    return await _view(request, party)


@routes.delete("/api/v1/parties/{id}")
async def end(request: web.Request) -> web.Response:
    """The host ends the party for everyone."""
    await services(request).parties.end(current_user(request).id, _id(request))
    return web.Response(status=204)


@routes.post("/api/v1/parties/{id}/join")
async def join(request: web.Request) -> web.Response:
    """`{"code": "0427"}` when the party has a code. Unknown party or wrong code: 403
    `join_refused` either way; too many wrong codes: 429 with Retry-After."""
    body = await json_body(request)
    code = field(body, "code", str, required=False)
    party = await services(request).parties.join(
        current_user(request).id, _id(request), code, client_address(request)
    )
    return await _view(request, party)


@routes.post("/api/v1/parties/{id}/leave")
async def leave(request: web.Request) -> web.Response:
    """A member leaves; the host must say `{"end": true}` or `{"hand_to": user_id}`."""
    body = await json_body(request)
    await services(request).parties.leave(
        current_user(request).id,
        _id(request),
        hand_to=_user_id(body, "hand_to"),
        end=field(body, "end", bool, required=False) or False,
    )
    return web.Response(status=204)


@routes.post("/api/v1/parties/{id}/host")
async def hand_over(request: web.Request) -> web.Response:
    """The host makes another member the host, and stays on as a member."""
    body = await json_body(request)
    to = _user_id(body, "user_id")
    if to is None:
        raise Invalid("user_id is required", code="missing_field")
    parties = services(request).parties
    user = current_user(request)
    await parties.hand_over(user.id, _id(request), to, leave=False)
    return await _view(request, await parties.get(user.id, _id(request)))


@routes.post("/api/v1/parties/{id}/code")
async def new_code(request: web.Request) -> web.Response:
    """The host draws a new code (the old one stops working)."""
    party = await services(request).parties.set_code(
        current_user(request).id, _id(request), require=True
    )
    return await _view(request, party)


@routes.delete("/api/v1/parties/{id}/code")
async def remove_code(request: web.Request) -> web.Response:
    """The host lets anyone with the link in."""
    party = await services(request).parties.set_code(
        current_user(request).id, _id(request), require=False
    )
    return await _view(request, party)


@routes.post("/api/v1/parties/{id}/suggestions")
async def suggest(request: web.Request) -> web.Response:
    """A member adds a track to the end of the host's queue, if the host allows it."""
    body = await json_body(request)
    track_id = required(body, "track_id", int)
    if not 0 < track_id <= MAX_ID:
        raise Invalid("track_id must be a track id", code="invalid_field")
    await services(request).parties.suggest(current_user(request).id, _id(request), track_id)
    return respond({"track_id": track_id}, status=201)


@routes.get("/api/v1/parties/{id}/ws")
@media  # a websocket sends no Authorization header: the desktop app uses a media token
async def socket(request: web.Request) -> web.StreamResponse:
    """The party's events and the clock exchanges (protocol: api/party/README.md)."""
    return await request.app[PARTY_EVENTS].serve(request, current_user(request).id, _id(request))
