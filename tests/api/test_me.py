"""Playlists, listens and the home page."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient

from api.context import SERVICES
from tests.api.conftest import PASSWORD, get_json

Client = TestClient  # type: ignore[type-arg]


async def track_ids(client: Client, headers: dict[str, str]) -> dict[str, int]:
    page = await get_json(client, "/api/v1/tracks", headers)
    return {t["title"]: t["id"] for t in page["items"]}


async def test_playlist_lifecycle(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    ids = await track_ids(client, admin)
    resp = await client.post(
        "/api/v1/playlists",
        json={"name": "Night", "track_ids": [ids["Angel"], ids["Jóga"]]},
        headers=admin,
    )
    assert resp.status == 201
    pl = await resp.json()
    assert [t["title"] for t in pl["tracks"]] == ["Angel", "Jóga"]
    assert pl["track_count"] == 2 and pl["cover_id"]

    # Append (duplicates allowed), then reorder and remove by setting the list.
    resp = await client.post(
        f"/api/v1/playlists/{pl['id']}/tracks", json={"track_ids": [ids["Angel"]]}, headers=admin
    )
    assert [t["title"] for t in (await resp.json())["tracks"]] == ["Angel", "Jóga", "Angel"]
    resp = await client.patch(
        f"/api/v1/playlists/{pl['id']}",
        json={"name": "Late Night", "track_ids": [ids["Glory Box"], ids["Angel"]]},
        headers=admin,
    )
    body = await resp.json()
    assert body["name"] == "Late Night"
    assert [t["title"] for t in body["tracks"]] == ["Glory Box", "Angel"]

    listed = await get_json(client, "/api/v1/playlists", admin)
    assert listed["total"] == 1 and "tracks" not in listed["items"][0]

    # Another user cannot see or touch it.
    await client.post("/api/v1/users", json={"name": "bob", "password": PASSWORD}, headers=admin)
    login = await client.post("/api/v1/auth/login", json={"name": "bob", "password": PASSWORD})
    bob = {"Authorization": f"Bearer {(await login.json())['token']}"}
    assert (await client.get(f"/api/v1/playlists/{pl['id']}", headers=bob)).status == 404
    assert (await client.delete(f"/api/v1/playlists/{pl['id']}", headers=bob)).status == 404
    assert (await get_json(client, "/api/v1/playlists", bob))["total"] == 0

    assert (await client.delete(f"/api/v1/playlists/{pl['id']}", headers=admin)).status == 204
    assert (await client.get(f"/api/v1/playlists/{pl['id']}", headers=admin)).status == 404


async def test_listens_feed_the_home_page(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    ids = await track_ids(client, admin)
    pl = await (
        await client.post(
            "/api/v1/playlists", json={"name": "Mix", "track_ids": [ids["Jóga"]]}, headers=admin
        )
    ).json()

    home = await get_json(client, "/api/v1/me/home", admin)
    assert home["recent_tracks"] == [] and home["recent_albums"] == []
    assert {a["title"] for a in home["recently_added_albums"]} == {
        "Mezzanine",
        "Homogenic",
        "Dummy",
    }

    for title, context in (
        ("Angel", {"type": "album", "id": "1"}),
        ("Jóga", {"type": "playlist", "id": pl["id"]}),
        ("Teardrop", None),
    ):
        resp = await client.post(
            "/api/v1/me/listens",
            json={"track_id": ids[title], "ms_played": 30_000, "context": context},
            headers=admin,
        )
        assert resp.status == 201

    home = await get_json(client, "/api/v1/me/home", admin)
    assert [t["title"] for t in home["recent_tracks"]] == ["Teardrop", "Jóga", "Angel"]
    assert [a["title"] for a in home["recent_albums"]] == ["Mezzanine", "Homogenic"]
    assert [p["name"] for p in home["recent_playlists"]] == ["Mix"]


async def test_scan_endpoints(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    state = await get_json(client, "/api/v1/scan", admin)
    assert state["state"] == "idle"
    last = state["last"]
    assert last["state"] == "done"
    assert (last["progress"]["found"], last["progress"]["added"]) == (5, 5)

    resp = await client.post("/api/v1/scan", json={"full": True}, headers=admin)
    assert resp.status == 202
    queued = await resp.json()
    assert queued["state"] == "queued" and queued["full_rescan"] is True
    # Asking again while one is queued returns the same request.
    again = await (await client.post("/api/v1/scan", headers=admin)).json()
    assert again["id"] == queued["id"]
    assert (await get_json(client, "/api/v1/scan", admin))["state"] == "queued"


async def test_health_ready_metrics_and_cluster(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    assert (await get_json(client, "/healthz", {}))["status"] == "ok"
    assert (await get_json(client, "/readyz", {}))["status"] == "ready"
    await client.get("/api/v1/albums", headers=admin)
    metrics = await (await client.get("/metrics")).text()
    assert (
        'tonearm_http_requests_total{method="GET",route="/api/v1/albums",status="200"}' in metrics
    )
    assert 'tonearm_scan_files_total{outcome="added"}' in metrics
    services = client.app[SERVICES]
    await services.cluster.start()
    try:
        cluster = await get_json(client, "/api/v1/cluster", admin)
    finally:
        await services.cluster.stop()
    assert (cluster["mode"], cluster["role"]) == ("standalone", "primary")
    assert cluster["primary_id"] == cluster["node_id"] == cluster["members"][0]["id"]
    assert cluster["epoch"] >= 1 and cluster["epoch_holder"] == cluster["node_id"]
    assert cluster["enrichment"] == {
        "enabled": False,
        "pending": 3,
        "found": 0,
        "not_found": 0,
        "error": 0,
    }
