"""Scans: ask for one (admins), watch progress (everyone)."""

from __future__ import annotations

from aiohttp import web

from api.auth import require_admin
from api.context import current_user, services
from api.params import field, json_body
from api.serialize import respond

routes = web.RouteTableDef()


@routes.post("/api/v1/scan")
async def request_scan(request: web.Request) -> web.Response:
    """Queue a scan (`{"full": true}` re-reads every file); 202 with the queued scan."""
    require_admin(current_user(request))
    body = await json_body(request)
    full = field(body, "full", bool, required=False) or False
    s = services(request)
    scan = await s.scanner.request(f"user:{current_user(request).name}", full)
    return respond(scan, status=202)


@routes.get("/api/v1/scan")
async def scan_state(request: web.Request) -> web.Response:
    s = services(request)
    active, last = await s.scans.latest()
    state = active.state if active else "idle"
    analysis = await s.scanner.analysis_progress()
    return respond({"state": state, "current": active, "last": last, "analysis": analysis})
