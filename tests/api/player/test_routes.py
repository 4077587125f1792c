"""The player over HTTP against a real PostgreSQL: the whole flow, restarts, edits, errors."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from tests.api.player.conftest import call

Client = TestClient  # type: ignore[type-arg]
PLAYER = "/api/v1/me/player"


def titles(tracks: list[dict[str, Any]]) -> list[str]:
    return [t["title"] for t in tracks]


def now_playing(state: dict[str, Any]) -> tuple[str, str]:
    return state["current"]["track"]["title"], state["current"]["source"]


async def step(
    client: Client, admin: dict[str, str], url: str, body: Any = None
) -> tuple[Any, Any]:
    out = await call(client, "POST", url, admin, body)
    return (out["track"] or {}).get("title"), out["source"]


async def test_queue_first_then_the_album_resumes_then_autoplay(
    client: Client, admin: dict[str, str], catalog: dict[str, int], replica: Client
) -> None:
    state = await call(client, "GET", PLAYER, admin)
    assert (state["version"], state["current"], state["queue"]) == (0, None, [])
    assert await step(client, admin, f"{PLAYER}/next") == (None, None)

    state = await call(client, "POST", f"{PLAYER}/play", admin, {
        "context": {"type": "album", "id": catalog["album:Mezzanine"]},
        "start_track_id": catalog["Risingson"],
    })  # fmt: skip
    assert now_playing(state) == ("Risingson", "context")
    assert state["context"] == {
        "type": "album", "id": catalog["album:Mezzanine"], "track_count": 4, "index": 1,
    }  # fmt: skip
    assert titles(state["next_tracks"]) == ["Teardrop", "Inertia Creeps"]
    assert state["playing"] and state["autoplay"] == {"strategy": "same-artist-genre-fallback"}

    await call(client, "POST", f"{PLAYER}/queue", admin, {"track_id": catalog["Jóga"]}, 201)
    state = await call(client, "POST", f"{PLAYER}/queue", admin,
                       {"track_id": catalog["Glory Box"], "mode": "next"}, 201)  # fmt: skip
    assert [titles([e["track"]])[0] for e in state["queue"]] == ["Glory Box", "Jóga"]

    # The server restarted (or another replica) sees the same state.
    other = replica
    assert await call(other, "GET", PLAYER, admin) == state

    assert await step(client, admin, f"{PLAYER}/next") == ("Glory Box", "queue")
    assert await step(other, admin, f"{PLAYER}/next") == ("Jóga", "queue")
    # The album goes on after the track it was left at, not after the queued ones.
    assert await step(client, admin, f"{PLAYER}/next") == ("Teardrop", "context")
    assert await step(client, admin, f"{PLAYER}/next") == ("Inertia Creeps", "context")

    # The album ran out: autoplay goes on with what is like it and what played last
    # (test_autoplay.py checks the ranking); never the album again, nor a track heard.
    picks = [await step(client, admin, f"{PLAYER}/next") for _ in range(3)]
    assert {source for _, source in picks} == {"autoplay"}
    assert {t for t, _ in picks} == {"Protection", "Karmacoma", "Mysterons"}
    out = await call(client, "POST", f"{PLAYER}/next", admin)
    assert out["track"] is None and out["source"] is None and not out["state"]["playing"]
    assert now_playing(out["state"]) == (picks[2][0], "autoplay")  # the last one stays put

    # Previous walks back along what actually played.
    out = await call(client, "POST", f"{PLAYER}/previous", admin, {"position_ms": 500})
    assert (out["track"]["title"], out["source"]) == (picks[1][0], "autoplay")
    assert out["autoplay"] == {"strategy": "same-artist-genre-fallback"}


async def test_shuffle_repeat_previous_and_transport(
    client: Client, admin: dict[str, str], catalog: dict[str, int]
) -> None:
    mezzanine = ["Angel", "Risingson", "Teardrop", "Inertia Creeps"]
    state = await call(client, "POST", f"{PLAYER}/play", admin, {
        "context": {"type": "album", "id": catalog["album:Mezzanine"]},
        "start_track_id": catalog["Teardrop"], "shuffle": True,
    })  # fmt: skip
    assert now_playing(state) == ("Teardrop", "context") and state["shuffle"]
    assert sorted(titles(state["next_tracks"])) == sorted(set(mezzanine) - {"Teardrop"})
    played = ["Teardrop"] + [(await step(client, admin, f"{PLAYER}/next"))[0] for _ in range(3)]
    assert sorted(played) == sorted(mezzanine)

    state = await call(client, "PUT", PLAYER, admin, {"repeat": "all"})
    assert state["repeat"] == "all"
    second = [(await step(client, admin, f"{PLAYER}/next"))[0] for _ in range(4)]
    assert sorted(second) == sorted(mezzanine)
    assert second[0] != played[-1]  # a new pass never starts with the track just heard

    title, source = await step(client, admin, f"{PLAYER}/previous", {"position_ms": 1000})
    assert (title, source) == (second[-2], "context")
    title, _ = await step(client, admin, f"{PLAYER}/previous", {"position_ms": 4000})
    assert title == second[-2]  # late in a track, previous restarts it

    # Shuffle off: album order after the current track.
    state = await call(client, "PUT", PLAYER, admin, {"shuffle": False})
    assert now_playing(state)[0] == second[-2]
    assert titles(state["next_tracks"]) == mezzanine[mezzanine.index(second[-2]) + 1 :]

    # Repeat one holds the track when it ends on its own; a skip moves on.
    await call(client, "PUT", PLAYER, admin, {"repeat": "one"})
    assert await step(client, admin, f"{PLAYER}/next", {"explicit": False}) == (
        second[-2], "context",
    )  # fmt: skip
    assert (await step(client, admin, f"{PLAYER}/next"))[0] != second[-2]

    state = await call(client, "PUT", PLAYER, admin,
                       {"volume": 40, "position_ms": 1234, "playing": False})  # fmt: skip
    assert (state["volume"], state["position_ms"], state["playing"]) == (40, 1234, False)
    assert (await call(client, "GET", PLAYER, admin))["version"] == state["version"]


async def test_queue_remove_reorder_and_concurrent_adds(
    client: Client, admin: dict[str, str], catalog: dict[str, int]
) -> None:
    titles_ = ["Angel", "Jóga", "Mysterons", "Karmacoma", "Teardrop", "Glory Box"]
    # Devices adding at the same moment: the version check makes each add count once.
    await asyncio.gather(*(
        call(client, "POST", f"{PLAYER}/queue", admin, {"track_id": catalog[t]}, 201)
        for t in titles_
    ))  # fmt: skip
    state = await call(client, "GET", PLAYER, admin)
    assert sorted(titles([e["track"] for e in state["queue"]])) == sorted(titles_)
    assert state["version"] == len(titles_)
    entries = {e["track"]["title"]: e["entry_id"] for e in state["queue"]}
    assert len(set(entries.values())) == len(titles_)

    state = await call(client, "DELETE", f"{PLAYER}/queue/{entries['Jóga']}", admin)
    assert "Jóga" not in titles([e["track"] for e in state["queue"]])
    state = await call(client, "POST", f"{PLAYER}/queue/{entries['Glory Box']}/move", admin,
                       {"index": 0})  # fmt: skip
    assert state["queue"][0]["entry_id"] == entries["Glory Box"]
    # The same track twice is two entries.
    state = await call(client, "POST", f"{PLAYER}/queue", admin,
                       {"track_id": catalog["Glory Box"]}, 201)  # fmt: skip
    assert titles([e["track"] for e in state["queue"]]).count("Glory Box") == 2
    assert await step(client, admin, f"{PLAYER}/next") == ("Glory Box", "queue")

    for url, body, status, code in [
        (f"{PLAYER}/queue/{entries['Angel']}/move", {"index": 99}, 400, "invalid_field"),
        (f"{PLAYER}/queue/{entries['Angel']}/move", {"index": -1}, 400, "invalid_field"),
        (f"{PLAYER}/play", {"context": {"type": "album", "id": catalog["album:Dummy"]},
                            "start_track_id": catalog["Angel"]}, 400, "start_not_in_context"),
    ]:  # fmt: skip
        out = await call(client, "POST", url, admin, body, status)
        assert out["error"]["code"] == code


async def test_tracks_offline_or_gone_are_passed_over(
    client: Client, admin: dict[str, str], catalog: dict[str, int], pool: asyncpg.Pool
) -> None:
    ids = [catalog[t] for t in ("Angel", "Jóga", "Glory Box")]
    await call(client, "POST", f"{PLAYER}/play", admin,
               {"context": {"type": "tracks", "track_ids": ids}})  # fmt: skip
    await call(client, "POST", f"{PLAYER}/queue", admin, {"track_id": catalog["Jóga"]}, 201)
    await pool.execute(
        "UPDATE libraries SET status = 'offline' WHERE id = (SELECT library_id FROM tracks"
        " WHERE id = $1)",
        catalog["Jóga"],
    )
    assert await step(client, admin, f"{PLAYER}/next") == ("Glory Box", "context")


async def test_editing_the_playing_playlist(
    client: Client, admin: dict[str, str], catalog: dict[str, int]
) -> None:
    ids = [catalog[t] for t in ("Angel", "Risingson", "Teardrop")]
    pl = await call(client, "POST", "/api/v1/playlists", admin, {"name": "Night", "track_ids": ids}, 201)  # fmt: skip
    state = await call(client, "POST", f"{PLAYER}/play", admin, {
        "context": {"type": "playlist", "id": pl["id"]}, "start_track_id": catalog["Risingson"],
    })  # fmt: skip
    assert titles(state["next_tracks"]) == ["Teardrop"]

    # The current track removed: it plays on, and the playlist goes on after it.
    await call(client, "PATCH", f"/api/v1/playlists/{pl['id']}", admin,
               {"track_ids": [catalog["Angel"], catalog["Teardrop"], catalog["Karmacoma"]]})  # fmt: skip
    state = await call(client, "GET", PLAYER, admin)
    assert now_playing(state) == ("Risingson", "context")
    assert titles(state["next_tracks"]) == ["Teardrop", "Karmacoma"]
    assert state["context"]["track_count"] == 3

    await call(client, "POST", f"/api/v1/playlists/{pl['id']}/tracks", admin,
               {"track_ids": [catalog["Jóga"]]})  # fmt: skip
    state = await call(client, "GET", PLAYER, admin)
    assert titles(state["next_tracks"]) == ["Teardrop", "Karmacoma", "Jóga"]

    # Artists resolve to their tracks, album by album.
    artist = next(a for a in state["current"]["track"]["artists"])
    state = await call(client, "POST", f"{PLAYER}/play", admin,
                       {"context": {"type": "artist", "id": artist["id"]}})  # fmt: skip
    assert now_playing(state)[0] == "Protection"  # 1994 before 1998
    assert state["context"]["track_count"] == 6


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "code"),
    [
        ("POST", "/play", {}, 400, "missing_field"),
        ("POST", "/play", {"context": "album"}, 400, "invalid_field"),
        ("POST", "/play", {"context": {"type": "radio"}}, 400, "invalid_field"),
        ("POST", "/play", {"context": {"type": "album"}}, 400, "invalid_field"),
        ("POST", "/play", {"context": {"type": "album", "id": "x"}}, 400, "invalid_field"),
        ("POST", "/play", {"context": {"type": "album", "id": 2**63}}, 400, "invalid_field"),
        ("POST", "/play", {"context": {"type": "album", "id": 424242}}, 404, "not_found"),
        ("POST", "/play", {"context": {"type": "album", "id": "424242"}}, 404, "not_found"),
        ("POST", "/play", {"context": {"type": "playlist", "id": 424242}}, 404, "not_found"),
        ("POST", "/play", {"context": {"type": "artist", "id": 424242}}, 404, "not_found"),
        ("POST", "/play", {"context": {"type": "tracks"}}, 400, "missing_field"),
        ("POST", "/play", {"context": {"type": "tracks", "track_ids": []}}, 400, "empty_context"),
        ("POST", "/play", {"context": {"type": "mix", "track_ids": [424242]}}, 400, "unknown_track"),
        ("POST", "/play", {"context": {"type": "tracks", "track_ids": ["1"]}}, 400, "invalid_field"),
        ("POST", "/play", {"context": {"type": "tracks", "track_ids": [1]}, "shuffle": 1}, 400, "invalid_field"),
        ("POST", "/queue", {}, 400, "missing_field"),
        ("POST", "/queue", {"track_id": 424242}, 404, "not_found"),
        ("POST", "/queue", {"track_id": 1, "mode": "soon"}, 400, "invalid_field"),
        ("POST", "/queue", {"track_id": -3}, 400, "invalid_field"),
        ("DELETE", "/queue/7", None, 404, "not_found"),
        ("DELETE", "/queue/x", None, 400, "invalid_id"),
        ("POST", "/queue/7/move", {"index": 0}, 404, "not_found"),
        ("POST", "/queue/7/move", {}, 400, "missing_field"),
        ("PUT", "", {"volume": 101}, 400, "invalid_field"),
        ("PUT", "", {"volume": -1}, 400, "invalid_field"),
        ("PUT", "", {"repeat": "sometimes"}, 400, "invalid_field"),
        ("PUT", "", {"shuffle": "yes"}, 400, "invalid_field"),
        ("PUT", "", {"position_ms": -5}, 400, "invalid_field"),
        ("PUT", "", {"playing": True}, 409, "nothing_playing"),
        ("POST", "/next", {"explicit": "yes"}, 400, "invalid_field"),
        ("POST", "/previous", {"position_ms": -1}, 400, "invalid_field"),
        ("POST", "/next", "[]", 400, "invalid_json"),
    ],
)  # fmt: skip
async def test_bad_requests_get_4xx_json(
    client: Client, admin: dict[str, str], method: str, url: str, body: Any, status: int, code: str
) -> None:
    data = body if isinstance(body, str) else None
    resp = await client.request(
        method, PLAYER + url, json=None if data else body, data=data,
        headers={**admin, "Content-Type": "application/json"},
    )  # fmt: skip
    assert resp.status == status, await resp.text()
    assert (await resp.json())["error"]["code"] == code


async def test_an_empty_playlist_cannot_be_played(client: Client, admin: dict[str, str]) -> None:
    pl = await call(client, "POST", "/api/v1/playlists", admin, {"name": "Empty"}, 201)
    out = await call(client, "POST", f"{PLAYER}/play", admin,
                     {"context": {"type": "playlist", "id": pl["id"]}}, 400)  # fmt: skip
    assert out["error"]["code"] == "empty_context"
    # Nothing was stored by the failed attempts.
    assert (await call(client, "GET", PLAYER, admin))["version"] == 0
