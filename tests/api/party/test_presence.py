"""Listen parties, continued: who is connected right now (across replicas, and after a
replica dies), the party ending when its host has been gone past `party_host_grace`, and
members' suggestions rate-limited in the database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from aiohttp import ClientWebSocketResponse
from aiohttp.test_utils import TestClient
from prometheus_client import REGISTRY

from api.app import create_app
from api.context import SERVICES
from api.party import rules
from tests.api.party.conftest import As
from tonearm.config import Config

Client = TestClient  # type: ignore[type-arg]
PARTIES = "/api/v1/parties"


@pytest.fixture
def config(config: Config) -> Config:
    """The apps of these tests never end a party on their own (grace 0): the tests call
    `expire` themselves, so what ends when is theirs to say. One test starts an app that
    does, with a short grace."""
    return replace(config, party_host_grace=0)


async def start(host: As, **body: Any) -> str:
    party: dict[str, Any] = await host.call("POST", PARTIES, body, status=201)
    return str(party["id"])


async def join(who: As, party_id: str) -> None:
    await who.call("POST", f"{PARTIES}/{party_id}/join", {})


def online(message: dict[str, Any]) -> dict[str, bool]:
    return {m["name"]: m["online"] for m in message["party"]["members"]}


async def until(
    ws: ClientWebSocketResponse, check: Callable[[dict[str, Any]], bool], within: float = 10
) -> dict[str, Any]:
    """The first party message that passes `check` (pongs, errors and the like skipped)."""
    async with asyncio.timeout(within):
        while True:
            message: dict[str, Any] = await ws.receive_json()
            if "party" in message and check(message):
                return message


def ws(who: As, party_id: str) -> Any:
    return who.client.ws_connect(f"{PARTIES}/{party_id}/ws", headers=who.headers)


async def rows_of(pool: asyncpg.Pool, user_id: int) -> int:
    return int(
        await pool.fetchval("SELECT count(*) FROM party_presence WHERE user_id = $1", user_id)
    )


async def rows_become(pool: asyncpg.Pool, user_id: int, expected: int) -> None:
    """Wait for a socket's close to reach the database (it is written after the close)."""
    for _ in range(200):
        if await rows_of(pool, user_id) == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"user {user_id} still has {await rows_of(pool, user_id)} rows")


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_members_are_shown_online_while_a_socket_is_open_on_any_replica(
    people: dict[str, As], replica: Client, pool: asyncpg.Pool
) -> None:
    host, bob = people["admin"], people["bob"]
    pid = await start(host)
    await join(bob, pid)
    async with ws(host, pid) as hws:
        first = await until(hws, lambda m: m["type"] == "sync")
        assert online(first) == {"admin": True, "bob": False}  # joined is not connected

        # Bob connects on the other replica: the host, on this one, sees him arrive.
        async with ws(bob.on(replica), pid) as b1:
            seen = await until(hws, lambda m: online(m)["bob"])
            assert seen["type"] == "members"
            assert online(await until(b1, lambda m: m["type"] == "sync")) == {
                "admin": True,
                "bob": True,
            }
            # A second device of his, on this replica; the first one goes away.
            async with ws(bob, pid) as b2:
                await until(b2, lambda m: m["type"] == "sync")
                assert await rows_of(pool, bob.id) == 2  # one row per replica
                await b1.close()
                await rows_become(pool, bob.id, 1)
                view = await host.call("GET", f"{PARTIES}/{pid}")
                assert {m["name"]: m["online"] for m in view["members"]}["bob"] is True
            # Now no device of his is connected anywhere.
            await until(hws, lambda m: not online(m)["bob"])
        assert await rows_of(pool, bob.id) == 0
    await rows_become(pool, host.id, 0)
    view = await host.call("GET", f"{PARTIES}/{pid}")
    assert [m["online"] for m in view["members"]] == [False, False]


