"""The analysis as the API shows it: progress in GET /scan, tempo, key and gain in the track
JSON, and waveforms served from the analysis without decoding."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from aiohttp.test_utils import TestClient

from api.context import SERVICES
from ingest.analysis import wire
from ingest.sinks import SECRET_HEADER
from ingest.vector import DIM, FEATURE_VERSION, to_bytes
from store.analysis import AnalysisWrite
from tests.api.conftest import get_json, rescan
from tests.ingest.test_analysis import undecodable_wav, wait_analysed
from tests.ingest.test_analyze import synth
from tonearm.config import Config

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def config(config: Config, request: pytest.FixtureRequest) -> Config:
    """Analysis on, three tracks a shard; a test may override settings through parametrize."""
    overrides = {"analysis": True, "analysis_shard_tracks": 3, **getattr(request, "param", {})}
    return dataclasses.replace(config, **overrides)


async def test_progress_tempo_key_and_waveform(
    client: Client, admin: dict[str, str], music: dict[str, Path], library: list[Path]
) -> None:
    synth(library[0] / "clicks.flac", seconds=10, bpm=128, clicks_only=True)
    synth(library[1] / "scale.flac", seconds=6, bpm=100, key="E major", timbre="sine")
    undecodable_wav(library[2] / "bad.wav")
    # Before analysis: the scan alone, and every track's analysis fields are null.
    await rescan(client)
    before = await get_json(client, "/api/v1/tracks?limit=500", admin)
    assert before["total"] == 8
    assert all(
        t["bpm"] is None and t["key"] is None and t["replay_gain_db"] is None
        for t in before["items"]
    )

    await rescan(client, then=wait_analysed)

    state = await get_json(client, "/api/v1/scan", admin)
    analysis = state["analysis"]
    assert analysis["enabled"] is True
    assert {k: analysis[k] for k in ("pending", "analysed", "failed", "offline", "total")} == {
        "pending": 0, "analysed": 7, "failed": 1, "offline": 0, "total": 8,
    }  # fmt: skip
    assert analysis["shards"]["done"] >= 3 and analysis["shards"]["pending"] == 0

    tracks = {
        t["path"]: t for t in (await get_json(client, "/api/v1/tracks?limit=500", admin))["items"]
    }
    assert tracks["clicks.flac"]["bpm"] == pytest.approx(128, rel=0.03)
    assert tracks["scale.flac"]["key"] == "E major"
    assert tracks["bad.wav"]["bpm"] is None and tracks["bad.wav"]["replay_gain_db"] is None
    one = await get_json(client, f"/api/v1/tracks/{tracks['clicks.flac']['id']}", admin)
    assert one["replay_gain_db"] == pytest.approx(-18 - one["loudness_lufs"], abs=0.02)
    assert isinstance(one["key"], str | None)

    # Waveforms come from the analysis's peaks: the endpoint never decodes.
    async def no_decode(path: bytes) -> bytes:
        raise AssertionError(f"decoded {path!r}")

    client.app[SERVICES].waveforms._decode = no_decode  # type: ignore[method-assign]
    for path, track in tracks.items():
        if path == "bad.wav":
            continue
        got = await get_json(client, f"/api/v1/tracks/{track['id']}/waveform", admin)
        assert len(got["peaks"]) == 1000 and max(got["peaks"]) > 0.05, path


@pytest.mark.parametrize("config", [{"analysis": False}], indirect=True)
async def test_with_analysis_off_a_scan_only_walks(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    state = await get_json(client, "/api/v1/scan", admin)
    assert state["last"]["state"] == "done"
    analysis = state["analysis"]
    assert analysis["enabled"] is False
    assert (analysis["pending"], analysis["analysed"], analysis["total"]) == (5, 0, 5)
    assert sum(analysis["shards"].values()) == 0


SECRET = "an-internal-secret-for-tests"


@pytest.mark.parametrize("config", [{"analysis": False, "cluster_secret": SECRET}], indirect=True)
async def test_internal_analysis_endpoints(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    """A secondary's results reach the primary's writer only with the secret, for a shard
    that is still theirs, from the same extractor version, and well-formed."""
    services = client.app[SERVICES]
    await services.cluster.start()
    try:
        epoch = services.cluster.view.epoch
        assert epoch is not None
        store = services.scanner.analysis_store
        ids = await store.needing(FEATURE_VERSION)
        [shard_id] = await store.create_shards(epoch, [ids[:2]])
        await store.assign(epoch, [(shard_id, "node-x")])
        [job, _] = await store.jobs(ids[:2], FEATURE_VERSION)
        result = AnalysisWrite(
            job.track_id,
            job.size,
            job.mtime_ns,
            "ok",
            features=to_bytes(np.ones(DIM)),
            bpm=99.5,
            key="C major",
        )
        body = {"member": "node-x", "version": FEATURE_VERSION, "results": [wire.encode(result)]}
        url = f"/internal/v1/analysis/{shard_id}"

        async def post(
            path: str, data: dict[str, Any], key: str = SECRET
        ) -> tuple[int, dict[str, Any]]:
            resp = await client.post(path, json=data, headers={SECRET_HEADER: key})
            return resp.status, await resp.json()

        assert (await post(url + "/batch", body, "wrong"))[0] == 403
        assert (await post("/internal/v1/analysis/999/batch", body))[0] == 404
        status, err = await post(url + "/batch", body | {"results": [{"track_id": 1}]})
        assert (status, err["error"]["code"]) == (400, "invalid_field")
        status, err = await post(url + "/batch", body | {"version": FEATURE_VERSION + 1})
        assert (status, err["error"]["code"]) == (409, "version_mismatch")
        status, err = await post(url + "/batch", body | {"member": "node-y"})
        assert (status, err["error"]["code"]) == (409, "shard_reassigned")

        assert await post(url + "/batch", body) == (200, {"written": 1})
        assert await post(url + "/finish", {"member": "node-x"}) == (200, {"finished": shard_id})
        track = await get_json(client, f"/api/v1/tracks/{job.track_id}", admin)
        assert (track["bpm"], track["key"]) == (99.5, "C major")
        shard = await store.shard(shard_id)
        assert shard is not None and (shard.state, shard.done) == ("done", 1)
    finally:
        await services.cluster.stop()
