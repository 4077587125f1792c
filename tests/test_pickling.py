"""tuple_pickle: the scan's records survive the process pool unchanged."""

from __future__ import annotations

import pickle
from typing import NamedTuple

from ingest.parse import Failure, Job
from ingest.tags import Picture, TrackTags
from store.ingest import CoverSource, TrackWrite
from tonearm.pickling import tuple_pickle


@tuple_pickle
class _One(NamedTuple):
    only: int


def _track() -> TrackWrite:
    tags = TrackTags(
        title="Teardrop", artists=("Massive Attack", "Elizabeth Fraser"), album="Mezzanine",
        album_artists=("Massive Attack",), track_no=3, track_total=11, disc_no=None,
        disc_total=None, year=1998, date="1998-04-20", genres=("Trip Hop",), compilation=False,
        duration=330.5, bitrate=320000, sample_rate=44100, channels=2, format="mp3",
        mime="audio/mpeg", mb_recording_id=None, mb_track_id=None, mb_album_id=None,
        mb_release_group_id=None, mb_artist_ids=(), mb_album_artist_ids=(),
        rg_track_gain=-6.5, rg_track_peak=0.98, rg_album_gain=None, rg_album_peak=None,
        picture=Picture("ab" * 20, "image/jpeg"),
    )  # fmt: skip
    cover = CoverSource("ab" * 20, "image/jpeg", "embedded", b"Massive/Mezzanine/03.mp3")
    return TrackWrite(b"Massive/Mezzanine/03.mp3", 123, 456, tags, cover, None)


def test_records_round_trip_equal() -> None:
    items = [_track(), Failure(b"x.mp3", "corrupt"), Job(b"a/b.flac", 1, 2, b"a/cover.jpg")]
    for item in items:
        for protocol in (2, pickle.HIGHEST_PROTOCOL):
            back = pickle.loads(pickle.dumps(item, protocol))
            assert back == item
            assert type(back) is type(item)
            assert type(getattr(back, "tags", None)) is type(getattr(item, "tags", None))


def test_a_one_field_class_round_trips() -> None:
    assert pickle.loads(pickle.dumps(_One(7))) == _One(7)
