"""Favourite tracks, albums and artists through the HTTP API: toggling, idempotency, each
user's own, the lists' order and paging, the flags in the catalogue's answers, and favourites
going with what a rescan removes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from tests.api.conftest import PASSWORD, get_json, rescan
from tests.audio import make_track

Client = TestClient  # type: ignore[type-arg]
FAV = "/api/v1/me/favourites"


async def put(client: Client, path: str, headers: dict[str, str], status: int = 204) -> None:
    resp = await client.put(FAV + path, headers=headers)
    assert resp.status == status, await resp.text()


async def delete(client: Client, path: str, headers: dict[str, str], status: int = 204) -> None:
    resp = await client.delete(FAV + path, headers=headers)
    assert resp.status == status, await resp.text()


async def listed(client: Client, kind: str, headers: dict[str, str], query: str = "") -> Any:
    return await get_json(client, f"{FAV}/{kind}{query}", headers)


def names(page: dict[str, Any]) -> list[str]:
    return [item.get("title") or item["name"] for item in page["items"]]


async def ids(client: Client, headers: dict[str, str]) -> dict[str, int]:
    """Ids of every track (by title), album (by title) and artist (by name)."""
    out: dict[str, int] = {}
    for kind in ("tracks", "albums", "artists"):
        for item in (await get_json(client, f"/api/v1/{kind}?limit=100", headers))["items"]:
            out[item.get("title") or item["name"]] = item["id"]
    return out


async def second_user(client: Client, admin: dict[str, str], name: str = "bob") -> dict[str, str]:
    resp = await client.post(
        "/api/v1/users", json={"name": name, "password": PASSWORD}, headers=admin
    )
    assert resp.status == 201, await resp.text()
    login = await client.post("/api/v1/auth/login", json={"name": name, "password": PASSWORD})
    return {"Authorization": f"Bearer {(await login.json())['token']}"}


@pytest.mark.parametrize(
    ("kind", "item"),
    [("tracks", "Teardrop"), ("albums", "Mezzanine"), ("artists", "Massive Attack")],
)
async def test_favourite_and_unfavourite(
    client: Client, admin: dict[str, str], scanned: dict[str, Path], kind: str, item: str
) -> None:
    item_id = (await ids(client, admin))[item]
    assert await listed(client, kind, admin) == {"items": [], "total": 0}

    await put(client, f"/{kind}/{item_id}", admin)
    page = await listed(client, kind, admin)
    assert names(page) == [item] and page["total"] == 1
    assert page["items"][0]["favourite"] is True
    # The same item as the catalogue's own lists serve it, flag and all.
    everything = await get_json(client, f"/api/v1/{kind}?limit=100", admin)
    assert page["items"][0] == next(i for i in everything["items"] if i["id"] == item_id)

    # Again: nothing changes.
    await put(client, f"/{kind}/{item_id}", admin)
    assert (await listed(client, kind, admin))["total"] == 1

    await delete(client, f"/{kind}/{item_id}", admin)
    assert await listed(client, kind, admin) == {"items": [], "total": 0}
    await delete(client, f"/{kind}/{item_id}", admin)  # not a favourite: still fine
    everything = await get_json(client, f"/api/v1/{kind}?limit=100", admin)
    assert next(i for i in everything["items"] if i["id"] == item_id)["favourite"] is False


async def test_lists_are_newest_first_and_page(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    known = await ids(client, admin)
    order = ["Jóga", "Angel", "Glory Box", "Teardrop", "Risingson"]
    for title in order:
        await put(client, f"/tracks/{known[title]}", admin)
    newest_first = order[::-1]
    assert names(await listed(client, "tracks", admin)) == newest_first

    first = await listed(client, "tracks", admin, "?limit=2")
    second = await listed(client, "tracks", admin, "?limit=2&offset=2")
    last = await listed(client, "tracks", admin, "?limit=2&offset=4")
    beyond = await listed(client, "tracks", admin, "?limit=2&offset=9")
    assert [first["total"], second["total"], last["total"], beyond["total"]] == [5] * 4
    assert names(first) + names(second) + names(last) == newest_first
    assert beyond["items"] == []

    # Favouriting a favourite again keeps its place; unfavouriting and favouriting again
    # makes it the newest.
    await put(client, f"/tracks/{known['Jóga']}", admin)
    assert names(await listed(client, "tracks", admin))[-1] == "Jóga"
    await delete(client, f"/tracks/{known['Jóga']}", admin)
    await put(client, f"/tracks/{known['Jóga']}", admin)
    assert names(await listed(client, "tracks", admin)) == ["Jóga", *newest_first[:-1]]


async def test_each_user_has_their_own(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    known = await ids(client, admin)
    bob = await second_user(client, admin)
    await put(client, f"/tracks/{known['Angel']}", admin)
    await put(client, f"/albums/{known['Dummy']}", bob)

    assert names(await listed(client, "tracks", admin)) == ["Angel"]
    assert names(await listed(client, "tracks", bob)) == []
    assert names(await listed(client, "albums", bob)) == ["Dummy"]
    assert names(await listed(client, "albums", admin)) == []
    angel = f"/api/v1/tracks/{known['Angel']}"
    assert (await get_json(client, angel, admin))["favourite"] is True
    assert (await get_json(client, angel, bob))["favourite"] is False

    # Bob removing what is only the admin's favourite changes nothing of the admin's.
    await delete(client, f"/tracks/{known['Angel']}", bob)
    assert names(await listed(client, "tracks", admin)) == ["Angel"]


async def test_unknown_ids_bad_kinds_and_bad_parameters(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    async def error(method: str, path: str, status: int, code: str) -> None:
        resp = await client.request(method, FAV + path, headers=admin)
        assert resp.status == status, (method, path, await resp.text())
        body = await resp.json()
        assert body["error"]["code"] == code, body
        assert body["error"]["message"]

    for kind in ("tracks", "albums", "artists"):
        await error("PUT", f"/{kind}/987654", 404, "not_found")
        await error("DELETE", f"/{kind}/987654", 404, "not_found")
    for path in ("/playlists/1", "/songs/1", "/Tracks/1"):
        await error("PUT", path, 400, "invalid_kind")
        await error("DELETE", path, 400, "invalid_kind")
    await error("GET", "/playlists", 400, "invalid_kind")
    for bad_id in ("0", "abc", "-3", "99999999999999999999"):
        await error("PUT", f"/tracks/{bad_id}", 400, "invalid_id")
    for query in ("?limit=0", "?limit=501", "?offset=-1", "?limit=ten"):
        await error("GET", f"/tracks{query}", 400, "invalid_parameter")
    # Signed out.
    assert (await client.put(f"{FAV}/tracks/1")).status == 401
    assert (await client.get(f"{FAV}/tracks")).status == 401
    assert await listed(client, "tracks", admin) == {"items": [], "total": 0}


async def test_flags_in_the_catalogue_answers(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    known = await ids(client, admin)
    await put(client, f"/tracks/{known['Risingson']}", admin)
    await put(client, f"/albums/{known['Mezzanine']}", admin)
    await put(client, f"/artists/{known['Portishead']}", admin)

    album = await get_json(client, f"/api/v1/albums/{known['Mezzanine']}", admin)
    assert album["favourite"] is True
    assert {t["title"]: t["favourite"] for t in album["tracks"]} == {
        "Angel": False,
        "Risingson": True,
        "Teardrop": False,
    }
    dummy = await get_json(client, f"/api/v1/albums/{known['Dummy']}", admin)
    assert dummy["favourite"] is False and dummy["tracks"][0]["favourite"] is False
    assert (await get_json(client, f"/api/v1/tracks/{known['Risingson']}", admin))["favourite"]

    tracks = await get_json(client, "/api/v1/tracks?limit=100", admin)
    assert {t["title"] for t in tracks["items"] if t["favourite"]} == {"Risingson"}
    assert all(isinstance(t["favourite"], bool) for t in tracks["items"])
    albums = await get_json(client, "/api/v1/albums?limit=100", admin)
    assert {a["title"] for a in albums["items"] if a["favourite"]} == {"Mezzanine"}
    artists = await get_json(client, "/api/v1/artists?limit=100", admin)
    assert {a["name"] for a in artists["items"] if a["favourite"]} == {"Portishead"}
    artist = await get_json(client, f"/api/v1/artists/{known['Portishead']}", admin)
    assert artist["artist"]["favourite"] is True and artist["albums"][0]["favourite"] is False

    found = await get_json(client, "/api/v1/search?q=mezzanine", admin)
    assert [a["favourite"] for a in found["albums"]["items"]] == [True]
    found = await get_json(client, "/api/v1/search?q=risingson", admin)
    assert [t["favourite"] for t in found["tracks"]["items"]] == [True]

    # A play state is not only its owner's to see (listen parties): it says nothing.
    resp = await client.post(
        "/api/v1/me/player/play",
        json={"context": {"type": "album", "id": known["Mezzanine"]}},
        headers=admin,
    )
    assert resp.status == 200, await resp.text()
    state = await resp.json()
    assert state["current"]["track"]["title"] == "Angel"
    assert "favourite" not in state["current"]["track"]


async def favourite_rows(pool: asyncpg.Pool) -> dict[str, int]:
    return {
        kind: await pool.fetchval(f"SELECT count(*) FROM favourite_{kind}")
        for kind in ("tracks", "albums", "artists")
    }


async def test_favourites_go_with_what_a_rescan_removes(
    client: Client,
    admin: dict[str, str],
    music: dict[str, Path],
    library: list[Path],
    pool: asyncpg.Pool,
) -> None:
    # Another album on the first drive keeps it from looking unmounted once Mezzanine goes.
    make_track(library[0] / "Other" / "Tune.flac", title="Tune", artists=["Other"], album="B")
    await rescan(client)
    known = await ids(client, admin)
    bob = await second_user(client, admin)
    for who in (admin, bob):
        await put(client, f"/tracks/{known['Angel']}", who)
        await put(client, f"/tracks/{known['Teardrop']}", who)
        await put(client, f"/albums/{known['Mezzanine']}", who)
        await put(client, f"/artists/{known['Massive Attack']}", who)
        await put(client, f"/artists/{known['Elizabeth Fraser']}", who)

    # One file goes: its track's favourites go with it, the album's stay.
    music["angel"].unlink()
    await rescan(client)
    assert names(await listed(client, "tracks", admin)) == ["Teardrop"]
    assert names(await listed(client, "albums", bob)) == ["Mezzanine"]
    assert await favourite_rows(pool) == {"tracks": 2, "albums": 2, "artists": 4}

    # The album's folder moves: the album (keyed by its tags) and its artists keep their ids
    # and favourites; the moved files are new tracks, not favourites.
    folder = music["teardrop"].parent
    folder.rename(folder.with_name("Mezzanine (1998)"))
    await rescan(client)
    again = await ids(client, admin)
    assert again["Mezzanine"] == known["Mezzanine"]
    assert again["Teardrop"] != known["Teardrop"]
    assert names(await listed(client, "albums", admin)) == ["Mezzanine"]
    assert names(await listed(client, "tracks", admin)) == []
    assert await favourite_rows(pool) == {"tracks": 0, "albums": 2, "artists": 4}

    # The whole album goes: the prune after the scan takes it and its artists, and with them
    # every user's favourites of them.
    for path in folder.with_name("Mezzanine (1998)").iterdir():
        path.unlink()
    await rescan(client)
    for who in (admin, bob):
        for kind in ("tracks", "albums", "artists"):
            assert await listed(client, kind, who) == {"items": [], "total": 0}
    assert await favourite_rows(pool) == {"tracks": 0, "albums": 0, "artists": 0}

    # A user who is deleted takes their favourites along.
    await put(client, f"/tracks/{again['Tune']}", bob)
    await pool.execute("DELETE FROM users WHERE name = 'bob'")
    assert await favourite_rows(pool) == {"tracks": 0, "albums": 0, "artists": 0}


async def test_concurrent_toggles_end_in_one_favourite(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    glory = (await ids(client, admin))["Glory Box"]
    await asyncio.gather(*(put(client, f"/tracks/{glory}", admin) for _ in range(8)))
    assert names(await listed(client, "tracks", admin)) == ["Glory Box"]