async def test_a_dead_replicas_members_go_away_after_the_expiry(
    people: dict[str, As], pool: asyncpg.Pool
) -> None:
    """A replica that dies cannot say its members left: its rows stop being refreshed, and
    the next sweep (by any replica) takes them away and tells everyone."""
    host, carol = people["admin"], people["carol"]
    parties = host.client.app[SERVICES].parties
    pid = await start(host)
    await join(carol, pid)
    async with ws(host, pid) as hws:
        await until(hws, lambda m: m["type"] == "sync")
        # Carol's socket is on a replica that is about to die: its rows look like this.
        await parties.store.present("a-replica-that-dies", [(pid, carol.id)])
        assert online(await until(hws, lambda m: online(m)["carol"])) == {
            "admin": True,
            "carol": True,
        }
        # Within the expiry a sweep keeps the row; it is as if the replica were alive.
        await parties.expire(0)
        assert (await host.call("GET", f"{PARTIES}/{pid}"))["members"][1]["online"] is True
        # The replica died a while ago: its last refresh is older than the expiry.
        await pool.execute(
            "UPDATE party_presence SET seen_at = now() - $1::interval"
            " WHERE replica = 'a-replica-that-dies'",
            rules.PRESENCE_TTL,
        )
        # Shown away at once (the row is stale), and swept with an event.
        assert (await host.call("GET", f"{PARTIES}/{pid}"))["members"][1]["online"] is False
        await parties.expire(0)
        gone = await until(hws, lambda m: m["type"] == "members" and not online(m)["carol"])
        assert online(gone) == {"admin": True, "carol": False}
        # The host's own row, kept fresh by the living replica, stays.
        assert await rows_of(pool, host.id) == 1
        assert await rows_of(pool, carol.id) == 0


async def test_a_replica_shutting_down_takes_its_members_presence_away(
    people: dict[str, As], aiohttp_client: Any, config: Config, pool: asyncpg.Pool
) -> None:
    host, dave = people["admin"], people["dave"]
    pid = await start(host)
    await join(dave, pid)
    leaving = await aiohttp_client(create_app(config, pool, background=False))
    async with ws(host, pid) as hws:
        await until(hws, lambda m: m["type"] == "sync")
        dws = await ws(dave.on(leaving), pid)
        await until(hws, lambda m: online(m)["dave"])
        await leaving.close()  # a clean shutdown: sockets closed, rows deleted
        await until(hws, lambda m: not online(m)["dave"])
        assert dws.closed
    assert await rows_of(pool, dave.id) == 0


async def test_a_party_ends_when_its_host_is_gone_past_the_grace(
    people: dict[str, As], replica: Client, pool: asyncpg.Pool
) -> None:
    host, bob = people["admin"], people["bob"]
    parties = host.client.app[SERVICES].parties
    others = replica.app[SERVICES].parties
    grace = 600
    pid = await start(host)
    await join(bob, pid)
    # Just started, no socket yet: the host has the whole grace to open one.
    assert await parties.expire(grace) == []

    async with ws(bob.on(replica), pid) as bws:
        await until(bws, lambda m: m["type"] == "sync")
        async with ws(host, pid) as hws:
            await until(hws, lambda m: m["type"] == "sync")
            await until(bws, lambda m: online(m)["admin"])
            # Long ago by the clock, but the host's socket is open: the party goes on.
            await pool.execute(
                "UPDATE parties SET host_seen_at = now() - interval '1 hour' WHERE id = $1", pid
            )
            assert await parties.expire(grace) == []
        # The host closed the page: last seen now, so again the whole grace.
        await until(bws, lambda m: not online(m)["admin"])
        assert await others.expire(grace) == []
        # A member's socket does not keep a party alive.
        await pool.execute(
            "UPDATE parties SET host_seen_at = now() - $2::interval WHERE id = $1",
            pid,
            timedelta(seconds=grace + 1),
        )
        before = sample("tonearm_party_host_gone_total")
        # Every replica sweeps; the party ends once, whichever gets there first.
        results = await asyncio.gather(
            parties.expire(grace), others.expire(grace), parties.expire(grace)
        )
        assert sorted(pid for ended in results for pid in ended) == [pid]
        assert sample("tonearm_party_host_gone_total") == before + 1
        ended = await until(bws, lambda m: m["type"] == "ended")
        assert ended["party"]["ended"] is True
    await bob.call("GET", f"{PARTIES}/{pid}", status=404)
    assert (await host.call("GET", "/api/v1/me/party"))["party"] is None

    # With a grace of 0 a party never ends this way.
    other = await start(host)
    await pool.execute("UPDATE parties SET host_seen_at = now() - interval '30 days'")
    assert await parties.expire(0) == []
    assert (await host.call("GET", "/api/v1/me/party"))["party"]["id"] == other


async def test_a_handed_over_party_gives_the_new_host_the_whole_grace(
    people: dict[str, As], pool: asyncpg.Pool
) -> None:
    host, bob = people["admin"], people["bob"]
    parties = host.client.app[SERVICES].parties
    pid = await start(host)
    await join(bob, pid)
    await pool.execute(
        "UPDATE parties SET host_seen_at = now() - interval '1 hour' WHERE id = $1", pid
    )
    await host.call("POST", f"{PARTIES}/{pid}/host", {"user_id": bob.id})
    assert await parties.expire(600) == []
    assert (await bob.call("GET", f"{PARTIES}/{pid}"))["you_are_host"] is True


