"""The signed-in user's playlists: create, rename, edit the track list, delete."""

from __future__ import annotations

from aiohttp import web

from api.context import current_user, services
from api.params import field, id_list, json_body, paging, path_id, required
from api.serialize import respond
from store.models import Playlist
from tonearm.errors import Invalid

routes = web.RouteTableDef()


def _name(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not 1 <= len(value) <= 200:
        raise Invalid("playlist names are 1 to 200 characters", code="invalid_field")
    return value


async def _playing_edited(request: web.Request, playlist: Playlist) -> None:
    """If the owner is playing this playlist, their player follows the edit."""
    await services(request).player.playlist_changed(
        playlist.owner_id, playlist.id, [t.id for t in playlist.tracks]
    )


@routes.get("/api/v1/playlists")
async def list_playlists(request: web.Request) -> web.Response:
    limit, offset = paging(request)
    return respond(await services(request).playlists.page(current_user(request).id, limit, offset))


@routes.post("/api/v1/playlists")
async def create_playlist(request: web.Request) -> web.Response:
    body = await json_body(request)
    name = _name(required(body, "name", str))
    assert name is not None
    ids = id_list(body, "track_ids", required=False) or []
    playlist = await services(request).playlists.create(current_user(request).id, name, ids)
    return respond(playlist, status=201)


@routes.get("/api/v1/playlists/{id}")
async def get_playlist(request: web.Request) -> web.Response:
    return respond(
        await services(request).playlists.get(current_user(request).id, path_id(request))
    )


@routes.patch("/api/v1/playlists/{id}")
async def update_playlist(request: web.Request) -> web.Response:
    """Rename (`name`) and/or set the whole ordered track list (`track_ids`): adding,
    removing and reordering are all edits of that list."""
    body = await json_body(request)
    name = _name(field(body, "name", str, required=False))
    ids = id_list(body, "track_ids", required=False)
    playlist = await services(request).playlists.update(
        current_user(request).id, path_id(request), name=name, track_ids=ids
    )
    if ids is not None:
        await _playing_edited(request, playlist)
    return respond(playlist)


@routes.post("/api/v1/playlists/{id}/tracks")
async def append_tracks(request: web.Request) -> web.Response:
    body = await json_body(request)
    ids = id_list(body, "track_ids")
    assert ids is not None
    playlist = await services(request).playlists.append(
        current_user(request).id, path_id(request), ids
    )
    await _playing_edited(request, playlist)
    return respond(playlist)


@routes.delete("/api/v1/playlists/{id}")
async def delete_playlist(request: web.Request) -> web.Response:
    await services(request).playlists.delete(current_user(request).id, path_id(request))
    return web.Response(status=204)
