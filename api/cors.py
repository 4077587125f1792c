"""Cross-origin requests: which other origins' pages may call the API (`cors_origins`).

The desktop app's page comes from `tauri://localhost` (macOS, Linux) or
`http://tauri.localhost` (Windows) and talks to a server elsewhere, so the server must
answer preflights and mark its answers readable for that origin. Cross-origin callers sign
in with the bearer token, never the cookie: no `Access-Control-Allow-Credentials`, so an
allowed origin can do nothing a page without the token could not. Media elements and the
websocket, which cannot send the header, use a media token instead (`api/media_token.py`).
"""

from __future__ import annotations

from aiohttp import web

from api.errors import Handler, error_response

ALLOW_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE"
ALLOW_HEADERS = "Authorization, Content-Type, Range, If-None-Match, X-CSRF-Token"
# What a cross-origin script may read besides the simple headers: seeking, caching, limits.
EXPOSE_HEADERS = (
    "Accept-Ranges, Content-Length, Content-Range, ETag, Retry-After, X-Cover-Placeholder"
)
PREFLIGHT_MAX_AGE = "600"

ALLOWED_ORIGINS: web.AppKey[tuple[str, ...]] = web.AppKey("cors_origins", tuple)


def allowed_origin(origin: str | None, allowed: tuple[str, ...]) -> str | None:
    """The origin to name in Access-Control-Allow-Origin, or None when it is not allowed."""
    if not origin or origin == "null":
        return None
    if origin.lower() in allowed or "*" in allowed:
        return origin
    return None


def _vary_origin(response: web.StreamResponse) -> None:
    vary = response.headers.get("Vary", "")
    if "origin" not in vary.lower():
        response.headers["Vary"] = f"{vary}, Origin" if vary else "Origin"


@web.middleware
async def cors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answers preflights itself, before routing and authentication (they carry no token)."""
    if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
        return await handler(request)
    origin = allowed_origin(request.headers.get("Origin"), request.app[ALLOWED_ORIGINS])
    if origin is None:
        response = error_response(
            403, "origin_not_allowed", "this origin may not call the API (see cors_origins)"
        )
        _vary_origin(response)
        return response
    response = web.Response(status=204)
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
    response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
    response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    _vary_origin(response)
    return response


async def add_cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """On every answer as its headers go out, files and errors included (on_response_prepare)."""
    if "Origin" not in request.headers or "Access-Control-Allow-Origin" in response.headers:
        return
    _vary_origin(response)
    origin = allowed_origin(request.headers["Origin"], request.app[ALLOWED_ORIGINS])
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS


def setup_cors(app: web.Application, origins: tuple[str, ...]) -> None:
    app[ALLOWED_ORIGINS] = origins
    app.on_response_prepare.append(add_cors_headers)
