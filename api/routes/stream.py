"""Audio bytes: the file itself, with HTTP Range, by track id only."""

from __future__ import annotations

import asyncio
import os

from aiohttp import web

from api.auth import media
from api.context import services
from api.params import path_id
from tonearm.errors import NotFound, Unavailable

routes = web.RouteTableDef()


@routes.get("/api/v1/tracks/{id}/stream")
@media
async def stream(request: web.Request) -> web.StreamResponse:
    track_id = path_id(request)
    root, rel_path, mime, status = await services(request).catalog.track_file(track_id)
    if status == "offline":
        raise Unavailable("the drive holding this track is offline", code="library_offline")
    # Only ids reach the file system; rel_path came from our own walk of the root.
    path = os.path.join(root, rel_path)
    if not await asyncio.to_thread(os.path.isfile, path):
        raise NotFound("the file of this track is gone; a rescan will tidy up", code="file_missing")
    # FileResponse handles Range (206 + Content-Range), If-None-Match/ETag and HEAD.
    return web.FileResponse(
        os.fsdecode(path), headers={"Content-Type": mime, "Accept-Ranges": "bytes"}
    )
