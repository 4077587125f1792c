"""Audio bytes: the file itself, with HTTP Range, by track id only; `?download=1` sends it
as an attachment under its own file name."""

from __future__ import annotations

import asyncio
import os
import re
from urllib.parse import quote

from aiohttp import web

from api.auth import media
from api.context import services
from api.params import int_param, path_id
from tonearm.errors import NotFound, Unavailable

routes = web.RouteTableDef()

# RFC 5987 attr-char: what may stand unescaped in filename*=UTF-8''…
_ATTR_CHARS = "!#$&+-.^_`|~"
# The plain filename="…" is for old clients: printable ASCII, no quote or backslash.
_NOT_PLAIN = re.compile(r'[^\x20-\x7e]|["\\]')


def attachment(file_name: bytes) -> str:
    """A Content-Disposition (RFC 6266) naming the file: an ASCII fallback, and the real name
    UTF-8 percent-encoded (RFC 5987). Names that are not UTF-8 keep their bytes as U+FFFD."""
    name = file_name.decode("utf-8", errors="replace")
    plain = _NOT_PLAIN.sub("_", name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"


@routes.get("/api/v1/tracks/{id}/stream")
@media
async def stream(request: web.Request) -> web.StreamResponse:
    track_id = path_id(request)
    download = int_param(request, "download", 0, minimum=0, maximum=1) == 1
    root, rel_path, mime, status = await services(request).catalog.track_file(track_id)
    if status == "offline":
        raise Unavailable("the drive holding this track is offline", code="library_offline")
    # Only ids reach the file system; rel_path came from our own walk of the root.
    path = os.path.join(root, rel_path)
    if not await asyncio.to_thread(os.path.isfile, path):
        raise NotFound("the file of this track is gone; a rescan will tidy up", code="file_missing")
    headers = {"Content-Type": mime, "Accept-Ranges": "bytes"}
    if download:
        headers["Content-Disposition"] = attachment(os.path.basename(rel_path))
    # FileResponse handles Range (206 + Content-Range), If-None-Match/ETag and HEAD.
    return web.FileResponse(os.fsdecode(path), headers=headers)
