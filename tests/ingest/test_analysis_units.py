"""The analysis stage's pure parts (shard planning, the wire format) and its process pool."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.analysis import plan, wire
from ingest.analysis.pool import AnalysisPool
from ingest.analysis.results import Analysis, Failure
from ingest.analysis.worker import to_write
from ingest.vector import DIM, FEATURE_NAMES, from_bytes, to_bytes
from store.analysis import AnalysisJob, AnalysisShard, AnalysisWrite
from tests.ingest.test_analyze import crash_on_marker, synth
from tonearm.errors import Invalid


def shard(
    id: int,
    state: str = "pending",
    to: str | None = None,
    tried: tuple[str, ...] = (),
    error: str | None = None,
) -> AnalysisShard:
    return AnalysisShard(id, (1, 2), state, to, len(tried), tried, 0, 0, error)


@given(st.lists(st.integers(), max_size=300), st.integers(1, 50))
def test_split_keeps_order_and_size(ids: list[int], size: int) -> None:
    groups = plan.split(ids, size)
    assert [i for g in groups for i in g] == ids
    assert all(0 < len(g) <= size for g in groups)


def test_workers_are_the_secondaries_or_the_primary_alone() -> None:
    assert plan.workers(["p", "a", "b"], "p") == ["a", "b"]
    assert plan.workers(["p"], "p") == ["p"]


def test_moves_round_robin_and_reassign_from_members_that_left() -> None:
    shards = [
        shard(1),
        shard(2),
        shard(3),
        shard(4, "assigned", "gone", ("gone",)),
        shard(5, "assigned", "a", ("a",)),
    ]
    m = plan.moves(shards, ["p", "a", "b"], ["a", "b"], 0)
    assert m.releases == [(4, "gone")]
    assert m.assignments == [(1, "a"), (2, "b"), (3, "a"), (4, "b")]  # 5 stays with live "a"
    assert m.next_turn == 4 and m.fails == []


def test_moves_prefer_untried_members_and_give_up_when_offline_everywhere() -> None:
    offline = "offline on a: /music: missing"
    shards = [
        shard(1, tried=("a",), error=offline),
        shard(2, tried=("a", "b"), error=offline),
        shard(3, tried=("a", "b"), error="a left"),
    ]
    m = plan.moves(shards, ["p", "a", "b"], ["a", "b"], 0)
    assert m.assignments == [(1, "b"), (3, "b")]
    assert m.fails == [(2, offline)]


def analysis(
    path: str,
    duration: float = 30.0,
    bpm: float = 120.0,
    key: str = "A minor",
    strength: float = 0.9,
) -> Analysis:
    vector = np.arange(DIM, dtype=np.float32)
    vector[FEATURE_NAMES.index("rhythm_strength")] = strength
    return Analysis(
        path=path,
        vector=vector,
        bpm=bpm,
        key=key,
        loudness_lufs=-14.0,
        replay_gain_db=-4.0,
        peaks=np.linspace(0, 1, 1000, dtype=np.float32),
        duration=duration,
    )


def test_to_write_and_the_wire_round_trip() -> None:
    job = AnalysisJob(7, "/music", b"a.flac", 1234, 5678)
    ok = to_write(job, analysis("/music/a.flac"))
    assert (ok.track_id, ok.size, ok.mtime_ns, ok.status) == (7, 1234, 5678, "ok")
    assert np.array_equal(from_bytes(ok.features or b""), analysis("x").vector)
    assert ok.bpm == 120.0
    assert ok.peaks is not None and ok.peaks[0] == 0 and ok.peaks[-1] == 255
    # No beat, no key → null; a track cut at the decode limit keeps no waveform.
    odd = to_write(job, analysis("/music/a.flac", duration=1200.0, bpm=0.0, key=""))
    assert (odd.bpm, odd.key, odd.peaks) == (None, None, None)
    # A tempo without a beat behind it (noise, drones) is not shown.
    assert to_write(job, analysis("/music/a.flac", strength=0.05)).bpm is None
    failed = to_write(job, Failure("/music/a.flac", "ffmpeg could not decode it"))
    assert (failed.status, failed.error, failed.features) == (
        "failed",
        "ffmpeg could not decode it",
        None,
    )
    for r in (ok, odd, failed):
        assert wire.decode(wire.encode(r)) == r


@pytest.mark.parametrize(
    "change",
    [
        {"features": None},  # ok needs features
        {"status": "maybe"},
        {"track_id": "7"},
        {"bpm": float("nan")},
        {"features": "AAAA"},  # wrong length
        {"peaks": "not base64!"},
    ],
)
def test_the_wire_refuses_bad_results(change: dict[str, object]) -> None:
    good = wire.encode(AnalysisWrite(7, 1, 2, "ok", features=to_bytes(np.zeros(DIM))))
    with pytest.raises(Invalid):
        wire.decode(good | change)


async def test_the_pool_isolates_a_crash_to_its_file(tmp_path: Path) -> None:
    good = [str(synth(tmp_path / f"good{i}.ogg", seconds=3, bpm=100, seed=i)) for i in range(3)]
    crash = str(tmp_path / "crash.flac")
    pool = AnalysisPool(workers=1, chunk_size=2, fn=crash_on_marker)
    try:
        results = [r async for chunk in pool.run([good[0], crash, *good[1:]]) for r in chunk]
        # The pool replaced its broken processes and goes on working.
        again = [r async for chunk in pool.run(good[:1]) for r in chunk]
    finally:
        await pool.close()
    assert {os.path.basename(str(r.path)): type(r) for r in results} == {
        "good0.ogg": Analysis, "good1.ogg": Analysis, "good2.ogg": Analysis, "crash.flac": Failure,
    }  # fmt: skip
    assert isinstance(again[0], Analysis)


def worker_pid(paths: Sequence[str | bytes]) -> list[Failure]:
    """In a worker: which process took each path."""
    return [Failure(p, str(os.getpid())) for p in paths]


async def test_the_pool_recycles_its_processes_between_shards_only() -> None:
    pool = AnalysisPool(workers=1, chunk_size=1, fn=worker_pid, recycle_after=3)
    try:
        shards = [[r async for chunk in pool.run(["a", "b", "c", "d"]) for r in chunk]]
        shards.append([r async for chunk in pool.run(["e"]) for r in chunk])
        shards.append([r async for chunk in pool.run(["f"]) for r in chunk])
    finally:
        await pool.close()
    pids = [{r.reason for r in shard if isinstance(r, Failure)} for shard in shards]
    # Four chunks in one shard stay with one process (no recycling mid-shard); the next shard
    # gets fresh ones, and those are kept while under the limit.
    assert len(pids[0]) == 1 and pids[1] != pids[0] and pids[2] == pids[1]
