"""Liveness, readiness, metrics and the cluster view."""

from __future__ import annotations

import asyncio

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.auth import public
from api.context import services
from api.serialize import respond
from store.migrate import is_current
from tonearm import __version__

routes = web.RouteTableDef()


@routes.get("/healthz")
@public
async def healthz(request: web.Request) -> web.Response:
    """The process is alive and its event loop answers."""
    return respond({"status": "ok", "version": __version__})


@routes.get("/readyz")
@public
async def readyz(request: web.Request) -> web.Response:
    """Ready for traffic: the database answers and every migration is applied."""
    try:
        async with asyncio.timeout(2):
            current = await is_current(services(request).pool)
    except Exception:
        return respond({"status": "unavailable", "database": "unreachable"}, status=503)
    if not current:
        return respond({"status": "unavailable", "database": "migrations pending"}, status=503)
    return respond({"status": "ready"})


@routes.get("/metrics")
@public
async def metrics(request: web.Request) -> web.Response:
    body = generate_latest()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


@routes.get("/api/v1/cluster")
async def cluster(request: web.Request) -> web.Response:
    """Standalone until the ZooKeeper cluster lands: this node is the primary of one."""
    s = services(request)
    scanning = s.scanner.current is not None
    return respond(
        {
            "mode": "standalone",
            "epoch": 1,
            "nodes": [
                {
                    "id": "local",
                    "role": "primary",
                    "version": __version__,
                    "address": f"{s.config.host}:{s.config.port}",
                    "scanning": scanning,
                }
            ],
        }
    )
