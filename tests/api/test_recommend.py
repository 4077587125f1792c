"""Similar tracks, mixes and the similarity index, on real audio analysed at test time."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

import asyncpg
import numpy as np
import pytest
from aiohttp.test_utils import TestClient

from api.context import SERVICES
from ingest.vector import FEATURE_VERSION
from store.recommend import RecommendStore
from tests.api.conftest import PASSWORD, get_json, rescan
from tests.music import Song, analyse_into, library_songs, write_song

Client = TestClient  # type: ignore[type-arg]


async def wait_for(predicate: Any, seconds: float = 15.0) -> None:
    """Poll until predicate() is true; fail after `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not predicate():
        assert loop.time() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


class Library:
    def __init__(self, songs: list[Song], paths: dict[str, Path], ids: dict[str, int]) -> None:
        self.songs = songs
        self.paths = paths
        self.ids = ids
        self.titles = {v: k for k, v in ids.items()}

    def names(self, items: list[dict[str, Any]]) -> list[str]:
        return [self.titles[i["id"]] for i in items]


@pytest.fixture
async def sounds(client: Client, admin: dict[str, str], library: list[Path]) -> Library:
    """The music of tests/music.py scanned and, but for Epsilon, analysed and indexed."""
    songs = library_songs()
    paths = {s.title: write_song(library[0], s) for s in songs}
    await rescan(client)
    tracks = await get_json(client, "/api/v1/tracks?limit=100", admin)
    ids = {t["title"]: t["id"] for t in tracks["items"]}
    assert set(ids) == set(paths)
    analysed = [s for s in songs if s.artist != "Epsilon"]
    recommender = client.app[SERVICES].recommender
    # As a server does (the test app has no background work): build, LISTEN, keep up.
    await recommender.start()
    await recommender.index.ready()
    await analyse_into(client.app[SERVICES].pool, analysed, paths, ids)
    # The NOTIFY reaches the index, which catches up on its own.
    await wait_for(lambda: recommender.analysed_tracks() == len(analysed))
    return Library(songs, paths, ids)


async def test_closest_tracks_are_the_ones_built_alike(
    client: Client, admin: dict[str, str], sounds: Library
) -> None:
    seed = sounds.ids["Alpha One 1"]
    body = await get_json(client, f"/api/v1/tracks/{seed}/similar?limit=10", admin)
    assert body["track_id"] == seed and body["analysed"] is True
    names = sounds.names(body["items"])
    # The seed's own album is left out; the other Alpha album and the two Delta tracks
    # that sound like Alpha come first, before anything that sounds different.
    assert not any(n.startswith("Alpha One") for n in names)
    alike = {"Alpha Two 1", "Alpha Two 2", "Alpha Two 3", "Delta Odd 1", "Delta Odd 2"}
    assert set(names[:5]) == alike
    first = body["items"][0]
    assert first["title"] in alike and "album" in first and "artists" in first
    assert all(isinstance(i["score"], float) for i in body["items"])
    by_name = dict(zip(names, body["items"], strict=True))
    odd = by_name["Delta Odd 1"]
    assert "sounds alike" in odd["reasons"] and "same artist" not in odd["reasons"]
    assert {"sounds alike", "same artist"} <= set(by_name["Alpha Two 1"]["reasons"])
    # No three in a row by one artist while others are left.
    artists = [i["artist"] for i in body["items"]]
    assert all(len(set(artists[i : i + 3])) > 1 for i in range(len(artists) - 2))

    gamma = sounds.ids["Gamma Beats 1"]
    body = await get_json(client, f"/api/v1/tracks/{gamma}/similar?limit=3", admin)
    assert set(sounds.names(body["items"])) == {"Gamma Live 1", "Gamma Live 2", "Gamma Live 3"}


async def test_a_track_not_analysed_gets_metadata_only_results(
    client: Client, admin: dict[str, str], sounds: Library
) -> None:
    seed = sounds.ids["Epsilon 1"]
    body = await get_json(client, f"/api/v1/tracks/{seed}/similar", admin)
    assert body["analysed"] is False
    assert sounds.names(body["items"])[0] == "Epsilon 2"
    assert body["items"][0]["reasons"][0] == "same artist"
    assert all("sounds alike" not in i["reasons"] for i in body["items"])
    assert all("same genre" in i["reasons"] for i in body["items"][1:])


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/tracks/999999/similar", 404, "not_found"),
        ("/api/v1/tracks/0/similar", 400, "invalid_id"),
        ("/api/v1/tracks/{id}/similar?limit=0", 400, "invalid_parameter"),
        ("/api/v1/tracks/{id}/similar?limit=101", 400, "invalid_parameter"),
        ("/api/v1/tracks/{id}/similar?limit=ten", 400, "invalid_parameter"),
    ],
)
async def test_bad_requests(
    client: Client,
    admin: dict[str, str],
    scanned: dict[str, Path],
    url: str,
    status: int,
    code: str,
) -> None:
    track = (await get_json(client, "/api/v1/tracks?limit=1", admin))["items"][0]
    body = await get_json(client, url.format(id=track["id"]), admin, status)
    assert body["error"]["code"] == code
    resp = await client.get(url.format(id=track["id"]))
    assert resp.status == 401


async def test_nothing_in_common_means_nothing_similar(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    tracks = (await get_json(client, "/api/v1/tracks?limit=10", admin))["items"]
    angel = next(t for t in tracks if t["title"] == "Angel")
    for limit in (1, 100):
        url = f"/api/v1/tracks/{angel['id']}/similar?limit={limit}"
        body = await get_json(client, url, admin)
        # Nothing is analysed; its album-mates are left out, and no other track shares
        # an artist or a genre with it.
        assert body == {"track_id": angel["id"], "analysed": False, "items": []}


async def listen(client: Client, headers: dict[str, str], track_id: int, times: int) -> None:
    for _ in range(times):
        resp = await client.post(
            "/api/v1/me/listens", json={"track_id": track_id, "ms_played": 60_000}, headers=headers
        )
        assert resp.status == 201, await resp.text()


async def test_mixes_follow_the_taste_clusters_of_a_history(
    client: Client, admin: dict[str, str], sounds: Library
) -> None:
    for title, plays in [("Alpha One 1", 3), ("Alpha One 2", 3), ("Alpha One 3", 1),
                         ("Alpha One 4", 1), ("Gamma Beats 1", 3), ("Gamma Beats 2", 3),
                         ("Gamma Beats 3", 1), ("Gamma Beats 4", 1)]:  # fmt: skip
        await listen(client, admin, sounds.ids[title], plays)
    body = await get_json(client, "/api/v1/me/mixes", admin)
    mixes = {m["name"]: m for m in body["items"]}
    assert set(mixes) == {"Alpha mix", "Gamma mix"}
    alpha, gamma = mixes["Alpha mix"], mixes["Gamma mix"]
    assert alpha["kind"] == gamma["kind"] == "taste"
    # Filled with nearby tracks not played much: never what was just played.
    assert set(sounds.names(alpha["tracks"])) == {
        "Alpha Two 1", "Alpha Two 2", "Alpha Two 3", "Delta Odd 1", "Delta Odd 2"
    }  # fmt: skip
    assert set(sounds.names(gamma["tracks"])) == {
        "Gamma Beats 5", "Gamma Beats 6", "Gamma Live 1", "Gamma Live 2", "Gamma Live 3"
    }  # fmt: skip
    assert alpha["track_count"] == 5 and alpha["duration"] > 0
    assert "Alpha" in alpha["description"] and "Delta" in alpha["description"]

    # The same mixes until they are refreshed; a refresh keeps their ids.
    again = await get_json(client, "/api/v1/me/mixes", admin)
    assert again == body
    resp = await client.post("/api/v1/me/mixes/refresh", headers=admin)
    assert resp.status == 200
    refreshed = await resp.json()
    assert {m["id"] for m in refreshed["items"]} == {m["id"] for m in body["items"]}
    one = await get_json(client, f"/api/v1/me/mixes/{alpha['id']}", admin)
    assert one == next(m for m in refreshed["items"] if m["id"] == alpha["id"])

    # A mix plays as a context by its id.
    resp = await client.post(
        "/api/v1/me/player/play",
        json={"context": {"type": "mix", "id": alpha["id"]}},
        headers=admin,
    )
    assert resp.status == 200, await resp.text()
    state = await resp.json()
    assert state["context"]["type"] == "mix" and state["context"]["id"] == alpha["id"]
    assert state["context"]["track_count"] == 5
    assert state["current"]["track"]["id"] == one["tracks"][0]["id"]


async def test_a_new_user_gets_mixes_from_the_library(
    client: Client, admin: dict[str, str], sounds: Library
) -> None:
    resp = await client.post(
        "/api/v1/users", json={"name": "newcomer", "password": PASSWORD}, headers=admin
    )
    assert resp.status == 201, await resp.text()
    resp = await client.post("/api/v1/auth/login", json={"name": "newcomer", "password": PASSWORD})
    token = (await resp.json())["token"]
    client.session.cookie_jar.clear()
    newcomer = {"Authorization": f"Bearer {token}"}
    body = await get_json(client, "/api/v1/me/mixes", newcomer)
    kinds = [m["kind"] for m in body["items"]]
    assert kinds[0] == "recent" and body["items"][0]["name"] == "Recently added"
    assert kinds.count("discover") >= 2
    recent = body["items"][0]["tracks"]
    assert len(recent) >= 5
    # Diverse picks: never two from one album in a row.
    albums = [t["album"] for t in recent]
    assert all(a != b for a, b in itertools.pairwise(albums))
    for mix in body["items"][1:]:
        artists = {t["artist"] for t in mix["tracks"]}
        assert "Epsilon" not in artists  # only analysed tracks in mixes by sound
    # Another user's mix is not yours.
    other = body["items"][0]["id"]
    missing = await get_json(client, f"/api/v1/me/mixes/{other}", admin, 404)
    assert missing["error"]["code"] == "not_found"
    resp = await client.post(
        "/api/v1/me/player/play", json={"context": {"type": "mix", "id": other}}, headers=admin
    )
    assert resp.status == 404


async def test_a_new_user_on_an_unanalysed_library_gets_genre_mixes(
    client: Client, admin: dict[str, str], library: list[Path]
) -> None:
    for song in library_songs():
        write_song(library[1], song)
    await rescan(client)
    body = await get_json(client, "/api/v1/me/mixes", admin)
    assert [m["kind"] for m in body["items"]] == ["recent", "genre"]
    assert body["items"][1]["name"] == "Electronic mix"
    assert body["items"][1]["track_count"] == 25


async def test_the_index_follows_notifications_and_reconnects(
    client: Client, admin: dict[str, str], sounds: Library, pool: asyncpg.Pool
) -> None:
    services = client.app[SERVICES]
    index = services.recommender.index
    held = services.recommender.analysed_tracks()
    await wait_for(index.listening.is_set)
    killed = await pool.fetchval(
        """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
           WHERE datname = current_database() AND query LIKE 'LISTEN %tonearm_analysis%'"""
    )
    assert killed == 1
    await wait_for(lambda: not index.listening.is_set(), 5)
    await wait_for(index.listening.is_set)  # listening again, on a new connection

    # Epsilon gets analysed: the notification alone brings it into the index.
    eps = [s for s in sounds.songs if s.artist == "Epsilon"]
    await analyse_into(pool, eps, sounds.paths, sounds.ids)
    await wait_for(lambda: services.recommender.analysed_tracks() == held + 2)
    body = await get_json(client, f"/api/v1/tracks/{sounds.ids['Epsilon 1']}/similar", admin)
    assert body["analysed"] is True
    assert "sounds alike" in body["items"][0]["reasons"]

    # Re-analysed: the track's vector is replaced, not added twice.
    store = RecommendStore(pool)
    tid = sounds.ids["Epsilon 2"]
    before = index.index.stamp(tid) if index.index else None
    vector = np.zeros(54, np.float32)
    await store.save_analyses([(tid, vector, 0.0, "", -20.0)], FEATURE_VERSION)
    await wait_for(lambda: index.index is not None and index.index.stamp(tid) != before)
    assert services.recommender.analysed_tracks() == held + 2

    # The safety net finds what no notification announced: a deleted analysis.
    await pool.execute("DELETE FROM track_analysis WHERE track_id = $1", tid)
    await index.reconcile()
    assert services.recommender.analysed_tracks() == held + 1
