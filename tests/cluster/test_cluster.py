"""The cluster with real processes: ZooKeeper, PostgreSQL and three `tonearm serve`."""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cluster.harness import SESSION_TIMEOUT, Replica, query, wait_for

PASSWORD = "a long password"
Start = Callable[..., list[Replica]]


def admin_token(replica: Replica) -> str:
    return str(
        replica.request("POST", "/api/v1/auth/setup", {"name": "ada", "password": PASSWORD})[
            "token"
        ]
    )


def view(replica: Replica, token: str) -> dict[str, Any]:
    return dict(replica.request("GET", "/api/v1/cluster", token=token))


def settled(replicas: list[Replica], token: str) -> Replica:
    """Wait until every live replica sees all live members and agrees on one primary."""
    live = [r for r in replicas if r.alive()]

    def agree() -> Replica | None:
        views = [view(r, token) for r in live]
        primaries = {v["primary_id"] for v in views}
        members = [sorted(m["id"] for m in v["members"]) for v in views]
        roles = Counter(v["role"] for v in views)
        if (
            len(primaries) == 1
            and roles["primary"] == 1
            and all(m == sorted(r.name for r in live) for m in members)
        ):
            return next(r for r in live if r.name in primaries)
        return None

    found: Replica = wait_for(agree, SESSION_TIMEOUT * 4 + 20, "the cluster to settle")
    return found


def wait_scan(replica: Replica, token: str, scan_id: int = 0) -> dict[str, Any]:
    """The last finished scan, once none is running and it is `scan_id` or newer."""

    def done() -> dict[str, Any] | None:
        state = replica.get("/api/v1/scan", token=token)
        last = state["last"]
        return last if last and last["id"] >= scan_id and state["state"] == "idle" else None

    result: dict[str, Any] = wait_for(done, 120, "the scan to finish", every=0.2)
    return result


def scan_and_wait(replica: Replica, token: str) -> dict[str, Any]:
    queued = replica.request("POST", "/api/v1/scan", {}, token=token)
    return wait_scan(replica, token, queued["id"])


def scan_until(
    nodes: list[Replica], db_url: str, what: str, sql: str, *args: Any
) -> tuple[str, Replica, list[Replica]]:
    """Settle the cluster, ask a secondary for a scan, and wait until `sql` finds a row:
    (token, primary, the others)."""
    token = admin_token(nodes[0])
    primary = settled(nodes, token)
    others = [r for r in nodes if r is not primary]
    others[0].request("POST", "/api/v1/scan", {}, token=token)
    wait_for(lambda: query(db_url, sql, *args), 60, what, every=0.02)
    return token, primary, others


def tracks_exactly_once(db_url: str, expected: int) -> None:
    rows = query(
        db_url, "SELECT count(*) AS n, count(DISTINCT (library_id, rel_path)) AS d FROM tracks"
    )
    assert (rows[0]["n"], rows[0]["d"]) == (expected, expected)


def test_one_primary_shards_round_robin_to_secondaries(
    replicas: Start, fresh_db_url: str, big_library: tuple[list[Path], int]
) -> None:
    nodes = replicas(3)
    token = admin_token(nodes[0])
    primary = settled(nodes, token)
    v = view(nodes[1], token)
    assert v["mode"] == "zookeeper" and v["epoch"] > 0 and v["epoch_holder"] == primary.name
    assert {m["address"] for m in v["members"]} == {r.url for r in nodes}

    result = scan_and_wait(nodes[2], token)  # asked of any replica; the primary runs it
    assert result["state"] == "done"
    assert result["progress"]["added"] == big_library[1]
    tracks_exactly_once(fresh_db_url, big_library[1])

    shards = query(fresh_db_url, "SELECT id, assigned_to, state FROM scan_shards ORDER BY id")
    assert len(shards) >= 4 and all(s["state"] == "done" for s in shards)
    secondaries = sorted(r.name for r in nodes if r is not primary)
    owners = [s["assigned_to"] for s in shards]
    assert set(owners) == set(secondaries)  # the primary walks nothing while it has help
    assert abs(owners.count(secondaries[0]) - owners.count(secondaries[1])) <= 1
    # A token from one replica works on all of them, and every one sees the same library.
    assert {r.get("/api/v1/tracks?limit=1", token=token)["total"] for r in nodes} == {
        big_library[1]
    }


