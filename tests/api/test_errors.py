"""Bad input gets a 4xx JSON error, never a 5xx or a traceback."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

Client = TestClient  # type: ignore[type-arg]


@pytest.mark.parametrize(
    ("method", "url", "status", "code"),
    [
        ("GET", "/api/v1/albums?limit=-1", 400, "invalid_parameter"),
        ("GET", "/api/v1/albums?limit=100000", 400, "invalid_parameter"),
        ("GET", "/api/v1/albums?limit=abc", 400, "invalid_parameter"),
        ("GET", "/api/v1/albums?offset=-5", 400, "invalid_parameter"),
        ("GET", "/api/v1/albums?sort=sideways", 400, "invalid_parameter"),
        ("GET", "/api/v1/tracks?album_id=x", 400, "invalid_parameter"),
        ("GET", "/api/v1/albums/abc", 400, "invalid_id"),
        ("GET", "/api/v1/albums/0", 400, "invalid_id"),
        ("GET", "/api/v1/albums/99999999999999999999999", 400, "invalid_id"),
        ("GET", "/api/v1/albums/424242", 404, "not_found"),
        ("GET", "/api/v1/tracks/424242", 404, "not_found"),
        ("GET", "/api/v1/tracks/424242/stream", 404, "not_found"),
        ("GET", "/api/v1/artists/424242", 404, "not_found"),
        ("GET", "/api/v1/playlists/424242", 404, "not_found"),
        ("GET", "/api/v1/search", 400, "missing_parameter"),
        ("GET", "/api/v1/search?q=" + "x" * 300, 400, "invalid_parameter"),
        ("GET", "/api/v1/no/such/thing", 404, "not_found"),
        ("DELETE", "/api/v1/albums", 405, "method_not_allowed"),
    ],
)
async def test_bad_requests(
    client: Client, admin: dict[str, str], method: str, url: str, status: int, code: str
) -> None:
    resp = await client.request(method, url, headers=admin)
    assert resp.status == status, await resp.text()
    body = await resp.json()
    assert body["error"]["code"] == code
    assert body["error"]["message"]


@pytest.mark.parametrize(
    ("url", "body", "code"),
    [
        ("/api/v1/playlists", "not json", "invalid_json"),
        ("/api/v1/playlists", "[1, 2]", "invalid_json"),
        ("/api/v1/playlists", '{"name": ""}', "invalid_field"),
        ("/api/v1/playlists", '{"name": "x", "track_ids": [1, "2"]}', "invalid_field"),
        ("/api/v1/playlists", '{"name": "x", "track_ids": [424242]}', "unknown_track"),
        ("/api/v1/me/listens", '{"track_id": "1", "ms_played": 10}', "invalid_field"),
        ("/api/v1/me/listens", '{"track_id": true, "ms_played": 10}', "invalid_field"),
        ("/api/v1/me/listens", '{"track_id": 1}', "missing_field"),
        ("/api/v1/me/listens", '{"track_id": 1, "ms_played": -4}', "invalid_field"),
        (
            "/api/v1/me/listens",
            '{"track_id": 1, "ms_played": 4, "context": {"type": "x"}}',
            "invalid_field",
        ),
        ("/api/v1/scan", '{"full": "yes"}', "invalid_field"),
    ],
)
async def test_bad_bodies(
    client: Client, admin: dict[str, str], url: str, body: str, code: str
) -> None:
    resp = await client.post(url, data=body, headers={**admin, "Content-Type": "application/json"})
    assert resp.status == 400, await resp.text()
    assert (await resp.json())["error"]["code"] == code


async def test_listen_for_unknown_track_is_404(client: Client, admin: dict[str, str]) -> None:
    resp = await client.post(
        "/api/v1/me/listens", json={"track_id": 424242, "ms_played": 5}, headers=admin
    )
    assert resp.status == 404
