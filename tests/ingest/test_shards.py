"""Shard planning rules, without I/O: every file in exactly one shard, balanced, round-robin."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.shards import (
    Unit,
    dir_counts,
    in_scope,
    key_ranges,
    pack,
    plan_root,
    round_robin,
    split_units,
)

# Paths like b"a/b/c.mp3" over a small alphabet so folders are shared.
segment = st.sampled_from([b"a", b"b", b"c", b"d", b"e"])
paths = st.lists(
    st.lists(segment, min_size=0, max_size=3).map(lambda parts: b"/".join([*parts, b"f.mp3"])),
    min_size=0,
    max_size=200,
).map(lambda ps: [p.replace(b"f.mp3", b"f%d.mp3" % i) for i, p in enumerate(ps)])


def no_disk(_rel: bytes) -> list[bytes]:
    return []


@settings(max_examples=200)
@given(paths, st.integers(min_value=1, max_value=6))
def test_every_known_file_is_in_exactly_one_shard(known: list[bytes], members: int) -> None:
    plans = plan_root(known, no_disk, members=members, min_shard=3)
    for path in known:
        owners = [p for p in plans if in_scope(path, p.prefixes, p.flat_dirs)]
        assert len(owners) == 1, (path, plans)


@given(paths)
def test_key_ranges_cover_the_scope(known: list[bytes]) -> None:
    for plan in plan_root(known, no_disk, members=3, min_shard=2):
        ranges = key_ranges(plan.prefixes, plan.flat_dirs)
        for path in known:
            if in_scope(path, plan.prefixes, plan.flat_dirs):
                assert any(lo <= path and (hi is None or path < hi) for lo, hi in ranges)


def test_a_big_folder_is_split_and_new_folders_on_disk_are_covered() -> None:
    known = [b"Music/A/%d.mp3" % i for i in range(50)] + [b"Music/B/%d.mp3" % i for i in range(50)]
    known += [b"Music/loose.mp3", b"top.mp3"]
    on_disk = {b"": [b"Music", b"New"], b"Music": [b"Music/A", b"Music/B", b"Music/C"]}
    units = split_units(dir_counts(known), lambda d: on_disk.get(d, []), target=40)
    assert sorted(u for u, _ in units) == sorted(
        [Unit(b"", flat=True), Unit(b"Music", flat=True), Unit(b"Music/A"), Unit(b"Music/B"),
         Unit(b"Music/C"), Unit(b"New")]
    )  # fmt: skip


def test_small_libraries_are_one_shard() -> None:
    known = [b"a/%d.mp3" % i for i in range(30)]
    plans = plan_root(known, no_disk, members=3)
    assert len(plans) == 1 and plans[0].prefixes == (b"",)


def test_packing_balances_by_counts() -> None:
    units = [(Unit(b"x%d" % i), n) for i, n in enumerate([90, 50, 40, 30, 20, 10])]
    loads = sorted(p.expected for p in pack(units, 2))
    assert loads == [120, 120]


def test_round_robin() -> None:
    assert round_robin([1, 2, 3, 4, 5], ["a", "b"]) == [
        (1, "a"),
        (2, "b"),
        (3, "a"),
        (4, "b"),
        (5, "a"),
    ]
    assert round_robin([7, 8], ["a", "b", "c"], start=2) == [(7, "c"), (8, "a")]
    assert round_robin([1], []) == []


@given(
    st.lists(st.integers(min_value=1), max_size=50),
    st.lists(st.text(min_size=1), min_size=1, max_size=5, unique=True),
)
def test_round_robin_spreads_evenly(ids: list[int], members: list[str]) -> None:
    counts = Counter(m for _, m in round_robin(ids, members))
    assert max(counts.values(), default=0) - min((counts[m] for m in members), default=0) <= 1


def test_first_scan_spreads_top_level_folders() -> None:
    on_disk = {b"": [b"A", b"B", b"C", b"D", b"E"]}
    plans = plan_root([], lambda d: on_disk.get(d, []), members=2, per_member=2)
    assert len(plans) == 4
    covered = sorted(p for plan in plans for p in plan.prefixes)
    assert covered == [b"A", b"B", b"C", b"D", b"E"]
    assert sum(b"" in plan.flat_dirs for plan in plans) == 1


def _naive_in_scope(path: bytes, prefixes: list[bytes], flat_dirs: list[bytes]) -> bool:
    if any(not p or path.startswith(p + b"/") for p in prefixes):
        return True
    return path.rpartition(b"/")[0] in flat_dirs


folders = st.lists(segment, min_size=0, max_size=3).map(b"/".join)


@settings(max_examples=300)
@given(paths, st.lists(folders, max_size=6), st.lists(folders, max_size=4))
def test_scope_agrees_with_the_definition(
    known: list[bytes], prefixes: list[bytes], flat_dirs: list[bytes]
) -> None:
    for path in known:
        assert in_scope(path, prefixes, flat_dirs) == _naive_in_scope(path, prefixes, flat_dirs)