def test_primary_killed_mid_scan(
    replicas: Start, fresh_db_url: str, big_library: tuple[list[Path], int]
) -> None:
    token, primary, others = scan_until(
        replicas(3), fresh_db_url, "a first shard to finish",
        "SELECT 1 FROM scan_shards WHERE state = 'done'",
    )  # fmt: skip
    killed_at = time.monotonic()
    primary.kill()
    new_primary = settled(others, token)
    took = time.monotonic() - killed_at
    assert new_primary is not primary
    assert took < SESSION_TIMEOUT + 10, f"failover took {took:.1f}s"
    result = wait_scan(new_primary, token)
    assert result["state"] == "done"
    tracks_exactly_once(fresh_db_url, big_library[1])


def test_paused_primary_is_fenced_and_nothing_is_lost(
    replicas: Start, fresh_db_url: str, big_library: tuple[list[Path], int]
) -> None:
    token, primary, others = scan_until(
        replicas(3), fresh_db_url, "shards to be handed out",
        "SELECT 1 FROM scan_shards WHERE state = 'assigned'",
    )  # fmt: skip
    old_epoch = query(fresh_db_url, "SELECT epoch FROM cluster_term")[0]["epoch"]
    primary.signal(signal.SIGSTOP)  # secondaries' batches now wait on a frozen primary
    try:
        new_primary = settled(others, token)
        new_epoch = query(fresh_db_url, "SELECT epoch FROM cluster_term")[0]["epoch"]
        assert new_epoch > old_epoch
    finally:
        primary.signal(signal.SIGCONT)
    result = wait_scan(new_primary, token)
    assert result["state"] == "done"
    tracks_exactly_once(fresh_db_url, big_library[1])
    # The woken primary learnt its term was over, and served nothing as primary after it.
    wait_for(lambda: view(primary, token)["role"] != "primary", 30, "the old primary to step down")
    # Its own words, not kazoo's: the term it held ended when the session was lost.
    assert f"term {old_epoch} is over" in primary.log_text()


def test_killed_secondary_has_its_shards_redone(
    replicas: Start, fresh_db_url: str, big_library: tuple[list[Path], int]
) -> None:
    nodes = replicas(3)
    token = admin_token(nodes[0])
    primary = settled(nodes, token)
    victim, survivor = [r for r in nodes if r is not primary]
    primary.request("POST", "/api/v1/scan", {}, token=token)
    wait_for(
        lambda: query(fresh_db_url, "SELECT 1 FROM scan_shards WHERE state = 'assigned' AND assigned_to = $1", victim.name),
        60, "the victim to get shards", every=0.02,
    )  # fmt: skip
    victim.kill()
    result = wait_scan(primary, token)
    assert result["state"] == "done"
    tracks_exactly_once(fresh_db_url, big_library[1])
    redone = query(
        fresh_db_url,
        "SELECT tried_by, assigned_to FROM scan_shards WHERE $1 = ANY(tried_by) AND state = 'done'",
        victim.name,
    )
    assert any(r["assigned_to"] == survivor.name for r in redone)


def test_cluster_recovers_from_a_zookeeper_restart(
    replicas: Start, zookeeper: Any, fresh_db_url: str, big_library: tuple[list[Path], int]
) -> None:
    nodes = replicas(3)
    token = admin_token(nodes[0])
    settled(nodes, token)
    zookeeper.stop()
    time.sleep(SESSION_TIMEOUT + 1)
    zookeeper.start()
    primary = settled(nodes, token)
    result = scan_and_wait(primary, token)
    assert result["state"] == "done"
    tracks_exactly_once(fresh_db_url, big_library[1])


