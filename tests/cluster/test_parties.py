"""Listen parties across two real `tonearm serve` processes on one PostgreSQL (and a real
ZooKeeper): the host on one replica, members on the other. Events cross replicas, members
schedule the same position, wrong codes stay locked out everywhere, the code is replaced
after too many guesses, and nobody but the host ever sees it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from api.party import clock, rules
from tests.audio import make_track
from tests.cluster.harness import Replica, ZooKeeper, cluster_env

PASSWORD = "a long password"
PARTIES = "/api/v1/parties"
SKEW_MS = 7_300.0  # one member's own clock is this far ahead of the others'
AGREE_MS = 50.0


@contextmanager
def running(
    tmp_path: Path, db_url: str, zookeeper: ZooKeeper, **extra: str
) -> Iterator[tuple[Replica, Replica]]:
    root = tmp_path / "lib"
    for n, title in enumerate(("Dawn", "Noon", "Dusk"), 1):
        make_track(
            root / "Band" / "Day" / f"0{n} {title}.mp3",
            title=title, artists=["Band"], album="Day", track=f"{n}/3", seconds=20.0,
        )  # fmt: skip
    env = cluster_env(db_url, zookeeper, [root], **extra)
    nodes = [Replica(f"node{i}", tmp_path, env) for i in range(2)]
    try:
        for node in nodes:
            node.start()
        yield nodes[0], nodes[1]
    finally:
        for node in nodes:
            node.stop()


@pytest.fixture
def two_replicas(
    tmp_path: Path, fresh_db_url: str, zookeeper: ZooKeeper
) -> Iterator[tuple[Replica, Replica]]:
    with running(tmp_path, fresh_db_url, zookeeper) as nodes:
        yield nodes


HOST_GRACE = 5


@pytest.fixture
def quick_replicas(
    tmp_path: Path, fresh_db_url: str, zookeeper: ZooKeeper
) -> Iterator[tuple[Replica, Replica]]:
    """Replicas that end a party 5 s after its host was last connected."""
    with running(
        tmp_path, fresh_db_url, zookeeper, TONEARM_PARTY_HOST_GRACE=str(HOST_GRACE)
    ) as nodes:
        yield nodes


@dataclass
class Client:
    """One signed-in user on one replica. Keeps every text it received, to look for leaks."""

    http: aiohttp.ClientSession
    base: str
    token: str = ""
    user_id: int = 0
    seen: list[str] = field(default_factory=list)

    def on(self, replica: Replica) -> Client:
        return Client(self.http, replica.url, self.token, self.user_id, self.seen)

    async def call(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.http.request(method, self.base + path, json=body, headers=headers) as r:
            text = await r.text()
            self.seen.append(text)
            assert r.status == status, (r.status, text)
            return (json.loads(text) if text else None), r.headers

    def ws(self, party_id: str) -> Any:
        return self.http.ws_connect(
            f"{self.base}{PARTIES}/{party_id}/ws",
            headers={"Authorization": f"Bearer {self.token}"},
        )


class Member:
    """A member's socket, with its own (possibly skewed) clock and its estimate of the
    server's: what the web UI does, in Python (the same arithmetic, api/party/clock.py)."""

    def __init__(self, client: Client, ws: aiohttp.ClientWebSocketResponse, skew: float = 0.0):
        self.client = client
        self.ws = ws
        self.skew = skew
        self.offset = 0.0
        self.last: dict[str, Any] | None = None

    def local_ms(self, real_ms: float | None = None) -> float:
        return (time.time() * 1000 if real_ms is None else real_ms) + self.skew

    async def receive(self, kind: str | None = None) -> dict[str, Any]:
        async with asyncio.timeout(10):
            while True:
                text = (await self.ws.receive()).data
                self.client.seen.append(text)
                message: dict[str, Any] = json.loads(text)
                if message["type"] not in ("pong", "error"):
                    self.last = message
                if kind is None or message["type"] == kind:
                    return message

    async def until(self, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The first party message that passes `check` (a burst may merge into one)."""
        while True:
            message = await self.receive()
            if message["type"] not in ("pong", "error", "suggested") and check(message):
                return message

    async def sync_clock(self, exchanges: int = 8) -> clock.Sample:
        samples = []
        for n in range(exchanges):
            await self.ws.send_json({"type": "ping", "id": n, "t0": self.local_ms()})
            pong = await self.receive("pong")
            samples.append(clock.sample(pong["t0"], pong["t1"], pong["t2"], self.local_ms()))
        best = clock.best(samples)
        self.offset = best.offset_ms
        return best

    def scheduled(self, real_ms: float) -> float:
        """Where this member plays the party's track at a real instant."""
        assert self.last is not None
        e = self.last
        server_now = self.local_ms(real_ms) + self.offset
        return clock.position_at(e["position_ms"], e["playing"], e["server_time_ms"], server_now)


async def sign_up(http: aiohttp.ClientSession, node: Replica) -> Client:
    admin = Client(http, node.url)
    body, _ = await admin.call("POST", "/api/v1/auth/setup", {"name": "ada", "password": PASSWORD}, 201)  # fmt: skip
    admin.token, admin.user_id = body["token"], body["user"]["id"]
    return admin


async def add_user(admin: Client, node: Replica, name: str) -> Client:
    await admin.call("POST", "/api/v1/users", {"name": name, "password": PASSWORD}, 201)
    who = Client(admin.http, node.url)
    body, _ = await who.call("POST", "/api/v1/auth/login", {"name": name, "password": PASSWORD})
    who.token, who.user_id = body["token"], body["user"]["id"]
    who.seen.clear()
    return who


async def scan(admin: Client) -> dict[str, int]:
    queued, _ = await admin.call("POST", "/api/v1/scan", {}, 202)
    for _ in range(600):
        state, _ = await admin.call("GET", "/api/v1/scan")
        if state["state"] == "idle" and state["last"] and state["last"]["id"] >= queued["id"]:
            break
        await asyncio.sleep(0.1)
    listed, _ = await admin.call("GET", "/api/v1/tracks?limit=10")
    return {t["title"]: t["id"] for t in listed["items"]}


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def never_leaked(codes: set[str], *clients: Client) -> None:
    """No text any of them received holds a join code: not as a value, not as `"0427"`."""

    def values(node: Any) -> Iterator[tuple[str | None, Any]]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield key, value
                yield from values(value)
        elif isinstance(node, list):
            for value in node:
                yield from values(value)

    for who in clients:
        assert who.seen
        for text in who.seen:
            for code in codes:
                assert f'"{code}"' not in text, (code, text[:300])
            for key, value in values(json.loads(text) if text else None):
                is_code = isinstance(value, str) and len(value) == 4 and value.isdigit()
                assert not (key == "code" and is_code), text[:300]


async def test_members_follow_the_host_across_replicas(
    two_replicas: tuple[Replica, Replica], http: aiohttp.ClientSession, fresh_db_url: str
) -> None:
    a, b = two_replicas
    host = await sign_up(http, a)
    tracks = await scan(host)
    assert len(tracks) == 3
    bob, carol, erin = [await add_user(host, a, name) for name in ("bob", "carol", "erin")]
    bob, carol, erin = bob.on(b), carol.on(b), erin.on(a)

    party, _ = await host.call("POST", PARTIES, {"require_code": True}, 201)
    pid, code = party["id"], party["code"]
    # Members join on the other replica, with the code.
    for who in (bob, carol):
        await who.call("POST", f"{PARTIES}/{pid}/join", {"code": code})

    async with host.ws(pid) as hws, bob.ws(pid) as bws, carol.ws(pid) as cws:
        h, m1, m2 = Member(host, hws), Member(bob, bws), Member(carol, cws, skew=SKEW_MS)
        for m in (h, m1, m2):
            assert (await m.receive())["type"] == "sync"
        # The skewed member finds out how far off its clock is.
        est = await m2.sync_clock()
        assert abs(est.offset_ms + SKEW_MS) <= max(AGREE_MS / 2, est.error_ms)
        await m1.sync_clock()

        # The host plays on replica A; the members on replica B hear it.
        ids = [tracks["Dawn"], tracks["Noon"], tracks["Dusk"]]
        await host.call("POST", "/api/v1/me/player/play", {"context": {"type": "tracks", "track_ids": ids}})  # fmt: skip
        for m in (m1, m2):
            event = await m.receive("track")
            for key in ("type", "track_id", "position_ms", "playing", "server_time_ms"):
                assert key in event
            assert (event["track_id"], event["playing"]) == (ids[0], True)
        await host.call("PUT", "/api/v1/me/player", {"position_ms": 6000})
        for m in (m1, m2):
            assert (await m.receive("seek"))["position_ms"] == 6000

        # Both schedule the same position at the same instant, whatever their clocks say,
        # and it is where the music really is (the database's clock is this machine's).
        await asyncio.sleep(0.3)
        now = time.time() * 1000
        p1, p2 = m1.scheduled(now), m2.scheduled(now)
        truth = clock.position_at(6000, True, m1.last["server_time_ms"], now)  # type: ignore[index]
        assert abs(p1 - p2) < AGREE_MS, (p1, p2)
        assert abs(p1 - truth) < AGREE_MS and abs(p2 - truth) < AGREE_MS, (p1, p2, truth)
        assert 6300 <= p1 < 6000 + 5000

        # A late joiner, on the host's replica, starts at the same place.
        await erin.call("POST", f"{PARTIES}/{pid}/join", {"code": code})
        async with erin.ws(pid) as ews:
            late = Member(erin, ews, skew=-SKEW_MS)
            first = await late.receive("sync")
            assert (first["track_id"], first["playing"]) == (ids[0], True)
            await late.sync_clock()
            now = time.time() * 1000
            assert abs(late.scheduled(now) - m1.scheduled(now)) < AGREE_MS
            names = [x["name"] for x in first["party"]["members"]]
            assert names == ["ada", "bob", "carol", "erin"]

        # Pause and resume travel the same way.
        await host.call("PUT", "/api/v1/me/player", {"playing": False, "position_ms": 9000})
        for m in (m1, m2):
            paused = await m.receive("pause")
            assert (paused["playing"], paused["position_ms"]) == (False, 9000)
            assert m.scheduled(time.time() * 1000 + 5000) == 9000

        # Both replicas lose their listener connection; members resync once it is back.
        conn = await asyncpg.connect(fresh_db_url)
        try:
            killed = await conn.fetch(
                """SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = current_database()
                      AND query LIKE 'LISTEN %tonearm_user_events%'"""
            )
        finally:
            await conn.close()
        assert len(killed) == 2  # one per replica
        await host.call("PUT", "/api/v1/me/player", {"playing": True})
        for m in (m1, m2):
            assert (await m.receive())["playing"] is True

        # Members suggest when the host allows it; it lands in the host's queue.
        await bob.call("POST", f"{PARTIES}/{pid}/suggestions", {"track_id": ids[2]}, 403)
        await host.call("PATCH", f"{PARTIES}/{pid}", {"allow_suggestions": True})
        await bws.send_json({"type": "suggest", "track_id": ids[2]})
        assert (await m1.receive("suggested"))["track_id"] == ids[2]
        queued = await m2.receive("queue")
        assert [t["id"] for t in queued["queue"]] == [ids[2]]

        # The host hands the party to bob (on B) and leaves; bob's player carries on.
        await hws.send_json({"type": "handover", "user_id": bob.user_id, "leave": True})
        await h.until(lambda e: e["type"] == "left")
        handed = await m2.until(lambda e: e["party"]["host"]["id"] == bob.user_id)
        assert [x["name"] for x in handed["party"]["members"]] == ["bob", "carol", "erin"]
        player, _ = await bob.call("GET", "/api/v1/me/player")
        assert player["current"]["track"]["id"] == ids[0] and player["playing"] is True
        # …and his own player now drives it.
        await bob.call("POST", "/api/v1/me/player/next", {})
        nxt = await m2.until(lambda e: e["type"] == "track" and e["track_id"] != ids[0])
        assert nxt["track_id"] == ids[2]  # the suggestion came along in his queue
        await bob.call("DELETE", f"{PARTIES}/{pid}", status=204)
        assert (await m2.receive("ended"))["party"]["ended"] is True

    # Bob became host and saw the code then; carol and erin never did.
    never_leaked({code}, carol, erin)


async def test_wrong_codes_are_locked_out_on_both_replicas_and_rotate_the_code(
    two_replicas: tuple[Replica, Replica], http: aiohttp.ClientSession
) -> None:
    a, b = two_replicas
    host = await sign_up(http, a)
    dave, erin, fred, gina = [
        await add_user(host, a, name) for name in ("dave", "erin", "fred", "gina")
    ]
    party, _ = await host.call("POST", PARTIES, {"require_code": True}, 201)
    pid, code = party["id"], party["code"]
    fred = fred.on(b)
    await fred.call("POST", f"{PARTIES}/{pid}/join", {"code": code})

    def wrong(n: int) -> str:
        return f"{(int(code) + 1 + n) % 10000:04d}"

    async with host.ws(pid) as hws, fred.ws(pid) as fws:
        h, member = Member(host, hws), Member(fred, fws)
        await h.receive("sync")
        await member.receive("sync")

        # Five wrong guesses, spread over both replicas (and a party that does not exist,
        # which answers exactly like a wrong code).
        answers = []
        for n in range(5):
            where = (a, b)[n % 2]
            target = pid if n != 2 else "a-party-that-does-not-exist"
            body, _ = await dave.on(where).call("POST", f"{PARTIES}/{target}/join", {"code": wrong(n)}, 403)  # fmt: skip
            answers.append(body)
        assert all(x == answers[0] for x in answers)
        assert answers[0]["error"]["code"] == "join_refused"
        # Locked out on both replicas, even with the right code.
        for where in (a, b):
            body, headers = await dave.on(where).call("POST", f"{PARTIES}/{pid}/join", {"code": code}, 429)  # fmt: skip
            assert body["error"]["code"] == "join_locked_out"
            assert 800 < int(headers["Retry-After"]) <= 900

        # Other accounts guess on: the party's tenth wrong code replaces it.
        for n, who in enumerate([erin] * 5 + [gina]):
            await who.on((a, b)[n % 2]).call("POST", f"{PARTIES}/{pid}/join", {"code": wrong(10 + n)}, 403)  # fmt: skip
        rotated = await h.receive("code")
        new = rotated["party"]["code"]
        assert new != code and rotated["party"]["code_rotated"] is True
        # Members hear nothing about it; a member coming back needs no code, even now that
        # this address is locked out.
        await fred.call("POST", f"{PARTIES}/{pid}/join", {})
        await fws.send_json({"type": "ping", "id": 1, "t0": 1})
        assert (await member.receive())["type"] == "pong"

    never_leaked({code, new}, dave, erin, fred, gina)
    # Each replica counted what it answered: eleven wrong codes, two lock-outs in all.
    counts = [await joins(http, node) for node in (a, b)]
    assert sum(c.get("refused", 0) for c in counts) == 11
    assert sum(c.get("locked_out", 0) for c in counts) == 2
    assert sum(c.get("ok", 0) + c.get("member", 0) for c in counts) == 2


async def joins(http: aiohttp.ClientSession, node: Replica) -> dict[str, int]:
    """tonearm_party_joins_total by result, from the replica's /metrics."""
    async with http.get(node.url + "/metrics") as resp:
        text = await resp.text()
    prefix = 'tonearm_party_joins_total{result="'
    return {
        line[len(prefix) :].split('"', 1)[0]: int(float(line.rsplit(" ", 1)[1]))
        for line in text.splitlines()
        if line.startswith(prefix)
    }


def online(message: dict[str, Any]) -> dict[str, bool]:
    return {m["name"]: m["online"] for m in message["party"]["members"]}


async def metric(http: aiohttp.ClientSession, node: Replica, name: str) -> float:
    async with http.get(node.url + "/metrics") as resp:
        text = await resp.text()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name + " ") or line.startswith(name + "{")
    )


