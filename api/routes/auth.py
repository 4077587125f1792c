"""Sign-in, first-run setup, sign-out and the current account."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiohttp import web

from api.auth import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    check_name,
    check_password,
    client_address,
    hash_password,
    public,
    set_session_cookies,
)
from api.context import current_user, services
from api.params import json_body, required
from api.serialize import respond
from store.models import User

routes = web.RouteTableDef()


def _signed_in(
    request: web.Request, user: User, token: str, csrf: str, status: int
) -> web.Response:
    response = respond({"user": user, "token": token, "csrf_token": csrf}, status=status)
    set_session_cookies(request, response, token, csrf, services(request).config.secure_cookies)
    return response


@routes.get("/api/v1/auth/setup")
@public
async def setup_state(request: web.Request) -> web.Response:
    """Whether first-run setup is still open (no account exists yet)."""
    return respond({"needed": await services(request).users.count() == 0})


@routes.post("/api/v1/auth/setup")
@public
async def setup(request: web.Request) -> web.Response:
    body = await json_body(request)
    name = check_name(required(body, "name", str))
    password = check_password(required(body, "password", str))
    s = services(request)
    hashed = await asyncio.to_thread(hash_password, password)
    user = await s.users.create(name, hashed, is_admin=True, only_if_none=True)
    token, csrf = await s.auth.new_session(user)
    return _signed_in(request, user, token, csrf, 201)


@routes.post("/api/v1/auth/login")
@public
async def login(request: web.Request) -> web.Response:
    body = await json_body(request)
    name = required(body, "name", str)
    password = required(body, "password", str)
    user, token, csrf = await services(request).auth.login(name, password, client_address(request))
    return _signed_in(request, user, token, csrf, 200)


@routes.post("/api/v1/auth/logout")
async def logout(request: web.Request) -> web.Response:
    header = request.headers.get("Authorization", "")
    token = header.partition(" ")[2].strip() or request.cookies.get(SESSION_COOKIE, "")
    await services(request).auth.logout(token)
    response = web.Response(status=204)
    response.del_cookie(SESSION_COOKIE, path="/")
    response.del_cookie(CSRF_COOKIE, path="/")
    return response


@routes.get("/api/v1/auth/media-token")
async def media_token(request: web.Request) -> web.Response:
    """A token for `?media_token=` on stream, cover, waveform and websocket URLs (a day)."""
    token, expires = await services(request).auth.media_token(request)
    return respond({"media_token": token, "expires_at": datetime.fromtimestamp(expires, UTC)})


@routes.get("/api/v1/me")
async def me(request: web.Request) -> web.Response:
    return respond(current_user(request))
