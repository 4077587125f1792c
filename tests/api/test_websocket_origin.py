"""Cross-site websocket hijacking: the session cookie opens a websocket only from our own pages."""

from __future__ import annotations

import asyncio
import base64
import os
from dataclasses import replace
from ipaddress import ip_network

import aiohttp
import pytest

from api.cors import normalize_origin, websocket_origin_allowed
from tests.api.conftest import PASSWORD, Client, MakeClient
from tonearm.config import Config

PLAYER_WS = "/api/v1/me/ws"
TAURI = "tauri://localhost"
EVIL = "https://evil.example"


# The rule: a pure function.


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("http://Music.LAN:8080", "http://music.lan:8080"),
        ("https://music.lan:443", "https://music.lan"),
        ("http://music.lan:80", "http://music.lan"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("tauri://localhost", "tauri://localhost"),
        ("null", None),
        ("", None),
        ("music.lan", None),
        ("http://music.lan/", None),
        ("http://music.lan/page", None),
        ("http://music.lan?x", None),
        ("http://user@music.lan", None),
        ("http://music.lan:99999", None),
        ("http://music.lan:port", None),
        ("http://", None),
    ],
)
def test_normalize_origin(origin: str, expected: str | None) -> None:
    assert normalize_origin(origin) == expected


OWN = ("http", "music.lan:8080")


@pytest.mark.parametrize(
    ("origin", "arrived", "allowed", "ok"),
    [
        # Our own pages, as the request arrived.
        ("http://music.lan:8080", OWN, (), True),
        ("HTTP://MUSIC.LAN:8080", OWN, (), True),
        ("http://music.lan", ("http", "music.lan"), (), True),
        ("http://music.lan", ("http", "music.lan:80"), (), True),
        ("https://music.lan", ("https", "music.lan"), (), True),
        ("http://[::1]:8080", ("http", "[::1]:8080"), (), True),
        # A TLS-terminating proxy in front of us: only the same host can serve HTTPS for it.
        ("https://music.lan", ("http", "music.lan"), (), True),
        ("https://music.lan:8080", OWN, (), True),
        # ...but never downwards: an HTTP page may be a network attacker's.
        ("http://music.lan", ("https", "music.lan"), (), False),
        # Other sites, ports and schemes.
        (EVIL, OWN, (), False),
        ("http://music.lan:9090", OWN, (), False),
        ("http://music.lan", OWN, (), False),
        ("https://music.lan", OWN, (), False),
        ("http://evil.music.lan:8080", OWN, (), False),
        ("http://music.lan.evil.example:8080", OWN, (), False),
        ("null", OWN, (), False),
        ("http://music.lan:8080/", OWN, (), False),
        ("garbage", OWN, (), False),
        # Origins listed in cors_origins, by name; the wildcard does not reach the cookie.
        (TAURI, OWN, (TAURI,), True),
        ("https://app.example.org", OWN, ("https://app.example.org:443",), True),
        (EVIL, OWN, (TAURI,), False),
        (EVIL, OWN, ("*",), False),
        ("null", OWN, ("*", "null"), False),
        # Browsers always send Origin on an upgrade: none means a non-browser client.
        (None, OWN, (), True),
        # A Host header that is not a host matches nothing of ours.
        ("http://music.lan:8080", ("http", "music.lan:8080/x"), (), False),
    ],
)
def test_websocket_origin_allowed(
    origin: str | None, arrived: tuple[str, str], allowed: tuple[str, ...], ok: bool
) -> None:
    assert websocket_origin_allowed(origin, *arrived, allowed) is ok


# Through the API.


async def _cookie(client: Client) -> dict[str, str]:
    login = await client.post("/api/v1/auth/login", json={"name": "admin", "password": PASSWORD})
    assert login.status == 200, await login.text()
    client.session.cookie_jar.clear()  # each test names its credentials
    return {"Cookie": f"tonearm_session={login.cookies['tonearm_session'].value}"}


def _own(client: Client) -> str:
    return f"http://{client.host}:{client.port}"


def _upgrade(headers: dict[str, str]) -> dict[str, str]:
    """A browser's websocket handshake, sent as a plain GET to read the refusal's body."""
    return {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        **headers,
    }


async def _opens(client: Client, url: str, headers: dict[str, str]) -> bool:
    """Whether the websocket opens and says something; False when the handshake is refused."""
    try:
        async with client.ws_connect(url, headers=headers) as ws, asyncio.timeout(10):
            message = await ws.receive_json()
            assert message["type"] in ("player", "sync")
            return True
    except aiohttp.WSServerHandshakeError as exc:
        assert exc.status == 403, exc
        return False


