"""Shard results survive the trip to the primary as JSON, exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.parse import Job, parse_chunk
from ingest.wire import decode_track, encode_track
from tests.audio import make_jpeg, make_track
from tonearm.errors import Invalid


def test_round_trip_of_real_parsed_files(tmp_path: Path) -> None:
    make_track(tmp_path / "a" / "x.flac", title="Ünïcode", artists=["A", "B"], genres=["Rock", "Pop"],
               picture=make_jpeg(8, 8), rg_track_gain="-3.2 dB", mb_recording_id="8f5b7a3e-3d0e-4d3b-9c66-1d2b3c4d5e6f")  # fmt: skip
    (tmp_path / "a" / "cover.jpg").write_bytes(make_jpeg(4, 4))
    jobs = [Job(b"a/x.flac", 1, 2, b"a/cover.jpg")]
    [parsed] = parse_chunk(bytes(tmp_path), jobs)
    assert not hasattr(parsed, "reason")
    wire = json.loads(json.dumps(encode_track(parsed)))  # type: ignore[arg-type]
    assert decode_track(wire) == parsed


@pytest.mark.parametrize("broken", [{}, {"rel_path": "!!", "size": 1}, {"tags": {"title": "x"}}])
def test_malformed_batches_are_invalid(broken: dict[str, object]) -> None:
    with pytest.raises(Invalid):
        decode_track(broken)
