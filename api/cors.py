"""Cross-origin requests: which other origins' pages may call the API (`cors_origins`).

The desktop app's page comes from `tauri://localhost` (macOS, Linux) or
`http://tauri.localhost` (Windows) and talks to a server elsewhere, so the server must
answer preflights and mark its answers readable for that origin. Cross-origin callers sign
in with the bearer token, never the cookie: no `Access-Control-Allow-Credentials`, so an
allowed origin can do nothing a page without the token could not. Media elements and the
websocket, which cannot send the header, use a media token instead (`api/media_token.py`).

Websockets are the exception to "CORS protects the cookie": a browser sends the cookie on a
websocket upgrade from any site and CORS does not apply, so a page elsewhere could open the
player's or a party's socket as the signed-in user (cross-site websocket hijacking). A
cookie-authenticated upgrade must therefore come from a page of the server's own origin or
of an origin listed in `cors_origins` (listed by name: `*` does not reach the cookie, as
browsers refuse `*` with credentials too); `websocket_origin_allowed` is the rule and
`Auth.authenticate` applies it before the upgrade. Bearer and media tokens are proof enough
on their own, from any origin.
"""

from __future__ import annotations

from urllib.parse import urlsplit

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


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normalize_origin(origin: str) -> str | None:
    """`scheme://host[:port]` lower-cased, without a default port; None if it is not one
    (a path, user info, a bad port, or `null`, the opaque origin)."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if not parts.scheme or not host or parts.username is not None or parts.password is not None:
        return None
    if parts.path or parts.query or parts.fragment or origin.rstrip().endswith(("?", "#")):
        return None
    scheme = parts.scheme.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def websocket_origin_allowed(
    origin: str | None, scheme: str, host: str, allowed: tuple[str, ...]
) -> bool:
    """Whether a cookie-authenticated websocket upgrade with this `Origin` header may go on,
    for a request that arrived as `scheme://host` (after a trusted proxy's headers).

    No Origin: allowed, because browsers always send it on a websocket upgrade, so the
    request is not a page's and a non-browser client holding the cookie holds the account
    anyway. Otherwise the origin must be the server's own, or one named in `allowed`. An
    HTTPS page of the very `host` the request names counts as our own when the request
    arrived as plain HTTP: that is a TLS-terminating proxy in front of us, as nobody else can
    serve HTTPS for that host (the reverse, an HTTP page, may be a network attacker's)."""
    if origin is None:
        return True
    given = normalize_origin(origin)
    if given is None:
        return False
    own = {normalize_origin(f"{scheme}://{host}")}
    if scheme.lower() == "http":
        own.add(normalize_origin(f"https://{host}"))
    listed = {normalize_origin(o) for o in allowed if o != "*"}
    return given in own or given in listed


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