async def _refused(client: Client, url: str, headers: dict[str, str]) -> None:
    resp = await client.get(url, headers=_upgrade(headers))
    assert resp.status == 403
    assert (await resp.json())["error"]["code"] == "forbidden_origin"
    assert "Sec-WebSocket-Accept" not in resp.headers


async def _media_token(client: Client, bearer: dict[str, str]) -> str:
    resp = await client.get("/api/v1/auth/media-token", headers=bearer)
    assert resp.status == 200
    token: str = (await resp.json())["media_token"]
    return token


async def test_the_cookie_opens_the_player_socket_from_our_own_pages_only(
    client: Client, admin: dict[str, str]
) -> None:
    cookie = await _cookie(client)
    assert await _opens(client, PLAYER_WS, {**cookie, "Origin": _own(client)})
    # No Origin: not a page (browsers always send one on an upgrade).
    assert await _opens(client, PLAYER_WS, cookie)

    assert not await _opens(client, PLAYER_WS, {**cookie, "Origin": EVIL})
    await _refused(client, PLAYER_WS, {**cookie, "Origin": EVIL})
    await _refused(client, PLAYER_WS, {**cookie, "Origin": "null"})
    # Same host, another port: another origin.
    await _refused(client, PLAYER_WS, {**cookie, "Origin": f"http://{client.host}:1"})
    # The default cors_origins (the desktop app's) are allowed by name.
    assert await _opens(client, PLAYER_WS, {**cookie, "Origin": TAURI})


async def test_tokens_open_the_socket_from_any_origin(
    client: Client, admin: dict[str, str]
) -> None:
    cookie = await _cookie(client)
    assert await _opens(client, PLAYER_WS, {**admin, "Origin": EVIL})
    token = await _media_token(client, admin)
    for origin in (TAURI, EVIL):
        url = f"{PLAYER_WS}?media_token={token}"
        assert await _opens(client, url, {"Origin": origin})
        # A cookie that comes along changes nothing: the token is what authenticates.
        assert await _opens(client, url, {**cookie, "Origin": origin})


async def test_the_party_socket_is_guarded_too(client: Client, admin: dict[str, str]) -> None:
    created = await client.post("/api/v1/parties", json={}, headers=admin)
    assert created.status == 201, await created.text()
    url = f"/api/v1/parties/{(await created.json())['id']}/ws"
    cookie = await _cookie(client)
    assert await _opens(client, url, {**cookie, "Origin": _own(client)})
    await _refused(client, url, {**cookie, "Origin": EVIL})
    assert await _opens(client, url, {**admin, "Origin": EVIL})
    token = await _media_token(client, admin)
    assert await _opens(client, f"{url}?media_token={token}", {"Origin": TAURI})


async def test_the_setting_names_the_allowed_origins(
    make_client: MakeClient, config: Config
) -> None:
    listed = await make_client(replace(config, cors_origins=("https://app.example.org",)))
    assert (await listed.post("/api/v1/auth/setup", json={"name": "admin", "password": PASSWORD})).status == 201  # fmt: skip
    cookie = await _cookie(listed)
    assert await _opens(listed, PLAYER_WS, {**cookie, "Origin": "https://app.example.org"})
    await _refused(listed, PLAYER_WS, {**cookie, "Origin": TAURI})

    anyone = await make_client(replace(config, cors_origins=("*",)))
    await _refused(anyone, PLAYER_WS, {**cookie, "Origin": EVIL})
    assert await _opens(anyone, PLAYER_WS, {**cookie, "Origin": _own(anyone)})


async def test_behind_a_trusted_proxy_our_origin_is_the_forwarded_one(
    make_client: MakeClient, config: Config
) -> None:
    public = "https://music.example.com"
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "music.example.com"}
    proxied = await make_client(
        replace(config, cors_origins=(), trusted_proxies=(ip_network("127.0.0.0/8"),))
    )
    assert (await proxied.post("/api/v1/auth/setup", json={"name": "admin", "password": PASSWORD})).status == 201  # fmt: skip
    cookie = await _cookie(proxied)
    assert await _opens(proxied, PLAYER_WS, {**cookie, **forwarded, "Origin": public})
    await _refused(proxied, PLAYER_WS, {**cookie, **forwarded, "Origin": EVIL})
    await _refused(proxied, PLAYER_WS, {**cookie, **forwarded, "Origin": _own(proxied)})

    # From a peer that is not a trusted proxy, the same headers say nothing.
    direct = await make_client(replace(config, cors_origins=()))
    await _refused(direct, PLAYER_WS, {**cookie, **forwarded, "Origin": public})
    assert await _opens(direct, PLAYER_WS, {**cookie, **forwarded, "Origin": _own(direct)})
