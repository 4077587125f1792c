"""Liveness, readiness, metrics and the cluster view."""

from __future__ import annotations

import asyncio

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.auth import public
from api.context import services
from api.serialize import respond
from store.enrichment import EnrichmentStore
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
    """Members and roles as this replica sees them, the term, and the current scan's shards."""
    s = services(request)
    view = s.cluster.view
    epoch, holder = await s.scanner.clusters.term()
    active, _ = await s.scans.latest()
    shards = await s.scanner.clusters.shards(active.id) if active else []
    return respond(
        {
            "mode": view.mode,
            "node_id": view.node_id,
            "role": view.role.value,
            "primary_id": view.primary_id,
            "epoch": epoch,
            "epoch_holder": holder,
            "suspended": view.suspended,
            "members": [
                {
                    "id": m.id,
                    "address": m.address,
                    "version": m.version,
                    "role": "primary" if m.id == view.primary_id else "secondary",
                }
                for m in view.members
            ],
            "scan": active,
            "enrichment": {
                "enabled": s.config.enrichment,
                **await EnrichmentStore(s.pool).summary(),
            },
            "shards": [
                {
                    "id": sh.id,
                    "library_id": sh.library_id,
                    "state": sh.state,
                    "assigned_to": sh.assigned_to,
                    "attempts": sh.attempts,
                    "expected": sh.expected,
                    "progress": sh.progress,
                    "error": sh.error,
                }
                for sh in shards
            ],
        }
    )
