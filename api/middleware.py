"""Request middlewares: metrics around everything, then authentication."""

from __future__ import annotations

import time

from aiohttp import web

from api import media_token
from api.context import USER, services
from api.errors import Handler
from tonearm import metrics


def route_label(request: web.Request) -> str:
    """The route's template (/api/v1/tracks/{id}), so metrics stay low-cardinality."""
    info = request.match_info
    if info.http_exception is not None:
        return "unmatched"
    resource = info.route.resource
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    route = route_label(request)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        metrics.HTTP_REQUESTS.labels(request.method, route, str(status)).inc()
        metrics.HTTP_LATENCY.labels(request.method, route).observe(time.perf_counter() - started)


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    info = request.match_info
    if info.http_exception is None and not getattr(info.handler, "tonearm_public", False):
        auth = services(request).auth
        token = request.query.get(media_token.PARAM)
        if (
            token is not None
            and request.method in ("GET", "HEAD")
            and getattr(info.handler, "tonearm_media", False)
            and "Authorization" not in request.headers
        ):
            request[USER] = await auth.authenticate_media(request, token)
        else:
            request[USER] = await auth.authenticate(request)
    return await handler(request)
