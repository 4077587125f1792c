"""A track's waveform peaks, for the player's waveform visualizer."""

from __future__ import annotations

from aiohttp import web

from api.auth import media
from api.context import services
from api.params import path_id
from api.serialize import respond
from api.waveform import to_floats

routes = web.RouteTableDef()


@routes.get("/api/v1/tracks/{id}/waveform")
@media
async def waveform(request: web.Request) -> web.Response:
    """`{"track_id", "duration", "peaks": [1000 values 0..1]}`: absolute peaks of equal slices."""
    track_id = path_id(request)
    peaks, duration = await services(request).waveforms.peaks(track_id)
    return respond(
        {"track_id": track_id, "duration": duration, "peaks": to_floats(peaks)},
        headers={"Cache-Control": "private, max-age=3600"},
    )
