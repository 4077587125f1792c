"""Account administration: list, add, disable, promote and reset passwords (admins only)."""

from __future__ import annotations

import asyncio

from aiohttp import web

from api.auth import check_name, check_password, hash_password, require_admin
from api.context import current_user, services
from api.params import field, json_body, path_id, required
from api.serialize import respond
from tonearm.errors import Conflict

routes = web.RouteTableDef()


@routes.get("/api/v1/users")
async def list_users(request: web.Request) -> web.Response:
    require_admin(current_user(request))
    users = await services(request).users.all()
    return respond({"items": users, "total": len(users)})


@routes.post("/api/v1/users")
async def add_user(request: web.Request) -> web.Response:
    require_admin(current_user(request))
    body = await json_body(request)
    name = check_name(required(body, "name", str))
    password = check_password(required(body, "password", str))
    is_admin = field(body, "is_admin", bool, required=False) or False
    hashed = await asyncio.to_thread(hash_password, password)
    user = await services(request).users.create(name, hashed, is_admin=is_admin)
    return respond(user, status=201)


@routes.patch("/api/v1/users/{id}")
async def update_user(request: web.Request) -> web.Response:
    require_admin(current_user(request))
    user_id = path_id(request)
    body = await json_body(request)
    password = field(body, "password", str, required=False)
    disabled = field(body, "disabled", bool, required=False)
    is_admin = field(body, "is_admin", bool, required=False)
    s = services(request)
    target = await s.users.get(user_id)
    losing_admin = target.is_admin and not target.disabled and (disabled or is_admin is False)
    if losing_admin and await s.users.active_admins() <= 1:
        raise Conflict("the last administrator cannot be disabled or demoted", code="last_admin")
    hashed = None
    if password is not None:
        hashed = await asyncio.to_thread(hash_password, check_password(password))
    user = await s.users.update(user_id, password_hash=hashed, is_admin=is_admin, disabled=disabled)
    return respond(user)
