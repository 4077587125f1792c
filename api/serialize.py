"""JSON for models: dataclasses as objects, datetimes as ISO 8601 in UTC."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

from aiohttp import web

from store.models import Album, Artist, Page, Playlist, Track


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _dataclass(value: Any) -> dict[str, Any]:
    data = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    # Lists of albums and playlists leave their tracks out; the single-item views fill them.
    if isinstance(value, Album | Playlist) and not value.tracks:
        data.pop("tracks")
    # `favourite` is the viewer's; a view made for no one in particular (a player state, a
    # party's events, which other members see too) says nothing rather than `false`.
    if isinstance(value, Track | Album | Artist) and value.favourite is None:
        data.pop("favourite")
    return data


def dumps(data: Any) -> str:
    return json.dumps(data, default=_default, separators=(",", ":"))


def respond(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    if isinstance(data, Page):
        data = {"items": data.items, "total": data.total}
    return web.json_response(data, status=status, headers=headers, dumps=dumps)