def test_enrichment_rate_holds_across_a_failover(
    replicas: Start, fresh_db_url: str, big_library: tuple[list[Path], int]
) -> None:
    from tests.fakes.musicbrainz import FakeMusicBrainz, FakeRelease, FakeServerThread

    rate = 4.0
    mb = FakeMusicBrainz()
    albums = [f"Album {r}-{a}" for r in range(2) for a in range(8)]
    for title in albums:
        mb.add(FakeRelease(title, title.replace("Album", "Artist"), genres=["rock"]))
    with FakeServerThread(mb) as server:
        nodes = replicas(
            3,
            TONEARM_ENRICHMENT="true",
            TONEARM_MUSICBRAINZ_URL=server.url,
            TONEARM_COVERART_URL=server.url,
            TONEARM_MUSICBRAINZ_RATE=str(rate),
        )
        token = admin_token(nodes[0])
        primary = settled(nodes, token)
        scan_and_wait(primary, token)
        wait_for(
            lambda: sum(p.startswith("/ws/2/") for _, p in mb.requests) >= 5,
            30,
            "enrichment to start",
        )
        primary.kill()
        survivors = [r for r in nodes if r is not primary]
        settled(survivors, token)
        wait_for(
            lambda: query(fresh_db_url, "SELECT count(*) AS n FROM album_enrichment")[0]["n"] == len(albums),
            60, "every album to be enriched", every=0.25,
        )  # fmt: skip
    gaps = mb.gaps("/ws/2/")
    assert min(gaps) >= 1 / rate - 0.03, gaps
    lookups = [p for _, p in mb.requests if p.startswith("/ws/2/release/?")]
    assert len(albums) <= len(lookups) <= len(albums) + 1  # at most the one in flight is redone


def _metric(replica: Replica, name: str, **labels: str) -> float:
    """The sum of a metric's samples with these labels in a replica's /metrics."""
    import urllib.request

    with urllib.request.urlopen(replica.url + "/metrics", timeout=5) as resp:
        text = resp.read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_analysis_shards_go_round_robin_to_secondaries(
    replicas: Start, fresh_db_url: str, big_library: tuple[list[Path], int]
) -> None:
    nodes = replicas(3, TONEARM_ANALYSIS="true", TONEARM_ANALYSIS_SHARD_TRACKS="40")
    token = admin_token(nodes[0])
    primary = settled(nodes, token)
    scan_and_wait(nodes[1], token)

    def analysed() -> dict[str, Any] | None:
        state = nodes[2].get("/api/v1/scan", token=token)["analysis"]
        return state if state["pending"] == 0 and state["shards"]["assigned"] == 0 else None

    progress = wait_for(analysed, 120, "the analysis to finish", every=0.5)
    assert (progress["analysed"], progress["failed"]) == (big_library[1], 0)
    shards = query(fresh_db_url, "SELECT assigned_to, state, done FROM analysis_shards ORDER BY id")
    assert len(shards) == -(-big_library[1] // 40) and {s["state"] for s in shards} == {"done"}
    secondaries = sorted(r.name for r in nodes if r is not primary)
    owners = [s["assigned_to"] for s in shards]
    assert set(owners) == set(secondaries)  # the primary analyses nothing while it has help
    assert abs(owners.count(secondaries[0]) - owners.count(secondaries[1])) <= 1
    # The secondaries analysed; the primary took their results over HTTP and wrote them.
    by_node = {r.name: _metric(r, "tonearm_analysis_tracks_total", result="ok") for r in nodes}
    assert by_node[primary.name] == 0 and sum(by_node.values()) == big_library[1]
    route = "/internal/v1/analysis/{id}/batch"
    assert _metric(primary, "tonearm_http_requests_total", route=route, status="200") >= len(shards)
    assert all(
        _metric(r, "tonearm_http_requests_total", route=route) == 0
        for r in nodes
        if r is not primary
    )
