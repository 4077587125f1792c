"""Cross-origin calls: preflights and headers for the allowed origins only (cors_origins)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from api.cors import allowed_origin
from tests.api.conftest import Client, MakeClient
from tonearm.config import Config

TAURI = "tauri://localhost"
TAURI_WINDOWS = "http://tauri.localhost"
EVIL = "https://evil.example"


def preflight(
    origin: str, method: str = "POST", headers: str = "authorization, content-type"
) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


@pytest.mark.parametrize("origin", [TAURI, TAURI_WINDOWS])
async def test_preflight_for_the_desktop_app(client: Client, origin: str) -> None:
    resp = await client.options("/api/v1/auth/login", headers=preflight(origin))
    assert resp.status == 204
    assert resp.headers["Access-Control-Allow-Origin"] == origin
    assert "POST" in resp.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in resp.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "range"} <= allowed
    assert "Origin" in resp.headers["Vary"]
    # Bearer tokens only: cookies are never offered to another origin.
    assert "Access-Control-Allow-Credentials" not in resp.headers


async def test_preflight_from_another_origin_is_refused(client: Client) -> None:
    resp = await client.options("/api/v1/auth/login", headers=preflight(EVIL))
    assert resp.status == 403
    assert (await resp.json())["error"]["code"] == "origin_not_allowed"
    assert not any(h.lower().startswith("access-control-") for h in resp.headers)


async def test_answers_carry_the_header_for_allowed_origins_only(
    client: Client, admin: dict[str, str]
) -> None:
    ok = await client.get("/api/v1/me", headers={**admin, "Origin": TAURI})
    assert ok.status == 200
    assert ok.headers["Access-Control-Allow-Origin"] == TAURI
    assert "Content-Range" in ok.headers["Access-Control-Expose-Headers"]
    assert "Origin" in ok.headers["Vary"]
    # Errors too, so the app can read the server's message.
    denied = await client.get("/api/v1/me", headers={"Origin": TAURI})
    assert denied.status == 401
    assert denied.headers["Access-Control-Allow-Origin"] == TAURI
    health = await client.get("/healthz", headers={"Origin": TAURI_WINDOWS})
    assert health.headers["Access-Control-Allow-Origin"] == TAURI_WINDOWS

    for headers in ({**admin, "Origin": EVIL}, {**admin, "Origin": "null"}, admin):
        resp = await client.get("/api/v1/me", headers=headers)
        assert resp.status == 200  # the server answers; the browser keeps it from the page
        assert "Access-Control-Allow-Origin" not in resp.headers
        assert "Access-Control-Expose-Headers" not in resp.headers


async def test_streamed_files_carry_the_header(
    client: Client, admin: dict[str, str], scanned: object
) -> None:
    tracks = await (await client.get("/api/v1/tracks", headers=admin)).json()
    track = tracks["items"][0]
    resp = await client.get(
        f"/api/v1/tracks/{track['id']}/stream",
        headers={**admin, "Origin": TAURI, "Range": "bytes=0-99"},
    )
    assert resp.status == 206
    assert resp.headers["Access-Control-Allow-Origin"] == TAURI
    assert "Content-Range" in resp.headers["Access-Control-Expose-Headers"]
    assert len(await resp.read()) == 100


async def test_the_setting_decides(make_client: MakeClient, config: Config) -> None:
    closed = await make_client(replace(config, cors_origins=()))
    resp = await closed.get("/healthz", headers={"Origin": TAURI})
    assert "Access-Control-Allow-Origin" not in resp.headers
    assert (await closed.options("/healthz", headers=preflight(TAURI, "GET"))).status == 403

    custom = await make_client(replace(config, cors_origins=("https://music.example.org",)))
    resp = await custom.get("/healthz", headers={"Origin": "https://music.example.org"})
    assert resp.headers["Access-Control-Allow-Origin"] == "https://music.example.org"
    resp = await custom.get("/healthz", headers={"Origin": TAURI})
    assert "Access-Control-Allow-Origin" not in resp.headers

    anyone = await make_client(replace(config, cors_origins=("*",)))
    resp = await anyone.options("/api/v1/me", headers=preflight(EVIL, "GET"))
    assert resp.status == 204
    assert resp.headers["Access-Control-Allow-Origin"] == EVIL


@pytest.mark.parametrize(
    ("origin", "allowed", "expected"),
    [
        (TAURI, (TAURI,), TAURI),
        ("TAURI://LOCALHOST", (TAURI,), "TAURI://LOCALHOST"),
        (EVIL, (TAURI,), None),
        (None, (TAURI,), None),
        ("null", ("*",), None),
        (EVIL, ("*",), EVIL),
        (TAURI, (), None),
    ],
)
def test_allowed_origin(origin: str | None, allowed: tuple[str, ...], expected: str | None) -> None:
    assert allowed_origin(origin, allowed) == expected
