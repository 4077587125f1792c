"""Listen parties through the API on one database, with a second app as another replica:
starting, joining with the code, the lock-out and the code's rotation, leaving and handing
over, suggestions, and the events of the host's player on the party's websocket."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import asyncpg
from aiohttp import ClientWebSocketResponse
from aiohttp.test_utils import TestClient

from api.context import SERVICES
from tests.api.party.conftest import As

Client = TestClient  # type: ignore[type-arg]
PARTIES = "/api/v1/parties"
PLAYER = "/api/v1/me/player"
REFUSED = {"code": "join_refused", "message": "no listen party at this link, or the code is wrong"}


async def start(host: As, **body: Any) -> dict[str, Any]:
    party: dict[str, Any] = await host.call("POST", PARTIES, body, status=201)
    return party


async def join(who: As, party_id: str, code: str | None = None, status: int = 200) -> Any:
    body = {} if code is None else {"code": code}
    return await who.call("POST", f"{PARTIES}/{party_id}/join", body, status=status)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10000:04d}"


async def receive(ws: ClientWebSocketResponse, kind: str | None = None) -> dict[str, Any]:
    """The next party message (of `kind`, skipping others)."""
    async with asyncio.timeout(5):
        while True:
            message: dict[str, Any] = await ws.receive_json()
            if kind is None or message["type"] == kind:
                return message


async def test_starting_a_party_with_a_code(people: dict[str, As]) -> None:
    host = people["admin"]
    party = await start(host, require_code=True)
    assert len(party["id"]) >= 22 and party["link"] == f"/party/{party['id']}"
    assert party["require_code"] is True and party["you_are_host"] is True
    assert len(party["code"]) == 4 and party["code"].isdigit()
    # Nobody has the party's socket open yet: the host is in it, but not online.
    assert party["members"] == [{"id": host.id, "name": "admin", "host": True, "online": False}]
    mine = await host.call("GET", "/api/v1/me/party")
    assert mine["party"]["code"] == party["code"]
    # One party at a time.
    again = await host.call("POST", PARTIES, {}, status=409)
    assert again["error"]["code"] == "already_hosting"
    # Without a code nobody is asked for one, and there is none to see.
    other = await start(people["bob"])
    assert other["require_code"] is False and other["code"] is None


async def test_joining_with_the_code_and_what_members_see(people: dict[str, As]) -> None:
    host, bob = people["admin"], people["bob"]
    party = await start(host, require_code=True)
    code, pid = party["code"], party["id"]

    # Not a member yet: the party is not there for bob.
    assert (await bob.call("GET", f"{PARTIES}/{pid}", status=404))["error"][
        "code"
    ] == "party_not_found"
    seen = await join(bob, pid, code)
    assert seen["you_are_host"] is False and seen["require_code"] is True
    assert "code" not in seen and "code_rotated" not in seen
    assert [m["name"] for m in seen["members"]] == ["admin", "bob"]
    assert seen["host"] == {"id": host.id, "name": "admin"}
    assert (await bob.call("GET", "/api/v1/me/party"))["party"]["id"] == pid
    # Back again (a lost connection, another device): no code needed.
    await join(bob, pid)

    # Without a code the link alone lets people in.
    open_party = await start(people["carol"])
    assert (await join(people["dave"], open_party["id"]))["members"][1]["name"] == "dave"


async def test_a_wrong_code_and_an_unknown_party_get_the_same_answer(people: dict[str, As]) -> None:
    host, bob = people["admin"], people["bob"]
    party = await start(host, require_code=True)
    answers = [
        await join(bob, party["id"], wrong(party["code"]), status=403),
        await join(bob, "no-such-party-" + "x" * 10, "1234", status=403),
        await join(bob, party["id"], None, status=403),  # no code at all
        await join(bob, "no-such-party", None, status=403),
    ]
    assert all(a == {"error": REFUSED} for a in answers)
    # A malformed code is refused before anything is looked up.
    bad = await join(bob, party["id"], "12a4", status=400)
    assert bad["error"]["code"] == "invalid_code"


async def test_wrong_codes_lock_out_on_every_replica(
    people: dict[str, As], replica: Client, pool: asyncpg.Pool
) -> None:
    host, bob, carol = people["admin"], people["bob"], people["carol"]
    party = await start(host, require_code=True)
    pid, code = party["id"], party["code"]
    # Bob guesses on both replicas, on this party and on one that does not exist.
    for n in range(5):
        who = bob if n % 2 else bob.on(replica)
        target = pid if n < 4 else "made-up-party-id"
        await join(who, target, wrong(code), status=403)
    for who in (bob, bob.on(replica)):
        resp = await who.client.post(
            f"{PARTIES}/{pid}/join", json={"code": code}, headers=who.headers
        )
        assert resp.status == 429  # even the right code, once locked out
        assert (await resp.json())["error"]["code"] == "join_locked_out"
        wait = int(resp.headers["Retry-After"])
        assert 14 * 60 < wait <= 15 * 60
    # Carol is another user: her own count is clean (the address has 5 of its 20).
    await join(carol, pid, code)
    # Fifteen minutes later bob may try again.
    await pool.execute("UPDATE party_join_failures SET at = at - interval '15 minutes'")
    await join(bob.on(replica), pid, code)


async def test_the_code_is_replaced_after_ten_wrong_guesses_and_the_host_is_told(
    people: dict[str, As], replica: Client, pool: asyncpg.Pool
) -> None:
    host, bob, carol, dave = people["admin"], people["bob"], people["carol"], people["dave"]
    party = await start(host, require_code=True)
    pid, code = party["id"], party["code"]
    async with host.client.ws_connect(f"{PARTIES}/{pid}/ws", headers=host.headers) as ws:
        await receive(ws, "sync")
        for n in range(10):
            guesser = (bob, carol)[n % 2].on(replica)
            await join(guesser, pid, wrong(code), status=403)
        told = await receive(ws, "code")
    new = told["party"]["code"]
    assert new != code and told["party"]["code_rotated"] is True
    again = await host.call("GET", f"{PARTIES}/{pid}")
    assert (again["code"], again["code_rotated"]) == (new, True)
    # The old code is useless now, the new one works.
    await join(dave, pid, code, status=403)
    await join(dave, pid, new)


async def test_one_address_gets_twenty_wrong_codes(people: dict[str, As]) -> None:
    """However many accounts guess from it (a household behind one router gets that much
    room); each account still stops at five."""
    pid = (await start(people["admin"], require_code=True))["id"]
    for name in ("bob", "carol", "dave", "erin"):
        for n in range(5):
            # A party that does not exist: wrong codes anywhere count, and this party's
            # code is not replaced meanwhile.
            await join(people[name], f"nowhere-{n}", "0000", status=403)
        await join(people[name], "nowhere", "0000", status=429)
    resp = await people["fred"].client.post(
        f"{PARTIES}/{pid}/join", json={"code": "0000"}, headers=people["fred"].headers
    )
    assert resp.status == 429
    assert 14 * 60 < int(resp.headers["Retry-After"]) <= 15 * 60


async def test_the_host_regenerates_and_removes_the_code(people: dict[str, As]) -> None:
    host, bob, carol = people["admin"], people["bob"], people["carol"]
    party = await start(host, require_code=True)
    pid = party["id"]
    await join(bob, pid, party["code"])
    # Members cannot touch it.
    assert (await bob.call("POST", f"{PARTIES}/{pid}/code", status=403))["error"][
        "code"
    ] == "host_only"
    fresh = await host.call("POST", f"{PARTIES}/{pid}/code")
    assert fresh["code"] != party["code"] and fresh["code_rotated"] is False
    await join(carol, pid, party["code"], status=403)
    gone = await host.call("DELETE", f"{PARTIES}/{pid}/code")
    assert (gone["require_code"], gone["code"]) == (False, None)
    await join(carol, pid)


async def test_leaving_ending_and_handing_over(
    people: dict[str, As], tracks: dict[str, int]
) -> None:
    host, bob, carol = people["admin"], people["bob"], people["carol"]
    party = await start(host)
    pid = party["id"]
    for who in (bob, carol):
        await join(who, pid)
    await host.call(
        "POST",
        f"{PLAYER}/play",
        {"context": {"type": "tracks", "track_ids": list(tracks.values())}},
    )

    # The host must choose how to leave.
    assert (await host.call("POST", f"{PARTIES}/{pid}/leave", {}, status=400))["error"][
        "code"
    ] == "host_must_choose"
    await bob.call("POST", f"{PARTIES}/{pid}/leave", {}, status=204)
    assert (await bob.call("GET", "/api/v1/me/party"))["party"] is None
    # Handing over to someone outside the party is refused.
    refused = await host.call("POST", f"{PARTIES}/{pid}/leave", {"hand_to": bob.id}, status=400)
    assert refused["error"]["code"] == "not_a_member"

    # Carol takes over, and her player carries on with the host's music.
    await host.call("POST", f"{PARTIES}/{pid}/leave", {"hand_to": carol.id}, status=204)
    now = await carol.call("GET", f"{PARTIES}/{pid}")
    assert now["you_are_host"] is True and [m["name"] for m in now["members"]] == ["carol"]
    carols = await carol.call("GET", PLAYER)
    assert carols["current"]["track"]["id"] == tracks["Intro"] and carols["playing"] is True

    await carol.call("DELETE", f"{PARTIES}/{pid}", status=204)
    assert (await carol.call("GET", "/api/v1/me/party"))["party"] is None
    await join(bob, pid, status=403)  # an ended party is no party


async def test_suggestions_go_to_the_hosts_queue_when_allowed(
    people: dict[str, As], tracks: dict[str, int]
) -> None:
    host, bob = people["admin"], people["bob"]
    pid = (await start(host))["id"]
    await join(bob, pid)
    url = f"{PARTIES}/{pid}/suggestions"
    off = await bob.call("POST", url, {"track_id": tracks["Outro"]}, status=403)
    assert off["error"]["code"] == "suggestions_off"
    assert await bob.call("PATCH", f"{PARTIES}/{pid}", {"allow_suggestions": True}, status=403)
    await host.call("PATCH", f"{PARTIES}/{pid}", {"allow_suggestions": True})
    await bob.call("POST", url, {"track_id": tracks["Outro"]}, status=201)
    queue = (await host.call("GET", PLAYER))["queue"]
    assert [e["track"]["id"] for e in queue] == [tracks["Outro"]]


async def test_the_hosts_player_drives_the_members_socket_on_another_replica(
    people: dict[str, As], replica: Client, tracks: dict[str, int]
) -> None:
    host, bob = people["admin"], people["bob"].on(replica)
    party = await start(host, require_code=True)
    pid = party["id"]
    await join(bob, pid, party["code"])
    url = f"{PARTIES}/{pid}/ws"
    texts: list[str] = []
    async with bob.client.ws_connect(url, headers=bob.headers) as ws:
        first = await receive(ws)
        texts.append(json.dumps(first))
        assert first["type"] == "sync" and first["track_id"] is None and first["playing"] is False
        for field in ("position_ms", "server_time_ms", "seq", "party", "queue"):
            assert field in first

        ids = list(tracks.values())
        await host.call("POST", f"{PLAYER}/play", {"context": {"type": "tracks", "track_ids": ids}})
        started = await receive(ws, "track")
        assert (started["track_id"], started["playing"]) == (ids[0], True)
        assert started["track"]["title"] == "Intro"
        await host.call("PUT", PLAYER, {"playing": False, "position_ms": 4000})
        paused = await receive(ws, "pause")
        assert (paused["position_ms"], paused["playing"]) == (4000, False)
        await host.call("PUT", PLAYER, {"playing": True})
        resumed = await receive(ws, "play")
        assert (
            resumed["position_ms"] == 4000 and resumed["server_time_ms"] >= paused["server_time_ms"]
        )
        await host.call("PUT", PLAYER, {"position_ms": 20_000})
        assert (await receive(ws, "seek"))["position_ms"] == 20_000
        # A queue edit keeps the timeline where it was.
        await host.call("POST", f"{PLAYER}/queue", {"track_id": ids[2]}, status=201)
        queued = await receive(ws, "queue")
        assert [t["id"] for t in queued["queue"]] == [ids[2]]
        assert queued["position_ms"] == 20_000
        await host.call("POST", f"{PLAYER}/next", {})
        assert (await receive(ws, "track"))["track_id"] == ids[2]
        # The host's volume is the host's own business: no event.
        await host.call("PUT", PLAYER, {"volume": 10})

        # The clock exchange.
        await ws.send_json({"type": "ping", "id": 7, "t0": 123.5})
        pong = await receive(ws, "pong")
        assert pong["id"] == 7 and pong["t0"] == 123.5 and pong["t2"] >= pong["t1"] > 0
        # Asking for what only the host may do.
        await ws.send_json({"type": "end"})
        assert (await receive(ws, "error"))["error"]["code"] == "host_only"
        await ws.send_json({"type": "dance"})
        assert (await receive(ws, "error"))["error"]["code"] == "unknown_type"

        await host.call("DELETE", f"{PARTIES}/{pid}", status=204)
        ended = await receive(ws, "ended")
        texts.append(json.dumps(ended))
        assert ended["party"]["ended"] is True
        async with asyncio.timeout(5):
            assert (await ws.receive()).type.name in ("CLOSE", "CLOSING", "CLOSED")
    assert all(f'"{party["code"]}"' not in t for t in texts)


async def test_a_socket_needs_membership(people: dict[str, As]) -> None:
    host, bob = people["admin"], people["bob"]
    pid = (await start(host, require_code=True))["id"]
    resp = await bob.client.get(f"{PARTIES}/{pid}/ws", headers=bob.headers)
    assert resp.status == 404
    assert (await resp.json())["error"]["code"] == "party_not_found"


async def test_the_hosts_position_report_moves_the_timeline(
    people: dict[str, As], tracks: dict[str, int]
) -> None:
    host, bob = people["admin"], people["bob"]
    pid = (await start(host))["id"]
    await join(bob, pid)
    ids = list(tracks.values())
    await host.call("POST", f"{PLAYER}/play", {"context": {"type": "tracks", "track_ids": ids}})
    async with (
        host.client.ws_connect(f"{PARTIES}/{pid}/ws", headers=host.headers) as hws,
        bob.client.ws_connect(f"{PARTIES}/{pid}/ws", headers=bob.headers) as bws,
    ):
        await receive(hws, "sync")
        synced = await receive(bws, "sync")
        at = synced["server_time_ms"] + 500
        # A report about another track, or far from now, is ignored; a good one is taken.
        await hws.send_json({"type": "position", "track_id": ids[1], "position_ms": 9, "at_ms": at})
        await hws.send_json(
            {"type": "position", "track_id": ids[0], "position_ms": 9, "at_ms": at - 60_000}
        )
        await hws.send_json(
            {"type": "position", "track_id": ids[0], "position_ms": 1234, "at_ms": at}
        )
        moved = await receive(bws, "position")
        assert (moved["position_ms"], moved["server_time_ms"], moved["playing"]) == (1234, at, True)
        # Members cannot move it.
        await bws.send_json(
            {"type": "position", "track_id": ids[0], "position_ms": 5, "at_ms": at + 1}
        )
        await bws.send_json({"type": "ping", "id": 1, "t0": 0})
        await receive(bws, "pong")
        assert (await bob.call("GET", f"{PARTIES}/{pid}"))["id"] == pid


async def test_concurrent_guesses_on_two_replicas_are_counted_exactly(
    people: dict[str, As], replica: Client, pool: asyncpg.Pool
) -> None:
    """Twenty wrong codes at once, half through each replica: the user's limit of five is
    never overshot (the attempts queue on the user's lock in the database)."""
    host, bob = people["admin"], people["bob"]
    party = await start(host, require_code=True)
    pid, code = party["id"], party["code"]

    async def guess(n: int) -> int:
        who = bob if n % 2 else bob.on(replica)
        resp = await who.client.post(
            f"{PARTIES}/{pid}/join", json={"code": wrong(code)}, headers=who.headers
        )
        return resp.status

    statuses = await asyncio.gather(*(guess(n) for n in range(20)))
    assert sorted(statuses) == [403] * 5 + [429] * 15
    assert await pool.fetchval("SELECT count(*) FROM party_join_failures") == 5


async def test_old_wrong_codes_are_forgotten(people: dict[str, As], pool: asyncpg.Pool) -> None:
    bob = people["bob"]
    for n in range(3):
        await join(bob, f"nowhere-{n}", "1111", status=403)
    await pool.execute(
        "UPDATE party_join_failures SET at = at - interval '31 minutes' WHERE party_id IS NULL"
        " AND id IN (SELECT id FROM party_join_failures ORDER BY id LIMIT 2)"
    )
    store = bob.client.app[SERVICES].parties.store
    assert await store.prune_failures(timedelta(minutes=30)) == 2
    assert await pool.fetchval("SELECT count(*) FROM party_join_failures") == 1
