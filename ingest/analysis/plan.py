"""Analysis shard planning, pure: split what needs analysis into shards, and decide which
shards to take back from members that left, give up on, or hand out round-robin."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from store.analysis import AnalysisShard


def split(track_ids: Sequence[int], size: int) -> list[list[int]]:
    """Consecutive groups of at most `size` ids (the ids come in path order, so a shard
    holds whole albums where it can)."""
    return [list(track_ids[i : i + size]) for i in range(0, len(track_ids), max(1, size))]


def workers(members: Sequence[str], me: str) -> list[str]:
    """Who analyses: the secondaries, or the primary itself when it is alone (as the walk)."""
    others = [m for m in members if m != me]
    return others or [me]


@dataclass(frozen=True, slots=True)
class Moves:
    releases: list[tuple[int, str]] = field(default_factory=list)  # (shard, member gone)
    fails: list[tuple[int, str]] = field(default_factory=list)  # (shard, error)
    assignments: list[tuple[int, str]] = field(default_factory=list)  # (shard, member)
    next_turn: int = 0


def moves(
    shards: Sequence[AnalysisShard], live: Sequence[str], pool: Sequence[str], turn: int
) -> Moves:
    """Shards assigned to members that are gone go back; pending ones (and those) go
    round-robin over `pool`, to members that have not tried them first. A shard every
    member released because its drive is offline there is given up."""
    out = Moves()
    alive = set(live)
    for s in shards:
        gone = s.state == "assigned" and s.assigned_to not in alive
        if gone and s.assigned_to is not None:
            out.releases.append((s.id, s.assigned_to))
        if s.state != "pending" and not gone:
            continue
        untried = [w for w in pool if w not in s.tried_by]
        if not untried and s.error and s.error.startswith("offline"):
            out.fails.append((s.id, s.error))
            continue
        choices = untried or list(pool)
        if choices:
            out.assignments.append((s.id, choices[turn % len(choices)]))
            turn += 1
    return Moves(out.releases, out.fails, out.assignments, turn)