async def test_presence_suggestions_and_a_dead_hosts_party_across_replicas(
    quick_replicas: tuple[Replica, Replica], http: aiohttp.ClientSession, fresh_db_url: str
) -> None:
    """The host's socket is on replica B, the members' on A. Who is connected crosses
    replicas; suggestions are limited however they are spread; when B dies (SIGKILL: it
    cannot say goodbye) its rows expire, A sweeps them, and with the host gone the party
    ends for the members on A."""
    a, b = quick_replicas
    admin = await sign_up(http, a)
    tracks = await scan(admin)
    bob, carol = [(await add_user(admin, a, name)).on(a) for name in ("bob", "carol")]
    host = admin.on(b)

    party, _ = await host.call("POST", PARTIES, {"allow_suggestions": True}, 201)
    pid = party["id"]
    async with host.ws(pid) as hws:
        h = Member(host, hws)
        await h.receive("sync")
        for who in (bob, carol):
            await who.call("POST", f"{PARTIES}/{pid}/join", {})
        async with bob.ws(pid) as bws:
            m = Member(bob, bws)
            assert online(await m.receive("sync"))["ada"] is True  # connected on B
            seen = await h.until(lambda e: online(e).get("bob", False))
            assert online(seen) == {"ada": True, "bob": True, "carol": False}

            # Ten suggestions a minute per member, counted on both replicas together.
            url = f"{PARTIES}/{pid}/suggestions"
            track = tracks["Dusk"]
            for n in range(rules.MAX_SUGGESTIONS):
                await bob.on((a, b)[n % 2]).call("POST", url, {"track_id": track}, 201)
            for where in (a, b):
                body, headers = await bob.on(where).call("POST", url, {"track_id": track}, 429)
                assert body["error"]["code"] == "suggestions_rate_limited"
                assert 0 < int(headers["Retry-After"]) <= 60
            await carol.call("POST", url, {"track_id": track}, 201)

        # Bob's socket on A closed: the host on B sees him go.
        assert online(await h.until(lambda e: not online(e)["bob"]))["ada"] is True
        # The host stays connected longer than the grace: the party goes on.
        await asyncio.sleep(HOST_GRACE + 1)
        view, _ = await bob.call("GET", f"{PARTIES}/{pid}")
        assert view["ended"] is False

        async with bob.ws(pid) as bws:
            m = Member(bob, bws)
            await m.receive("sync")
            b.kill()  # the host's replica dies with the host's socket open
            # Its rows cannot be taken away by B any more; until they expire the host
            # still counts as connected, so a moment's trouble does not end the party.
            view, _ = await bob.call("GET", f"{PARTIES}/{pid}")
            assert {x["name"]: x["online"] for x in view["members"]}["ada"] is True
            ttl = rules.PRESENCE_TTL.total_seconds()
            async with asyncio.timeout(ttl + 30):
                while True:
                    # Not m.receive(): half a minute may pass without a message.
                    message = json.loads((await bws.receive()).data)
                    if message["type"] == "ended":
                        break
                    if message["type"] == "members":
                        assert online(message)["ada"] is False  # the only news: B's rows went
            assert message["party"]["ended"] is True

    conn = await asyncpg.connect(fresh_db_url)
    try:
        assert await conn.fetchval("SELECT ended_at IS NOT NULL FROM parties WHERE id = $1", pid)
        # Only A's rows could remain, and A let bob's go when the party ended.
        gone = await conn.fetch(
            "SELECT user_id FROM party_presence WHERE user_id = $1", host.user_id
        )
        assert gone == []
    finally:
        await conn.close()
    assert await metric(http, a, "tonearm_party_host_gone_total") == 1
    assert await metric(http, a, "tonearm_party_suggestions_total") >= rules.MAX_SUGGESTIONS // 2
