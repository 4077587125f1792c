"""Shard planning, pure: split a root into sub-trees balanced by last scan's file counts,
pack them into shards, and hand shards round-robin to members."""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Unit:
    """A directory (relative to the root, b"" is the root) walked recursively, or only the
    files directly inside it (`flat`)."""

    path: bytes
    flat: bool = False


@dataclass(frozen=True, slots=True)
class ShardPlan:
    prefixes: tuple[bytes, ...]  # recursive units
    flat_dirs: tuple[bytes, ...]  # flat units
    expected: int  # files seen there last time


def _parent(path: bytes) -> bytes:
    cut = path.rfind(b"/")
    return path[:cut] if cut >= 0 else b""


def dir_counts(rel_paths: Iterable[bytes]) -> Counter[bytes]:
    """Files directly in each directory (relative paths of files → their folders)."""
    return Counter(_parent(p) for p in rel_paths)


def _subtree_counts(direct: Mapping[bytes, int]) -> Counter[bytes]:
    total: Counter[bytes] = Counter()
    for d, n in direct.items():
        total[d] += n
        while d:
            d = _parent(d)
            total[d] += n
    return total


def split_units(
    direct: Mapping[bytes, int], list_subdirs: Callable[[bytes], Sequence[bytes]], target: int
) -> list[tuple[Unit, int]]:
    """Split the root into units of at most about `target` files where the tree allows.
    `direct` counts files per folder from last time; `list_subdirs(dir)` names a folder's
    sub-folders as they are on disk now (only called for folders being split). Folders
    known from last time are kept even if gone, so their tracks fall in some shard and a
    shard can see they were deleted."""
    subtree = _subtree_counts(direct)
    known_children: dict[bytes, set[bytes]] = {}
    for d in subtree:
        if d:
            known_children.setdefault(_parent(d), set()).add(d)
    units: list[tuple[Unit, int]] = []
    stack = [b""]
    while stack:
        d = stack.pop()
        size = subtree.get(d, 0)
        children = (
            sorted(known_children.get(d, set()) | set(list_subdirs(d))) if size > target else []
        )
        if not children:
            units.append((Unit(d), max(size, 1)))
            continue
        units.append((Unit(d, flat=True), direct.get(d, 0)))
        stack.extend(reversed(children))
    return units


def pack(units: Sequence[tuple[Unit, int]], shards: int) -> list[ShardPlan]:
    """Longest-processing-time packing into at most `shards` bins; empty bins dropped."""
    bins: list[tuple[int, int, list[Unit]]] = [(0, i, []) for i in range(max(1, shards))]
    heapq.heapify(bins)
    for unit, size in sorted(units, key=lambda u: (-u[1], u[0])):
        load, i, members = heapq.heappop(bins)
        members.append(unit)
        heapq.heappush(bins, (load + size, i, members))
    plans = []
    for load, _, members in sorted(bins, key=lambda b: b[1]):
        if members:
            plans.append(
                ShardPlan(
                    prefixes=tuple(sorted(u.path for u in members if not u.flat)),
                    flat_dirs=tuple(sorted(u.path for u in members if u.flat)),
                    expected=load,
                )
            )
    return plans


def plan_root(
    known: Iterable[bytes],
    list_subdirs: Callable[[bytes], Sequence[bytes]],
    *,
    members: int,
    per_member: int = 4,
    min_shard: int = 2000,
) -> list[ShardPlan]:
    """Shards for one root: about `per_member` per member so a slow one does not hold the
    scan up, but no smaller than `min_shard` files (a shard has a fixed cost)."""
    if members == 1:
        per_member = 1  # alone, shards only add overhead: the parse pool is the parallelism
    direct = dir_counts(known)
    total = sum(direct.values())
    if total == 0:
        # First scan: nothing to balance by, so spread the top-level folders evenly.
        units = [(Unit(b"", flat=True), 1)] + [(Unit(d), 1) for d in list_subdirs(b"")]
        return pack(units, min(members * per_member, len(units)))
    count = max(1, min(members * per_member, -(-total // min_shard)))
    target = max(1, -(-total // count))
    return pack(split_units(direct, list_subdirs, target), count)


def round_robin(
    shard_ids: Sequence[int], members: Sequence[str], start: int = 0
) -> list[tuple[int, str]]:
    """Shard i goes to members[(start + i) % n]."""
    if not members:
        return []
    return [(sid, members[(start + i) % len(members)]) for i, sid in enumerate(shard_ids)]


def in_scope(rel_path: bytes, prefixes: Sequence[bytes], flat_dirs: Sequence[bytes]) -> bool:
    """Does this file belong to the shard with these units?"""
    return scope(prefixes, flat_dirs)(rel_path)


def scope(prefixes: Sequence[bytes], flat_dirs: Sequence[bytes]) -> Callable[[bytes], bool]:
    """A test for "does this file belong to the shard with these units?". A first-scan shard
    holds every top-level folder of its root, hundreds of them, so the test looks each of the
    file's ancestor folders up in a set (O(depth)) rather than trying every prefix."""
    if b"" in prefixes:
        return lambda rel_path: True
    trees = frozenset(prefixes)
    flat = frozenset(flat_dirs)

    def inside(rel_path: bytes) -> bool:
        end = rel_path.rfind(b"/")
        if (rel_path[:end] if end > 0 else b"") in flat:
            return True
        while end > 0:
            if rel_path[:end] in trees:
                return True
            end = rel_path.rfind(b"/", 0, end)
        return False

    return inside


def key_ranges(
    prefixes: Sequence[bytes], flat_dirs: Sequence[bytes]
) -> list[tuple[bytes, bytes | None]]:
    """[lo, hi) byte ranges of relative paths covering the units (hi None: unbounded); a
    superset for flat folders, so filter with in_scope. b"0" is the byte after b"/"."""
    out: list[tuple[bytes, bytes | None]] = []
    for p in (*prefixes, *flat_dirs):
        if not p:
            return [(b"", None)]
        out.append((p + b"/", p + b"0"))
    return out
