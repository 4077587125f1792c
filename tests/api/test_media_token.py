"""Media tokens: stream, cover, waveform and websocket URLs for a client on another origin."""

from __future__ import annotations

import hashlib
import time

import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient

from api import media_token
from api.context import SERVICES
from tests.api.conftest import PASSWORD

Client = TestClient  # type: ignore[type-arg]
TAURI = "tauri://localhost"
SESSION = hashlib.sha256(b"a session token").hexdigest()
SECRET = "the session's csrf secret"


# The token itself: pure functions.


def test_issued_tokens_are_valid_for_a_day() -> None:
    now = 1_800_000_123.0
    token, expires = media_token.issue(SESSION, SECRET, now)
    assert expires % 3600 == 0 and 24 * 3600 <= expires - now < 25 * 3600
    parsed = media_token.parse(token)
    assert parsed is not None and parsed.session_sha256 == SESSION
    assert media_token.valid(parsed, SECRET, now)
    assert media_token.valid(parsed, SECRET, expires - 1)
    assert not media_token.valid(parsed, SECRET, expires)
    # The same session gets the same token within the hour (stable cover URLs).
    assert media_token.issue(SESSION, SECRET, now + 60)[0] == token


def test_forged_tokens_fail() -> None:
    now = 1_800_000_123.0
    token, expires = media_token.issue(SESSION, SECRET, now)
    parsed = media_token.parse(token)
    assert parsed is not None
    assert not media_token.valid(parsed, "another session's secret", now)
    later = media_token.parse(token.replace(f".{expires}.", f".{expires + 3600}."))
    assert later is not None and not media_token.valid(later, SECRET, now)
    # Even the right secret cannot stretch a token beyond a day from now.
    far, _ = media_token.issue(SESSION, SECRET, now + 7 * 24 * 3600)
    parsed_far = media_token.parse(far)
    assert parsed_far is not None and not media_token.valid(parsed_far, SECRET, now)
    for junk in ("", "abc", token + "x", token.replace(".", "-"), SESSION, "." * 3):
        assert media_token.parse(junk) is None, junk


# Through the API, as the desktop app uses it.


async def _media_token(client: Client, headers: dict[str, str]) -> str:
    resp = await client.get("/api/v1/auth/media-token", headers={**headers, "Origin": TAURI})
    assert resp.status == 200, await resp.text()
    assert resp.headers["Access-Control-Allow-Origin"] == TAURI
    body = await resp.json()
    assert body["expires_at"].endswith(("Z", "+00:00"))
    token: str = body["media_token"]
    return token


async def test_media_urls_work_from_another_origin(
    client: Client, admin: dict[str, str], scanned: object
) -> None:
    tracks = (await (await client.get("/api/v1/tracks", headers=admin)).json())["items"]
    track = next(t for t in tracks if t["cover_id"])
    token = await _media_token(client, admin)
    q = f"media_token={token}"
    origin = {"Origin": TAURI}

    stream = await client.get(
        f"/api/v1/tracks/{track['id']}/stream?{q}", headers={**origin, "Range": "bytes=0-9"}
    )
    assert stream.status == 206
    assert stream.headers["Access-Control-Allow-Origin"] == TAURI
    assert len(await stream.read()) == 10
    head = await client.head(f"/api/v1/tracks/{track['id']}/stream?{q}")
    assert head.status == 200

    cover = await client.get(f"/api/v1/covers/{track['cover_id']}?width=32&{q}", headers=origin)
    assert cover.status == 200 and cover.content_type.startswith("image/")
    assert cover.headers["Access-Control-Allow-Origin"] == TAURI
    placeholder = await client.get(f"/api/v1/covers/placeholder?width=32&{q}", headers=origin)
    assert placeholder.status == 200

    waveform = await client.get(f"/api/v1/tracks/{track['id']}/waveform?{q}", headers=origin)
    assert waveform.status == 200
    assert len((await waveform.json())["peaks"]) == 1000

    # The same URLs without the token are refused.
    bare = await client.get(f"/api/v1/tracks/{track['id']}/stream", headers=origin)
    assert bare.status == 401


async def test_the_event_websocket_takes_a_media_token(
    client: Client, admin: dict[str, str]
) -> None:
    token = await _media_token(client, admin)
    async with client.ws_connect(
        f"/api/v1/me/ws?media_token={token}", headers={"Origin": TAURI}
    ) as ws:
        message = await ws.receive(timeout=10)
        assert message.type == WSMsgType.TEXT
        assert message.json()["type"] == "player"


async def test_a_media_token_opens_nothing_else(client: Client, admin: dict[str, str]) -> None:
    token = await _media_token(client, admin)
    for path in ("/api/v1/me", "/api/v1/libraries", "/api/v1/auth/media-token"):
        resp = await client.get(f"{path}?media_token={token}")
        assert resp.status == 401, path
    # Writes never: not even to a media route's neighbours.
    resp = await client.post(f"/api/v1/me/player/next?media_token={token}", json={})
    assert resp.status == 401


@pytest.mark.parametrize("change", ["tamper", "other_session_secret", "garbage"])
async def test_bad_media_tokens(client: Client, admin: dict[str, str], change: str) -> None:
    token = await _media_token(client, admin)
    if change == "tamper":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif change == "other_session_secret":
        # A second session of the same user: its hash with the first one's signature.
        login = await client.post(
            "/api/v1/auth/login", json={"name": "admin", "password": PASSWORD}
        )
        other = hashlib.sha256((await login.json())["token"].encode()).hexdigest()
        token = other + token[64:]
    else:
        token = "not-a-token"
    resp = await client.get(f"/api/v1/covers/placeholder?width=16&media_token={token}")
    assert resp.status == 401
    assert (await resp.json())["error"]["code"] == "invalid_media_token"


async def test_signing_out_ends_the_media_token(client: Client, admin: dict[str, str]) -> None:
    token = await _media_token(client, admin)
    url = f"/api/v1/covers/placeholder?width=16&media_token={token}"
    assert (await client.get(url)).status == 200
    assert (await client.post("/api/v1/auth/logout", headers=admin)).status == 204
    resp = await client.get(url)
    assert resp.status == 401
    assert (await resp.json())["error"]["code"] == "invalid_media_token"


async def test_an_expired_media_token_fails(client: Client, admin: dict[str, str]) -> None:
    current = await _media_token(client, admin)
    session = current.split(".")[0]
    # Sign one that expired an hour ago with the session's real secret, as the server would.
    found = await client.app[SERVICES].users.session(session)
    assert found is not None
    old, _ = media_token.issue(session, found.csrf_token, time.time() - 25 * 3600 - 3600)
    resp = await client.get(f"/api/v1/covers/placeholder?width=16&media_token={old}")
    assert resp.status == 401
