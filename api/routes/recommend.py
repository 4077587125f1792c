"""Recommendations: tracks similar to one, and the signed-in user's generated mixes."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from api.context import current_user, services
from api.params import int_param, path_id
from api.serialize import respond
from store.models import Track
from store.recommend import StoredMix

routes = web.RouteTableDef()


def _track(track: Track, **extra: Any) -> dict[str, Any]:
    return {f.name: getattr(track, f.name) for f in dataclasses.fields(track)} | extra


@routes.get("/api/v1/tracks/{id}/similar")
async def similar(request: web.Request) -> web.Response:
    """Nearest by sound, re-ranked by metadata and co-listening; the seed's album left out.
    `analysed: false` when the seed has no sound vector yet (metadata-only results)."""
    track_id = path_id(request)
    limit = int_param(request, "limit", 20, minimum=1, maximum=100)
    s = services(request)
    result = await s.recommender.similar(track_id, limit)
    wanted = [i.track_id for i in result.items]
    tracks = {t.id: t for t in await s.catalog.get_tracks(wanted, viewer=current_user(request).id)}
    items = [
        _track(tracks[i.track_id], score=i.score, reasons=list(i.reasons))
        for i in result.items
        if i.track_id in tracks
    ]
    return respond({"track_id": track_id, "analysed": result.analysed, "items": items})


async def _mixes(request: web.Request, mixes: Sequence[StoredMix]) -> list[dict[str, Any]]:
    wanted = [t for m in mixes for t in m.track_ids]
    wanted += [m.cover_track for m in mixes if m.cover_track is not None]
    catalog = services(request).catalog
    tracks = {t.id: t for t in await catalog.get_tracks(wanted, viewer=current_user(request).id)}
    out = []
    for m in mixes:
        items = [tracks[t] for t in m.track_ids if t in tracks]
        cover = tracks.get(m.cover_track) if m.cover_track is not None else None
        cover_id = (
            cover.cover_id if cover else next((t.cover_id for t in items if t.cover_id), None)
        )
        out.append(
            {
                "id": m.id,
                "kind": m.kind,
                "name": m.name,
                "description": m.description,
                "cover_id": cover_id,
                "track_count": len(items),
                "duration": sum(t.duration for t in items),
                "generated_at": m.generated_at,
                "tracks": items,
            }
        )
    return out


@routes.get("/api/v1/me/mixes")
async def mixes(request: web.Request) -> web.Response:
    """Generated when missing or older than mix_refresh_interval; play one as a context
    `{"type": "mix", "id": …}`."""
    recommender = services(request).recommender
    stored = await recommender.mixes(current_user(request).id)
    return respond({"items": await _mixes(request, stored)})


@routes.post("/api/v1/me/mixes/refresh")
async def refresh_mixes(request: web.Request) -> web.Response:
    recommender = services(request).recommender
    stored = await recommender.mixes(current_user(request).id, refresh=True)
    return respond({"items": await _mixes(request, stored)})


@routes.get("/api/v1/me/mixes/{id}")
async def mix(request: web.Request) -> web.Response:
    s = services(request)
    stored = await s.recommender.mix(current_user(request).id, path_id(request))
    return respond((await _mixes(request, [stored]))[0])
