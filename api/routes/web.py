"""The web UI: the built single-page app in web/dist, public, at `/` and every page path.

Paths under /api/ and /internal/ never reach it (an unknown API path stays a JSON 404).
A page path with no file behind it gets index.html, so the app's router can show it.
Vite's hashed assets are immutable; index.html is revalidated on every load.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from api.auth import public

routes = web.RouteTableDef()

DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
# The route's canonical path; the OpenAPI test leaves it out (it is not part of the API).
SPA_PATH = "/{path}"

IMMUTABLE = "public, max-age=31536000, immutable"
_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tonearm</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto">
<h1>Tonearm</h1>
<p>The web UI has not been built. Run <code>make setup</code> in the Tonearm folder (it
builds <code>web/dist</code>), then reload this page.</p>
<p>The HTTP API is up: see <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
</body></html>
"""


def _find(root: Path, path: str) -> Path | None:
    """The file under root that `path` names, if there is one (never outside root)."""
    if not path:
        return None
    candidate = (root / path).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    return candidate


@routes.get("/{path:(?!api/|internal/).*}")
@public
async def web_ui(request: web.Request) -> web.StreamResponse:
    root = DIST.resolve()
    index = root / "index.html"
    path = request.match_info["path"]
    found = await asyncio.to_thread(_find, root, path)
    if found is not None and found != index:
        cache = IMMUTABLE if path.startswith("assets/") else "public, max-age=3600"
        return web.FileResponse(found, headers={"Cache-Control": cache})
    if path.startswith("assets/") or "." in path.rsplit("/", 1)[-1]:
        raise web.HTTPNotFound()  # a missing file, not a page: no HTML in place of a script
    if not await asyncio.to_thread(index.is_file):
        return web.Response(text=_NOT_BUILT, content_type="text/html")
    return web.FileResponse(index, headers={"Cache-Control": "no-cache"})
