"""The OpenAPI 3.1 document of the HTTP API (a test checks it matches the routes)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from api.auth import public
from api.serialize import respond
from api.settings import MAX_COMBO, SHORTCUT_ACTIONS
from tonearm import __version__

routes = web.RouteTableDef()


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _page(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": _ref(item)},
            "total": {"type": "integer"},
        },
    }


def _q(name: str, kind: str = "integer", desc: str = "", required: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": {"type": kind},
        "description": desc,
    }


_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
_PAGING = [_q("limit", desc="1–500, default 50"), _q("offset", desc="default 0")]
_PARTY = {
    "name": "id",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "the party's id from its invite link",
}
_KIND = {
    "name": "kind",
    "in": "path",
    "required": True,
    "schema": {"enum": ["tracks", "albums", "artists"]},
    "description": "anything else answers 400 invalid_kind",
}
_ERRORS = {
    "400": {
        "description": "invalid input",
        "content": {"application/json": {"schema": _ref("Error")}},
    },
    "401": {
        "description": "not signed in",
        "content": {"application/json": {"schema": _ref("Error")}},
    },
    "404": {"description": "not found", "content": {"application/json": {"schema": _ref("Error")}}},
}


def _op(
    summary: str,
    response: dict[str, Any] | None = None,
    *,
    params: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    status: str = "200",
    auth: bool = True,
    content_type: str = "application/json",
) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "parameters": params or []}
    ok: dict[str, Any] = {"description": "success"}
    if response is not None:
        ok["content"] = {content_type: {"schema": response}}
    op["responses"] = {status: ok, **_ERRORS}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    if not auth:
        op["security"] = []
    return op


def _internal(summary: str) -> dict[str, Any]:
    op = _op(summary, {"type": "object"}, params=[_ID], body={"type": "object"})
    op["security"] = [{"clusterSecret": []}]
    op["responses"]["409"] = {"description": "not the primary, fenced, or the shard was reassigned"}
    return op


def _websocket(summary: str, event: dict[str, Any], params: list[dict[str, Any]]) -> dict[str, Any]:
    op = _op(summary, event, params=params, status="101")
    # Browsers send the cookie on an upgrade from any site, and CORS does not cover it.
    op["responses"]["403"] = {
        "description": "forbidden_origin: a session-cookie upgrade from a page whose Origin is"
        " neither the server's own nor named in cors_origins (bearer and media tokens work from"
        " any origin; an upgrade without Origin, from no browser, is let through)",
        "content": {"application/json": {"schema": _ref("Error")}},
    }
    return op


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


_STR, _INT, _BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
_CREDENTIALS = _obj(name=_STR, password=_STR)
_SIGNED_IN = _obj(user=_ref("User"), token=_STR, csrf_token=_STR)
_TRACK_IDS = _obj(track_ids={"type": "array", "items": _INT})

# Where a header cannot be sent (<audio>, <img>, WebSocket from another origin).
_MEDIA = _q("media_token", "string", "instead of Authorization: from GET /api/v1/auth/media-token")

_COVER_PARAMS = [
    _q("width", desc="1 to cover_max_size (default 2048); alone, the height follows the aspect"),
    _q("height", desc="1 to cover_max_size; alone, the width follows the aspect"),
    _q("fit", "string", "cover (centre crop, default) | contain (letterboxed); with both sides"),
    _q("format", "string", "jpeg | webp | avif | png; default from Accept (AVIF, WebP), else JPEG"),
    _q("upscale", "string", "1 to enlarge a source smaller than the request; default 0"),
    _MEDIA,
]

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/auth/setup": {
        "get": _op("Whether first-run setup is open", _obj(needed=_BOOL), auth=False),
        "post": _op("Create the first admin (only while no user exists)", _SIGNED_IN, body=_CREDENTIALS, status="201", auth=False),
    },
    "/api/v1/auth/login": {"post": _op("Sign in: bearer token and session cookie", _SIGNED_IN, body=_CREDENTIALS, auth=False)},
    "/api/v1/auth/logout": {"post": _op("End this session", status="204")},
    "/api/v1/auth/media-token": {
        "get": _op("A media token for ?media_token= on stream, cover, waveform and websocket URLs, which cannot send a header (cross-origin clients); GET only, a day at most, ends with the session", _obj(media_token=_STR, expires_at={"type": "string", "format": "date-time"})),
    },
    "/api/v1/me": {"get": _op("The signed-in user", _ref("User"))},
    "/api/v1/users": {
        "get": _op("All users (admin)", _page("User")),
        "post": _op("Add a user (admin)", _ref("User"), body=_obj(name=_STR, password=_STR, is_admin=_BOOL), status="201"),
    },
    "/api/v1/users/{id}": {
        "patch": _op("Disable, promote or reset the password of a user (admin)", _ref("User"), params=[_ID], body=_obj(password=_STR, disabled=_BOOL, is_admin=_BOOL)),
    },
    "/api/v1/libraries": {"get": _op("Library roots with status and track counts", _page("Library"))},
    "/api/v1/artists": {"get": _op("Artists", _page("Artist"), params=[*_PAGING, _q("q", "string", "filter")])},
    "/api/v1/artists/{id}": {"get": _op("An artist and their albums", _obj(artist=_ref("Artist"), albums={"type": "array", "items": _ref("Album")}), params=[_ID])},
    "/api/v1/albums": {
        "get": _op("Albums", _page("Album"), params=[*_PAGING, _q("sort", "string", "artist | name | year | recent"), _q("artist_id"), _q("q", "string", "filter")]),
    },
    "/api/v1/albums/{id}": {"get": _op("An album with its tracks", _ref("Album"), params=[_ID])},
    "/api/v1/tracks": {"get": _op("Tracks", _page("Track"), params=[*_PAGING, _q("album_id"), _q("artist_id"), _q("q", "string", "filter")])},
    "/api/v1/tracks/{id}": {"get": _op("A track", _ref("Track"), params=[_ID])},
    "/api/v1/tracks/{id}/stream": {
        "get": _op("The audio file; supports HTTP Range (206). With download=1 it comes as an attachment named like the file (Content-Disposition with filename*=UTF-8''…, RFC 6266/5987)", {"type": "string", "format": "binary"}, params=[_ID, _MEDIA, _q("download", desc="1: Content-Disposition: attachment with the file's name; 0 (default): inline")], content_type="audio/*"),
    },
    "/api/v1/tracks/{id}/waveform": {
        "get": _op("Waveform peaks: the absolute peak (0..1) of each of 1000 equal slices, decoded on first request (422 undecodable, 503 library_offline)", _ref("Waveform"), params=[_ID, _MEDIA]),
    },
    "/api/v1/covers/{id}": {
        "get": _op("Cover art by content hash: the original, or resized with width and/or height (304 on If-None-Match)", {"type": "string", "format": "binary"}, params=[{**_ID, "schema": {"type": "string", "pattern": "^[0-9a-f]{40}$"}}, *_COVER_PARAMS], content_type="image/*"),
    },
    "/api/v1/covers/placeholder": {
        "get": _op("The generated art for albums without any, at the requested size (square unless both sides are given; 512 without either)", {"type": "string", "format": "binary"}, params=_COVER_PARAMS, content_type="image/*"),
    },
    "/api/v1/search": {
        "get": _op("Accent- and case-insensitive search", _obj(query=_STR, artists=_page("Artist"), albums=_page("Album"), tracks=_page("Track")), params=[_q("q", "string", "what to look for", True), *_PAGING]),
    },
    "/api/v1/playlists": {
        "get": _op("Your playlists", _page("Playlist"), params=_PAGING),
        "post": _op("Create a playlist", _ref("Playlist"), body=_obj(name=_STR, track_ids=_TRACK_IDS["properties"]["track_ids"]), status="201"),
    },
    "/api/v1/playlists/{id}": {
        "get": _op("A playlist with its tracks", _ref("Playlist"), params=[_ID]),
        "patch": _op("Rename and/or set the ordered track list", _ref("Playlist"), params=[_ID], body=_obj(name=_STR, track_ids=_TRACK_IDS["properties"]["track_ids"])),
        "delete": _op("Delete a playlist", params=[_ID], status="204"),
    },
    "/api/v1/playlists/{id}/tracks": {"post": _op("Append tracks", _ref("Playlist"), params=[_ID], body=_TRACK_IDS)},
    "/api/v1/me/listens": {
        "post": _op("Record a listen", _obj(id=_INT), body=_obj(track_id=_INT, ms_played=_INT, context=_obj(type=_STR, id=_STR)), status="201"),
    },
    "/api/v1/me/favourites/{kind}": {
        "get": _op("Your favourite tracks, albums or artists, newest first, as the catalogue lists serve them", {"anyOf": [_page("Track"), _page("Album"), _page("Artist")]}, params=[_KIND, *_PAGING]),
    },
    "/api/v1/me/favourites/{kind}/{id}": {
        "put": _op("Make a track, album or artist a favourite; idempotent (a favourite keeps the time it was first made one); 404 for an unknown id", params=[_KIND, _ID], status="204"),
        "delete": _op("It is no longer a favourite; idempotent; 404 for an unknown id", params=[_KIND, _ID], status="204"),
    },
    "/api/v1/tracks/{id}/similar": {
        "get": _op("Tracks like this one: nearest by sound, re-ranked by artist, genre, era, tags and co-listening, spread over artists and albums, its own album left out; analysed=false when the track has no sound vector yet (metadata-only results)", _obj(track_id=_INT, analysed=_BOOL, items={"type": "array", "items": _ref("SimilarTrack")}), params=[_ID, _q("limit", desc="1–100, default 20")]),
    },
    "/api/v1/me/mixes": {
        "get": _op("Your generated mixes (taste clusters of your listening, or picks from the library for a new user); regenerated when older than mix_refresh_interval. Play one with context {type: mix, id}", _obj(items={"type": "array", "items": _ref("Mix")})),
    },
    "/api/v1/me/mixes/refresh": {"post": _op("Generate your mixes again now", _obj(items={"type": "array", "items": _ref("Mix")}))},
    "/api/v1/me/mixes/{id}": {"get": _op("One of your mixes", _ref("Mix"), params=[_ID])},
    "/api/v1/me/home": {
        "get": _op("Recently played and recently added", _obj(recent_tracks={"type": "array", "items": _ref("Track")}, recent_albums={"type": "array", "items": _ref("Album")}, recent_playlists={"type": "array", "items": _ref("Playlist")}, recently_added_albums={"type": "array", "items": _ref("Album")}), params=[_q("limit")]),
    },
    "/api/v1/me/settings": {
        "get": _op("Your client settings, defaults filled in", _ref("Settings")),
        "put": _op("Change any of theme, volume, visualizers, shortcuts; each given key is replaced whole, null restores its default (16 KiB at most)", _ref("Settings"), body=_ref("Settings")),
    },
    "/api/v1/me/player": {
        "get": _op("Your play state, shared by all your devices", _ref("PlayerState")),
        "put": _op("Set shuffle, repeat, volume (0–100), position_ms and playing; each optional", _ref("PlayerState"), body=_obj(shuffle=_BOOL, repeat={"enum": ["off", "all", "one"]}, volume=_INT, position_ms=_INT, playing=_BOOL)),
    },
    "/api/v1/me/player/play": {
        "post": _op("Play a context: album, playlist and artist ids are resolved here; tracks and mix take track_ids", _ref("PlayerState"), body=_obj(context=_obj(type={"enum": ["album", "playlist", "artist", "mix", "tracks"]}, id={"type": ["integer", "string"]}, track_ids=_TRACK_IDS["properties"]["track_ids"]), start_track_id=_INT, shuffle=_BOOL)),
    },
    "/api/v1/me/player/next": {
        "post": _op("Next: the queue, then the context where it was left, then autoplay; explicit=false when a track ended (repeat one repeats it)", _ref("PlayerStep"), body=_obj(explicit=_BOOL)),
    },
    "/api/v1/me/player/previous": {
        "post": _op("Back along what played within the first 3 s of a track, else restart it", _ref("PlayerStep"), body=_obj(position_ms=_INT)),
    },
    "/api/v1/me/player/queue": {
        "post": _op("Queue a track: mode next (play next) or last (the default)", _ref("PlayerState"), body=_obj(track_id=_INT, mode={"enum": ["next", "last"]}), status="201"),
    },
    "/api/v1/me/player/queue/{id}": {"delete": _op("Remove a queue entry (by entry_id)", _ref("PlayerState"), params=[_ID])},
    "/api/v1/me/player/queue/{id}/move": {
        "post": _op("Move a queue entry to index (0 plays next)", _ref("PlayerState"), params=[_ID], body=_obj(index=_INT)),
    },
    "/api/v1/me/ws": {
        "get": _websocket("Websocket of your events: {\"type\": \"player\", \"state\": PlayerState} at once and on every change", _ref("PlayerEvent"), [_MEDIA]),
    },
    "/api/v1/parties": {
        "post": _op("Start a listen party hosted by you; with require_code the answer (and only the host's views) holds its 4-digit code", _ref("Party"), body=_obj(require_code=_BOOL, allow_suggestions=_BOOL), status="201"),
    },
    "/api/v1/me/party": {"get": _op("The running party you host or are in", _obj(party={"anyOf": [_ref("Party"), {"type": "null"}]}))},
    "/api/v1/parties/{id}": {
        "get": _op("A party you are in", _ref("Party"), params=[_PARTY]),
        "patch": _op("The host's settings", _ref("Party"), params=[_PARTY], body=_obj(allow_suggestions=_BOOL)),
        "delete": _op("The host ends the party", params=[_PARTY], status="204"),
    },
    "/api/v1/parties/{id}/join": {
        "post": _op("Join with the link's id and, if it has one, the code. An unknown party and a wrong code both answer 403 join_refused; too many wrong codes 429 join_locked_out with Retry-After", _ref("Party"), params=[_PARTY], body=_obj(code={"type": "string", "pattern": "^[0-9]{4}$"})),
    },
    "/api/v1/parties/{id}/leave": {
        "post": _op("Leave; the host gives end: true or hand_to: a member's user id", params=[_PARTY], body=_obj(end=_BOOL, hand_to=_INT), status="204"),
    },
    "/api/v1/parties/{id}/host": {"post": _op("The host hands the party to a member and stays on", _ref("Party"), params=[_PARTY], body=_obj(user_id=_INT))},
    "/api/v1/parties/{id}/code": {
        "post": _op("The host draws a new code", _ref("Party"), params=[_PARTY]),
        "delete": _op("The host removes the code: the link alone lets people in", _ref("Party"), params=[_PARTY]),
    },
    "/api/v1/parties/{id}/suggestions": {
        "post": _op("Suggest a track: it goes to the end of the host's queue, if the host allows suggestions; at most 10 a minute per member, then 429 suggestions_rate_limited with Retry-After", _obj(track_id=_INT), params=[_PARTY], body=_obj(track_id=_INT), status="201"),
    },
    "/api/v1/parties/{id}/ws": {
        "get": _websocket("Websocket of the party's events (each with type, track_id, position_ms, playing, server_time_ms) and the clock exchanges; protocol in api/party/README.md", _ref("PartyEvent"), [_PARTY, _MEDIA]),
    },
    "/api/v1/scan": {
        "get": _op("Scan state and progress, and the audio analysis stage's progress", _obj(state=_STR, current=_ref("Scan"), last=_ref("Scan"), analysis=_ref("AnalysisProgress"))),
        "post": _op("Queue a scan (admin)", _ref("Scan"), body=_obj(full=_BOOL), status="202"),
    },
    "/api/v1/cluster": {"get": _op("Cluster members and roles", _obj(mode=_STR, epoch=_INT, nodes={"type": "array"}))},
    "/internal/v1/shards/{id}/batch": {"post": _internal("A batch of a shard's parsed tracks, from a secondary to the primary")},
    "/internal/v1/shards/{id}/finish": {"post": _internal("A shard is walked: its vanished tracks, to remove; marks it done")},
    "/internal/v1/shards/{id}/release": {"post": _internal("A secondary cannot do a shard (its root is offline there)")},
    "/internal/v1/analysis/{id}/batch": {"post": _internal("A batch of an analysis shard's results ({member, version, results}), from a secondary to the primary; 409 version_mismatch if its feature version differs")},
    "/internal/v1/analysis/{id}/finish": {"post": _internal("An analysis shard is done")},
    "/internal/v1/analysis/{id}/release": {"post": _internal("A secondary cannot do an analysis shard (a drive is offline there)")},
    "/api/v1/openapi.json": {"get": _op("This document", {"type": "object"}, auth=False)},
    "/healthz": {"get": _op("Liveness", _obj(status=_STR, version=_STR), auth=False)},
    "/readyz": {"get": _op("Readiness: database reachable, migrations applied", _obj(status=_STR), auth=False)},
    "/metrics": {"get": _op("Prometheus metrics", _STR, auth=False, content_type="text/plain")},
}  # fmt: skip

_NULL_STR = {"type": ["string", "null"]}
_NULL_INT = {"type": ["integer", "null"]}
_NULL_NUM = {"type": ["number", "null"]}
_TIME = {"type": "string", "format": "date-time"}
_FAVOURITE = {
    "type": "boolean",
    "description": "one of your favourites; left out where the view is not yours alone (player states, parties)",
}

SCHEMAS: dict[str, Any] = {
    "Error": _obj(error=_obj(code=_STR, message=_STR)),
    "User": _obj(id=_INT, name=_STR, is_admin=_BOOL, disabled=_BOOL, created_at=_TIME),
    "Library": _obj(id=_INT, path=_STR, status={"enum": ["unknown", "online", "offline"]}, status_reason=_NULL_STR, track_count=_INT, last_scan_at={"type": ["string", "null"], "format": "date-time"}),
    "Artist": _obj(id=_INT, name=_STR, album_count=_INT, track_count=_INT, favourite=_FAVOURITE),
    "Album": _obj(id=_INT, title=_STR, album_artist=_STR, album_artist_id=_NULL_INT, year=_NULL_INT, compilation=_BOOL, cover_id=_NULL_STR, mb_album_id=_NULL_STR, track_count=_INT, duration={"type": "number"}, genres={"type": "array", "items": _STR}, added_at=_TIME, tracks={"type": "array", "items": _ref("Track")}, favourite=_FAVOURITE),
    "Track": _obj(
        id=_INT, library_id=_INT, path=_STR, title=_STR, artist=_STR,
        artists={"type": "array", "items": _obj(id=_INT, name=_STR)}, album_id=_INT, album=_STR,
        album_artist=_STR, track_no=_NULL_INT, track_total=_NULL_INT, disc_no=_NULL_INT,
        disc_total=_NULL_INT, year=_NULL_INT, date=_NULL_STR, genres={"type": "array", "items": _STR},
        compilation=_BOOL, duration={"type": "number"}, bitrate=_NULL_INT, sample_rate=_NULL_INT,
        channels=_NULL_INT, format=_STR, mime=_STR, size=_INT, cover_id=_NULL_STR,
        mb_recording_id=_NULL_STR, mb_track_id=_NULL_STR, mb_album_id=_NULL_STR,
        rg_track_gain=_NULL_NUM, rg_track_peak=_NULL_NUM, rg_album_gain=_NULL_NUM,
        rg_album_peak=_NULL_NUM, available=_BOOL, added_at=_TIME,
        bpm={"type": ["number", "null"], "description": "tempo from the audio analysis; null until analysed or without a steady beat"},
        key={"type": ["string", "null"], "description": "musical key from the audio analysis, e.g. \"A minor\"; null until analysed"},
        loudness_lufs={"type": ["number", "null"], "description": "EBU R128 integrated loudness of the whole track; null until analysed"},
        replay_gain_db={"type": ["number", "null"], "description": "gain to -18 LUFS (ReplayGain 2.0) from the analysed loudness; null until analysed"},
        favourite=_FAVOURITE,
    ),
    "Playlist": _obj(id=_INT, owner_id=_INT, name=_STR, track_count=_INT, duration={"type": "number"}, cover_id=_NULL_STR, created_at=_TIME, updated_at=_TIME, tracks={"type": "array", "items": _ref("Track")}),
    "AnalysisProgress": _obj(
        enabled={"type": "boolean", "description": "analysis is on on the answering replica"},
        pending={"type": "integer", "description": "tracks on online drives still to analyse (new, changed, or analysed by another extractor version)"},
        analysed=_INT, failed={"type": "integer", "description": "files that could not be decoded; retried only when the file or the extractor changes"},
        offline={"type": "integer", "description": "not analysed, their drive is offline"}, total=_INT,
        shards=_obj(pending=_INT, assigned=_INT, done=_INT, failed=_INT),
    ),
    "Scan": _obj(id=_INT, state={"enum": ["queued", "running", "done", "failed"]}, requested_by=_NULL_STR, full_rescan=_BOOL, started_at=_TIME, finished_at=_TIME, progress={"type": "object"}, error=_NULL_STR),
    "PlayerState": _obj(
        version=_INT, updated_at={"type": ["string", "null"], "format": "date-time"},
        current={"anyOf": [_obj(track=_ref("Track"), source={"enum": ["queue", "context", "autoplay"]}, entry_id=_NULL_INT), {"type": "null"}]},
        context={"anyOf": [_obj(type=_STR, id={"type": ["integer", "string", "null"]}, track_count=_INT, index=_NULL_INT), {"type": "null"}]},
        queue={"type": "array", "items": _obj(entry_id=_INT, track=_ref("Track"))},
        next_tracks={"type": "array", "items": _ref("Track")},
        shuffle=_BOOL, repeat={"enum": ["off", "all", "one"]}, volume=_INT, position_ms=_INT,
        playing=_BOOL, autoplay=_obj(strategy=_STR),
    ),
    "PlayerStep": _obj(track={"anyOf": [_ref("Track"), {"type": "null"}]}, source={"enum": ["queue", "context", "autoplay", None]}, state=_ref("PlayerState"), autoplay=_obj(strategy=_STR)),
    "Settings": _obj(
        theme={"enum": ["auto", "light", "dark"]}, volume={"type": "integer", "minimum": 0, "maximum": 100},
        visualizers={"type": "object", "description": "floating widgets by id (a-z0-9_-, at most 16)", "additionalProperties": _obj(visible=_BOOL, x={"type": "number"}, y={"type": "number"}, width={"type": "number"}, height={"type": "number"}, mode=_STR)},
        shortcuts={"type": "object", "description": "the web UI's rebound keyboard shortcuts: action → one key combination (Mod, Alt, Shift in that order, then the key: Shift+C, Mod+K, Space, ?); no two actions on the same one", "propertyNames": {"enum": list(SHORTCUT_ACTIONS)}, "additionalProperties": {"type": "string", "maxLength": MAX_COMBO}},
    ),
    "Waveform": _obj(track_id=_INT, duration={"type": "number"}, peaks={"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1}}),
    "PlayerEvent": _obj(type={"enum": ["player"]}, state=_ref("PlayerState")),
    "SimilarTrack": {"allOf": [_ref("Track"), _obj(score={"type": "number"}, reasons={"type": "array", "items": {"enum": ["sounds alike", "same artist", "same album artist", "same genre", "same era", "similar tags", "listened together"]}})]},
    "Mix": _obj(id=_INT, kind={"enum": ["taste", "recent", "discover", "genre"]}, name=_STR, description=_STR, cover_id=_NULL_STR, track_count=_INT, duration={"type": "number"}, generated_at=_TIME, tracks={"type": "array", "items": _ref("Track")}),
    "Party": _obj(
        id=_STR, link=_STR, host=_obj(id=_INT, name=_STR),
        members={"type": "array", "items": _obj(id=_INT, name=_STR, host=_BOOL, online={"type": "boolean", "description": "a party socket of theirs is open on some replica right now"})},
        require_code=_BOOL, allow_suggestions=_BOOL, you_are_host=_BOOL, created_at=_TIME, ended=_BOOL,
        code={"type": ["string", "null"], "description": "the host's views only"},
        code_rotated={"type": "boolean", "description": "the host's views only: the code was replaced after too many wrong guesses"},
    ),
    "PartyEvent": _obj(
        type={"enum": ["sync", "started", "track", "play", "pause", "seek", "position", "queue", "members", "host", "settings", "code", "ended", "left"]},
        seq=_INT, track_id=_NULL_INT, position_ms=_INT, playing=_BOOL,
        server_time_ms={"type": "integer", "description": "server clock (ms since the epoch) at which the track was at position_ms"},
        track={"anyOf": [_ref("Track"), {"type": "null"}]}, queue={"type": "array", "items": _ref("Track")},
        next_tracks={"type": "array", "items": _ref("Track")}, party=_ref("Party"),
    ),
}  # fmt: skip


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Tonearm", "version": __version__},
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "tonearm_session"},
                "clusterSecret": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Tonearm-Cluster-Secret",
                },
            },
        },
        "security": [{"bearer": []}, {"cookie": []}],
    }


@routes.get("/api/v1/openapi.json")
@public
async def openapi(request: web.Request) -> web.Response:
    return respond(document())
