"""The analysis stage against real files and a real PostgreSQL: a scan followed by analysis,
undecodable files, extractor and file changes, and shards resumed after a restart."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from cluster.standalone import Standalone
from ingest.analysis import AnalysisSettings
from ingest.service import ScanService
from ingest.vector import DIM, FEATURE_VERSION, from_bytes
from store.analysis import ANALYSIS_CHANNEL, AnalysisProgress, AnalysisStore
from store.cluster import ClusterStore
from tests.audio import make_track

Run = Callable[..., Awaitable[AnalysisProgress]]


def undecodable_wav(path: Path) -> Path:
    """A WAV whose header mutagen reads (so the scan indexes it) but whose codec id no
    decoder knows (so analysis cannot decode it)."""
    make_track(path, title="Undecodable", seconds=1.0)
    data = bytearray(path.read_bytes())
    fmt = data.index(b"fmt ")
    data[fmt + 8 : fmt + 10] = (0x3039).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path


async def wait_analysed(pool: asyncpg.Pool, within: float = 120) -> AnalysisProgress:
    """Wait until nothing is left to analyse and no shard is open."""
    store = AnalysisStore(pool)
    deadline = time.monotonic() + within
    while True:
        p = await store.progress(FEATURE_VERSION)
        if p.pending == 0 and p.shards["pending"] == p.shards["assigned"] == 0:
            return p
        assert time.monotonic() < deadline, f"analysis did not finish: {p}"
        await asyncio.sleep(0.1)


@pytest.fixture
async def run(pool: asyncpg.Pool) -> AsyncIterator[Run]:
    """run(roots, node="node-a", analysis=True) → progress once a scan and the analysis
    after it are done, through a fresh service and a fresh standalone term each time (a
    restart)."""

    async def go(
        roots: Sequence[Path], node: str = "node-a", analysis: bool = True
    ) -> AnalysisProgress:
        cluster = Standalone(ClusterStore(pool), node, "http://127.0.0.1:1", "test")
        await cluster.start()
        settings = AnalysisSettings(workers=1, shard_tracks=2) if analysis else None
        service = ScanService(
            pool, cluster, [str(r) for r in roots], workers=1, interval=0, analysis=settings
        )
        await service.start(scan_now=False)
        try:
            scan = await service.run_once("test")
            assert scan.state == "done", scan
            return (
                await wait_analysed(pool)
                if analysis
                else await service.analysis_store.progress(FEATURE_VERSION)
            )
        finally:
            await service.stop()
            await cluster.stop()

    yield go


async def rows(pool: asyncpg.Pool) -> dict[str, asyncpg.Record]:
    found = await pool.fetch(
        """SELECT t.title, t.size AS track_size, a.* FROM track_analysis a
           JOIN tracks t ON t.id = a.track_id"""
    )
    return {r["title"]: r for r in found}


async def test_scan_then_analysis_fills_every_track(
    run: Run, pool: asyncpg.Pool, library: list[Path]
) -> None:
    a, b, _ = library
    for i, fmt in enumerate(("mp3", "flac", "ogg", "opus")):
        make_track(a / f"{i}.{fmt}", title=f"Tone {i}", seconds=2.0, freq=220.0 * (i + 1))
    make_track(b / "m4a" / "x.m4a", title="Tone 4", seconds=2.0)
    undecodable_wav(b / "bad.wav")
    notified: list[dict[str, Any]] = []
    listener = await pool.acquire()
    await listener.add_listener(
        ANALYSIS_CHANNEL, lambda *args: notified.append(json.loads(args[3]))
    )
    try:
        progress = await run(library)
    finally:
        await listener.reset()
        await pool.release(listener)

    assert (progress.total, progress.analysed, progress.failed, progress.pending) == (6, 5, 1, 0)
    assert progress.shards["done"] == 3  # six tracks, two a shard
    found = await rows(pool)
    assert set(found) == {f"Tone {i}" for i in range(5)} | {"Undecodable"}
    for i in range(5):
        row = found[f"Tone {i}"]
        assert (row["status"], row["version"], row["size"]) == (
            "ok",
            FEATURE_VERSION,
            row["track_size"],
        )
        vector = from_bytes(bytes(row["features"]))
        assert vector.shape == (DIM,)
        assert row["loudness_lufs"] < -10 and row["replay_gain_db"] == pytest.approx(
            -18 - row["loudness_lufs"], abs=0.05
        )
    bad = found["Undecodable"]
    assert bad["status"] == "failed" and bad["features"] is None and "decode" in bad["error"]
    # The analysis's peaks are the waveform cache: one for every analysed track.
    waveforms = await pool.fetch(
        """SELECT t.title, w.peaks FROM track_waveforms w JOIN tracks t ON t.id = w.track_id
           WHERE w.size = t.size AND w.mtime_ns = t.mtime_ns"""
    )
    assert {r["title"] for r in waveforms} == {f"Tone {i}" for i in range(5)}
    assert all(len(r["peaks"]) == 1000 and max(r["peaks"]) > 20 for r in waveforms)
    # Every committed batch told the replicas (their similarity index refreshes on it).
    assert sum(n["ok"] for n in notified) == 5 and sum(n["failed"] for n in notified) == 1
    assert all("analysed_at" in n for n in notified)

    # A rescan plans nothing new: the undecodable file is not retried while it is unchanged.
    before = await rows(pool)
    again = await run(library)
    assert (again.analysed, again.failed, again.shards["done"]) == (5, 1, 3)
    after = await rows(pool)
    assert {k: r["analysed_at"] for k, r in after.items()} == {
        k: r["analysed_at"] for k, r in before.items()
    }


async def test_new_extractor_version_and_changed_files_are_analysed_again(
    run: Run, pool: asyncpg.Pool, library: list[Path]
) -> None:
    a = library[0]
    make_track(a / "old.flac", title="Old", seconds=1.5)
    changing = make_track(a / "changing.mp3", title="Changing", seconds=1.5)
    make_track(a / "same.ogg", title="Same", seconds=1.5)
    await run(library)
    first = await rows(pool)
    # "Old" was analysed by an earlier extractor; "Changing" gets new audio.
    await pool.execute(
        "UPDATE track_analysis SET version = $1 WHERE track_id = $2",
        FEATURE_VERSION - 1,
        first["Old"]["track_id"],
    )
    make_track(changing, title="Changing", seconds=3.0, freq=880.0)

    progress = await run(library)
    assert (progress.analysed, progress.pending) == (3, 0)
    second = await rows(pool)
    assert second["Old"]["version"] == FEATURE_VERSION
    assert second["Old"]["analysed_at"] > first["Old"]["analysed_at"]
    assert (
        second["Changing"]["size"] == second["Changing"]["track_size"] != first["Changing"]["size"]
    )
    assert second["Changing"]["analysed_at"] > first["Changing"]["analysed_at"]
    assert second["Same"]["analysed_at"] == first["Same"]["analysed_at"]


async def test_a_shard_left_with_a_dead_member_is_done_after_a_restart(
    run: Run, pool: asyncpg.Pool, library: list[Path]
) -> None:
    for i in range(5):
        make_track(library[0] / f"{i}.flac", title=f"T{i}", seconds=1.0)
    progress = await run(library, analysis=False)  # walked, not analysed
    assert (progress.pending, progress.analysed) == (5, 0)

    # A term of a node that planned the analysis, handed a shard to a member and died.
    cluster = Standalone(ClusterStore(pool), "node-dead", "http://127.0.0.1:1", "test")
    await cluster.start()
    store = AnalysisStore(pool)
    epoch = cluster.view.epoch
    assert epoch is not None
    ids = await store.needing(FEATURE_VERSION)
    ghost, pending = await store.create_shards(epoch, [ids[:3], ids[3:]])
    await store.assign(epoch, [(ghost, "ghost")])
    await cluster.stop()

    progress = await run(library, node="node-b")  # a new process, a new term
    assert (progress.analysed, progress.pending) == (5, 0)
    shards = {s["id"]: s for s in await pool.fetch("SELECT * FROM analysis_shards")}
    assert set(shards) == {ghost, pending}  # resumed, nothing planned twice
    assert shards[ghost]["tried_by"] == ["ghost", "node-b"]
    assert shards[ghost]["state"] == shards[pending]["state"] == "done"
    assert shards[pending]["assigned_to"] == "node-b"
