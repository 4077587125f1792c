"""Cluster fixtures: ZooKeeper, a database of its own, a generated library, three replicas."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.audio import make_track
from tests.cluster.harness import Replica, ZooKeeper, cluster_env, wait_for, zookeeper_available

pytestmark = pytest.mark.skipif(not zookeeper_available(), reason="needs Debian's zookeeper")


@pytest.fixture
def zookeeper(tmp_path: Path) -> Iterator[ZooKeeper]:
    if not zookeeper_available():
        pytest.skip("needs Debian's zookeeper package (make setup installs it)")
    zk = ZooKeeper(tmp_path / "zk")
    zk.start()
    yield zk
    zk.stop()


@pytest.fixture
def big_library(tmp_path: Path) -> tuple[list[Path], int]:
    """Two roots, many small folders: enough shards to spread over replicas."""
    roots = [tmp_path / "lib" / "one", tmp_path / "lib" / "two"]
    count = 0
    for r, root in enumerate(roots):
        for artist in range(8):
            for track in range(12):
                fmt = ("mp3", "flac", "ogg")[track % 3]
                make_track(
                    root / f"Artist {r}-{artist}" / "Album" / f"{track:02d}.{fmt}",
                    title=f"T{r}-{artist}-{track}",
                    artists=[f"Artist {r}-{artist}"],
                    album=f"Album {r}-{artist}",
                    track=str(track + 1),
                    seconds=0.2,
                )
                count += 1
    return roots, count


@pytest.fixture
def replicas(
    tmp_path: Path, fresh_db_url: str, zookeeper: ZooKeeper, big_library: tuple[list[Path], int]
) -> Iterator[Callable[..., list[Replica]]]:
    started: list[Replica] = []

    def start(n: int = 3, **extra: str) -> list[Replica]:
        env = cluster_env(fresh_db_url, zookeeper, big_library[0], **extra)
        for _ in range(n):
            started.append(Replica(f"node{len(started)}", tmp_path, env).start())
        return started

    yield start
    for r in started:
        r.stop()
    # Keep the replicas' logs next to the test's tmp dir for a failing run.
    for r in started:
        if r.log.exists():
            shutil.copy(r.log, tmp_path / f"last-{r.name}.log")


def primary_of(replicas: list[Replica], token: str | None = None) -> Replica:
    def find() -> Replica | None:
        views = [r.get("/readyz") and r for r in replicas if r.alive()]
        for r in views:
            info = r.request("GET", "/api/v1/cluster", token=token) if token else None
            if info and info["role"] == "primary":
                return r
        return None

    found: Replica = wait_for(find, 30, "a primary")
    return found
