"""Waveform peaks: decoded with ffmpeg on first request, cached, redone when the file changes."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient

from api.context import SERVICES
from api.waveform import BUCKETS, buckets
from tests.api.conftest import get_json, rescan
from tests.audio import corrupt_file, make_track

Client = TestClient  # type: ignore[type-arg]


async def _track_id(client: Client, admin: dict[str, str], title: str) -> int:
    tracks = await get_json(client, f"/api/v1/tracks?q={title}", admin)
    return int(tracks["items"][0]["id"])


async def test_peaks_of_a_real_track(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    track_id = await _track_id(client, admin, "Angel")
    got = await get_json(client, f"/api/v1/tracks/{track_id}/waveform", admin)
    assert got["track_id"] == track_id
    assert abs(got["duration"] - 2.0) < 0.2
    peaks = got["peaks"]
    assert len(peaks) == BUCKETS
    assert all(0 <= p <= 1 for p in peaks)
    # A steady sine: loud all through (ffmpeg's sine source is at 1/8 of full scale).
    assert min(peaks[5:-5]) > 0.05
    assert max(peaks) - min(peaks[5:-5]) < 0.05

    # The second answer comes from the database: no decode.
    waveforms = client.app[SERVICES].waveforms
    calls = 0
    original = waveforms._decode

    async def counting(path: bytes) -> bytes:
        nonlocal calls
        calls += 1
        return await original(path)

    waveforms._decode = counting  # type: ignore[method-assign]
    again = await get_json(client, f"/api/v1/tracks/{track_id}/waveform", admin)
    assert again["peaks"] == peaks
    assert calls == 0


async def test_every_format_decodes(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> None:
    tracks = await get_json(client, "/api/v1/tracks", admin)
    assert tracks["total"] == 5
    for track in tracks["items"]:
        got = await get_json(client, f"/api/v1/tracks/{track['id']}/waveform", admin)
        assert len(got["peaks"]) == BUCKETS and max(got["peaks"]) > 0.05, track["format"]


async def test_a_changed_file_is_decoded_again(
    client: Client, admin: dict[str, str], library: list[Path]
) -> None:
    path = make_track(library[0] / "quiet.flac", title="Tone", seconds=1.0)
    await rescan(client)
    track_id = await _track_id(client, admin, "Tone")
    first = await get_json(client, f"/api/v1/tracks/{track_id}/waveform", admin)
    make_track(path, title="Tone", seconds=3.0)  # a new file in its place
    await rescan(client)
    second = await get_json(client, f"/api/v1/tracks/{track_id}/waveform", admin)
    assert abs(second["duration"] - 3.0) < 0.2 and first["duration"] < 1.5


async def test_errors(client: Client, admin: dict[str, str], library: list[Path]) -> None:
    make_track(library[0] / "gone.mp3", title="Gone")
    await rescan(client)
    gone = await _track_id(client, admin, "Gone")
    (library[0] / "gone.mp3").unlink()
    resp = await client.get(f"/api/v1/tracks/{gone}/waveform", headers=admin)
    assert resp.status == 404 and (await resp.json())["error"]["code"] == "file_missing"
    resp = await client.get("/api/v1/tracks/424242/waveform", headers=admin)
    assert resp.status == 404 and (await resp.json())["error"]["code"] == "not_found"
    assert (await client.get(f"/api/v1/tracks/{gone}/waveform")).status == 401


async def test_undecodable_audio_is_422(
    client: Client, admin: dict[str, str], library: list[Path]
) -> None:
    make_track(library[0] / "fine.mp3", title="Fine")
    await rescan(client)
    track_id = await _track_id(client, admin, "Fine")
    corrupt_file(library[0] / "fine.mp3")  # turns to junk after the scan read it
    resp = await client.get(f"/api/v1/tracks/{track_id}/waveform", headers=admin)
    assert resp.status == 422, await resp.text()
    assert (await resp.json())["error"]["code"] == "undecodable"


def test_buckets_spread_few_peaks_and_scale() -> None:
    from array import array

    out = buckets(array("I", [32768, 0, 16384]), 6)
    assert list(out) == [255, 255, 0, 0, 127, 127]
    assert buckets(array("I"), 4) == bytes(4)
