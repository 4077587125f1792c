"""Browsing, searching and streaming a scanned multi-root library through the HTTP API."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from tests.api.conftest import get_json, rescan

Client = TestClient  # type: ignore[type-arg]


async def test_libraries_show_each_root(
    client: Client, admin: dict[str, str], scanned: dict[str, Path], library: list[Path]
) -> None:
    libs = await get_json(client, "/api/v1/libraries", admin)
    assert libs["total"] == 3
    by_path = {item["path"]: item for item in libs["items"]}
    assert {p: by_path[str(p)]["track_count"] for p in library} == {
        library[0]: 3,
        library[1]: 1,
        library[2]: 1,
    }
    assert all(item["status"] == "online" and item["last_scan_at"] for item in libs["items"])


async def test_browse_artists_albums_tracks(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    artists = await get_json(client, "/api/v1/artists", admin)
    names = [a["name"] for a in artists["items"]]
    assert names == ["Björk", "Elizabeth Fraser", "Massive Attack", "Portishead"]
    assert artists["total"] == 4

    albums = await get_json(client, "/api/v1/albums?sort=year", admin)
    assert [a["title"] for a in albums["items"]] == ["Mezzanine", "Homogenic", "Dummy"]
    mezz = albums["items"][0]
    assert (mezz["album_artist"], mezz["year"], mezz["track_count"]) == ("Massive Attack", 1998, 3)
    assert mezz["cover_id"] and len(mezz["cover_id"]) == 40
    assert "tracks" not in mezz

    album = await get_json(client, f"/api/v1/albums/{mezz['id']}", admin)
    assert [t["title"] for t in album["tracks"]] == ["Angel", "Risingson", "Teardrop"]
    teardrop = album["tracks"][2]
    assert [a["name"] for a in teardrop["artists"]] == ["Massive Attack", "Elizabeth Fraser"]
    assert (teardrop["format"], teardrop["mime"]) == ("vorbis", "audio/ogg")

    page = await get_json(client, "/api/v1/tracks?limit=2&offset=1", admin)
    assert page["total"] == 5 and len(page["items"]) == 2

    one = await get_json(client, f"/api/v1/tracks/{teardrop['id']}", admin)
    assert one["album"] == "Mezzanine" and one["path"].endswith("03 Teardrop.ogg")

    artist_id = next(a["id"] for a in artists["items"] if a["name"] == "Massive Attack")
    detail = await get_json(client, f"/api/v1/artists/{artist_id}", admin)
    assert [a["title"] for a in detail["albums"]] == ["Mezzanine"]
    by_artist = await get_json(client, f"/api/v1/tracks?artist_id={artist_id}", admin)
    assert by_artist["total"] == 3


@pytest.mark.parametrize(
    ("q", "track_titles"),
    [
        ("joga", ["Jóga"]),  # accents fold
        ("BJORK", ["Jóga"]),  # case folds; artist names are searched
        ("mezzanine tear", ["Teardrop"]),  # every word must match, across fields
        ("glory", ["Glory Box"]),
        ("zzzz", []),
    ],
)
async def test_search_is_accent_and_case_insensitive(
    client: Client, admin: dict[str, str], scanned: dict[str, Path], q: str, track_titles: list[str]
) -> None:
    result = await get_json(client, f"/api/v1/search?q={q}", admin)
    assert [t["title"] for t in result["tracks"]["items"]] == track_titles
    assert result["tracks"]["total"] == len(track_titles)


async def test_search_finds_artists_and_albums(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    result = await get_json(client, "/api/v1/search?q=bjork", admin)
    assert [a["name"] for a in result["artists"]["items"]] == ["Björk"]
    assert [a["title"] for a in result["albums"]["items"]] == ["Homogenic"]


async def test_stream_with_range(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    tracks = await get_json(client, "/api/v1/tracks?q=angel", admin)
    track = tracks["items"][0]
    data = scanned["angel"].read_bytes()

    full = await client.get(f"/api/v1/tracks/{track['id']}/stream", headers=admin)
    assert full.status == 200
    assert full.headers["Content-Type"] == "audio/flac"
    assert full.headers["Accept-Ranges"] == "bytes"
    assert await full.read() == data
    etag = full.headers["ETag"]

    part = await client.get(
        f"/api/v1/tracks/{track['id']}/stream", headers={**admin, "Range": "bytes=100-199"}
    )
    assert part.status == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert await part.read() == data[100:200]

    tail = await client.get(
        f"/api/v1/tracks/{track['id']}/stream", headers={**admin, "Range": "bytes=-10"}
    )
    assert await tail.read() == data[-10:]

    cached = await client.get(
        f"/api/v1/tracks/{track['id']}/stream", headers={**admin, "If-None-Match": etag}
    )
    assert cached.status == 304

    bad = await client.get(
        f"/api/v1/tracks/{track['id']}/stream",
        headers={**admin, "Range": f"bytes={len(data) + 5}-"},
    )
    assert bad.status == 416


async def test_offline_root_keeps_tracks_and_says_so(
    client: Client, admin: dict[str, str], scanned: dict[str, Path], library: list[Path]
) -> None:
    shutil.rmtree(library[1])  # Björk's drive goes away
    await rescan(client)

    libs = await get_json(client, "/api/v1/libraries", admin)
    offline = next(item for item in libs["items"] if item["path"] == str(library[1]))
    assert (offline["status"], offline["track_count"]) == ("offline", 1)

    result = await get_json(client, "/api/v1/search?q=joga", admin)
    joga = result["tracks"]["items"][0]
    assert joga["available"] is False
    stream = await client.get(f"/api/v1/tracks/{joga['id']}/stream", headers=admin)
    assert stream.status == 503
    assert (await stream.json())["error"]["code"] == "library_offline"


async def test_cover_original_bytes_and_etag(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    albums = await get_json(client, "/api/v1/albums?q=mezzanine", admin)
    cover_id = albums["items"][0]["cover_id"]
    resp = await client.get(f"/api/v1/covers/{cover_id}", headers=admin)
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "image/jpeg"
    body = await resp.read()
    assert body[:2] == b"\xff\xd8"
    assert "immutable" in resp.headers["Cache-Control"]
    again = await client.get(
        f"/api/v1/covers/{cover_id}", headers={**admin, "If-None-Match": resp.headers["ETag"]}
    )
    assert again.status == 304
    assert (await client.get("/api/v1/covers/" + "0" * 40, headers=admin)).status == 404
    assert (await client.get("/api/v1/covers/nothex", headers=admin)).status == 400
