"""Cover art by content hash: the id is the sha1 of the image, so URLs never go stale."""

from __future__ import annotations

import asyncio
import re

from aiohttp import web

from api.context import services
from ingest.tags import read_embedded_picture
from store.covers import CoverLocation
from tonearm.errors import Invalid, NotFound, Unavailable

routes = web.RouteTableDef()

_SHA1 = re.compile(r"^[0-9a-f]{40}$")


def _read(location: CoverLocation) -> tuple[bytes, str] | None:
    if location.kind == "embedded":
        return read_embedded_picture(location.path)
    try:
        with open(location.path, "rb") as f:
            return f.read(), location.mime
    except OSError:
        return None


@routes.get("/api/v1/covers/{id}")
async def cover(request: web.Request) -> web.Response:
    # TODO(#4): width/height resizing with pyvips, format negotiation, disk cache, placeholder.
    sha1 = request.match_info["id"].lower()
    if not _SHA1.match(sha1):
        raise Invalid("a cover id is a 40-character hex digest", code="invalid_id")
    etag = f'"{sha1}"'
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers={"ETag": etag})
    location = await services(request).covers.locate(sha1)
    if location.library_status == "offline":
        raise Unavailable("the drive holding this cover is offline", code="library_offline")
    found = await asyncio.to_thread(_read, location)
    if found is None:
        raise NotFound(
            "the image of this cover is gone; a rescan will tidy up", code="file_missing"
        )
    data, mime = found
    return web.Response(
        body=data,
        headers={
            "Content-Type": mime,
            "ETag": etag,
            "Cache-Control": "public, max-age=31536000, immutable",
        },
    )