async def test_the_server_ends_the_party_by_itself_once_the_host_is_gone(
    people: dict[str, As], aiohttp_client: Any, config: Config, pool: asyncpg.Pool
) -> None:
    """No test calls `expire` here: a replica started with a short grace does it."""
    host, erin = people["admin"], people["erin"]
    pid = await start(host)
    await join(erin, pid)
    async with ws(erin, pid) as ews:
        await until(ews, lambda m: m["type"] == "sync")
        async with ws(host, pid) as hws:
            await until(hws, lambda m: m["type"] == "sync")
            # A replica whose sweeps end parties 2 s after their host left.
            quick = await aiohttp_client(
                create_app(replace(config, party_host_grace=2), pool, background=False)
            )
            # The host is connected: several sweeps later, the party still runs.
            await asyncio.sleep(2 * rules.sweep_every(2) + 2)
            assert (await erin.call("GET", f"{PARTIES}/{pid}"))["ended"] is False
        ended = await until(ews, lambda m: m["type"] == "ended", within=20)
        assert ended["party"]["ended"] is True
    await quick.close()


async def test_suggestions_are_rate_limited_per_member_across_replicas(
    people: dict[str, As], replica: Client, tracks: dict[str, int], pool: asyncpg.Pool
) -> None:
    host, bob, carol = people["admin"], people["bob"], people["carol"]
    pid = await start(host, allow_suggestions=True)
    for who in (bob, carol):
        await join(who, pid)
    url = f"{PARTIES}/{pid}/suggestions"
    track = tracks["Outro"]
    limited = sample("tonearm_party_suggestions_total", result="rate_limited")
    # Ten a minute, wherever they are sent.
    for n in range(rules.MAX_SUGGESTIONS):
        await (bob if n % 2 else bob.on(replica)).call("POST", url, {"track_id": track}, status=201)
    for who in (bob, bob.on(replica)):
        resp = await who.client.post(url, json={"track_id": track}, headers=who.headers)
        body = await resp.json()
        assert resp.status == 429, body
        assert body["error"]["code"] == "suggestions_rate_limited"
        wait = int(resp.headers["Retry-After"])
        assert 0 < wait <= 60
        assert f"{wait} s" in body["error"]["message"]
    # Over the socket too, with the wait.
    async with ws(bob.on(replica), pid) as bws:
        await until(bws, lambda m: m["type"] == "sync")
        await bws.send_json({"type": "suggest", "track_id": track})
        async with asyncio.timeout(5):
            while (answer := await bws.receive_json())["type"] != "error":
                pass
        assert answer["error"]["code"] == "suggestions_rate_limited"
        assert 0 < answer["error"]["retry_after"] <= 60
    assert sample("tonearm_party_suggestions_total", result="rate_limited") == limited + 3
    # Another member has their own count; the host's own queue is not limited.
    await carol.call("POST", url, {"track_id": track}, status=201)
    for _ in range(rules.MAX_SUGGESTIONS + 1):
        await host.call("POST", url, {"track_id": track}, status=201)
    queue = (await host.call("GET", "/api/v1/me/player"))["queue"]
    assert len(queue) == rules.MAX_SUGGESTIONS + 1 + rules.MAX_SUGGESTIONS + 1
    # A minute later bob may again.
    await pool.execute(
        "UPDATE party_suggestions SET at = at - interval '1 minute' WHERE user_id = $1", bob.id
    )
    await bob.on(replica).call("POST", url, {"track_id": track}, status=201)


async def test_concurrent_suggestions_on_two_replicas_are_counted_exactly(
    people: dict[str, As], replica: Client, tracks: dict[str, int], pool: asyncpg.Pool
) -> None:
    host, bob = people["admin"], people["bob"]
    pid = await start(host, allow_suggestions=True)
    await join(bob, pid)

    async def suggest(n: int) -> int:
        who = bob if n % 2 else bob.on(replica)
        resp = await who.client.post(
            f"{PARTIES}/{pid}/suggestions", json={"track_id": tracks["Intro"]}, headers=who.headers
        )
        return resp.status

    statuses = await asyncio.gather(*(suggest(n) for n in range(16)))
    assert sorted(statuses) == [201] * rules.MAX_SUGGESTIONS + [429] * 6
    assert await pool.fetchval("SELECT count(*) FROM party_suggestions") == rules.MAX_SUGGESTIONS
    assert len((await host.call("GET", "/api/v1/me/player"))["queue"]) == rules.MAX_SUGGESTIONS
