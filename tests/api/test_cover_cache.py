"""The disk cache of resized covers: atomic writes, LRU eviction under the cap, restarts."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from api.cover_cache import CoverCache
from tests import images


def test_put_then_get(tmp_path: Path) -> None:
    cache = CoverCache(tmp_path, 10_000)
    assert cache.get("v1/ab/x.jpeg") is None
    cache.put("v1/ab/x.jpeg", b"abc")
    assert cache.get("v1/ab/x.jpeg") == b"abc"
    assert (tmp_path / "v1/ab/x.jpeg").read_bytes() == b"abc"
    assert cache.total_bytes == 3
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_least_recently_used_go_first(tmp_path: Path) -> None:
    cache = CoverCache(tmp_path, 1000)
    for name in "abcd":
        cache.put(f"{name}.jpeg", name.encode() * 300)  # 300 bytes each
    # a, b, c fit (900); d pushes past the cap → down to 90% → a goes
    assert cache.get("a.jpeg") is None
    assert cache.get("b.jpeg") is not None  # b is now the most recent
    cache.put("e.jpeg", b"e" * 300)
    assert cache.get("c.jpeg") is None  # c was least recent, not b
    assert {p.name for p in tmp_path.iterdir()} == {"b.jpeg", "d.jpeg", "e.jpeg"}
    assert cache.total_bytes == 900 and cache.evictions == 2


def test_restart_rebuilds_the_index_in_mtime_order(tmp_path: Path) -> None:
    for i, name in enumerate("abc"):
        path = tmp_path / "v1" / f"{name}.jpeg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 400)
        os.utime(path, (1000 + i, 1000 + i))
    stale = tmp_path / "v1" / ".z.jpeg.1-2.tmp"
    stale.write_bytes(b"half")
    os.utime(stale, (1, 1))
    cache = CoverCache(tmp_path, 1000)
    cache.load()  # 1200 > 1000: the oldest goes
    assert sorted(p.name for p in (tmp_path / "v1").iterdir()) == ["b.jpeg", "c.jpeg"]
    assert cache.total_bytes == 800


def test_an_old_hit_is_touched_so_a_restart_keeps_it(tmp_path: Path) -> None:
    cache = CoverCache(tmp_path, 10_000)
    cache.put("a.jpeg", b"a")
    os.utime(tmp_path / "a.jpeg", (1, 1))
    cache.get("a.jpeg")
    assert time.time() - (tmp_path / "a.jpeg").stat().st_mtime < 60


def test_disabled_and_oversized(tmp_path: Path) -> None:
    off = CoverCache(tmp_path / "off", 0)
    off.put("a.jpeg", b"a")
    assert off.get("a.jpeg") is None and not (tmp_path / "off").exists()
    small = CoverCache(tmp_path / "small", 100)
    small.put("big.jpeg", b"x" * 200)
    assert small.get("big.jpeg") is None


def test_an_empty_file_is_a_miss(tmp_path: Path) -> None:
    cache = CoverCache(tmp_path, 10_000)
    (tmp_path / "a.jpeg").write_bytes(b"")
    assert cache.get("a.jpeg") is None
    assert not (tmp_path / "a.jpeg").exists()


def test_concurrent_writers_of_one_key_leave_a_whole_file(tmp_path: Path) -> None:
    """Several threads (or processes) rendering the same variant at once: each renames its own
    complete temp file into place, so any reader sees one whole image."""
    bodies = [images.jpeg(200 + i, 100) for i in range(8)]
    cache = CoverCache(tmp_path, 10_000_000)
    start = threading.Barrier(len(bodies))
    seen: list[bytes | None] = []

    def write(body: bytes) -> None:
        start.wait()
        cache.put("v1/same.jpeg", body)
        seen.append(cache.get("v1/same.jpeg"))

    threads = [threading.Thread(target=write, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    final = (tmp_path / "v1/same.jpeg").read_bytes()
    assert final in bodies and all(s in bodies for s in seen)
    images.decode(final).avg()  # decodes fully
    assert cache.total_bytes == len(final)
    assert [p.name for p in (tmp_path / "v1").iterdir()] == ["same.jpeg"]


def test_clear(tmp_path: Path) -> None:
    cache = CoverCache(tmp_path, 10_000)
    cache.put("v1/a.jpeg", b"a")
    cache.clear()
    assert cache.get("v1/a.jpeg") is None and cache.total_bytes == 0
