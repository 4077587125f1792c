"""Tag reading: every format round-trips through real files, plus the parsing rules."""

# mutagen ships py.typed but leaves its constructors and tag methods unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mutagen.flac import FLAC
from mutagen.id3 import APIC, ID3, TCON, TPE1, TXXX
from mutagen.mp4 import MP4, MP4FreeForm
from mutagen.oggopus import OggOpus

from ingest.tags import (
    AUDIO_EXTENSIONS,
    TagError,
    _guess_from_path,
    _parse_float,
    _parse_number_pair,
    _parse_r128,
    _split_leading_number,
    read_embedded_picture,
    read_tags,
)
from tests.audio import FORMATS, SAMPLE_RATE, corrupt_file, make_jpeg, make_png, make_track

REC_ID = "0a3b36d2-7e0f-4a1e-9c31-1f0d7a8f7c11"
ALBUM_ID = "5d8e3f4a-2b1c-4d6e-8f9a-0b1c2d3e4f5a"
ARTIST_IDS = ("b10bbbfc-cf9e-42e0-be17-e2c3e1d2600d", "ba550d0e-adac-4864-b88b-407cab5e76af")

EXPECTED_FORMAT = {
    "mp3": ("mp3", "audio/mpeg"),
    "flac": ("flac", "audio/flac"),
    "ogg": ("vorbis", "audio/ogg"),
    "opus": ("opus", "audio/ogg"),
    "m4a": ("aac", "audio/mp4"),
    "alac": ("alac", "audio/mp4"),
    "wav": ("wav", "audio/wav"),
    "aiff": ("aiff", "audio/aiff"),
    "wma": ("wma", "audio/x-ms-wma"),
    "wv": ("wavpack", "audio/x-wavpack"),
}
EXTENSION = {"ogg": ".ogg", "m4a": ".m4a", "alac": ".m4a", "aiff": ".aiff"}


def _name(fmt: str, stem: str = "track") -> str:
    return stem + EXTENSION.get(fmt, f".{fmt}")


@pytest.fixture(scope="module")
def jpeg() -> bytes:
    return make_jpeg()


@pytest.fixture(scope="module")
def png() -> bytes:
    return make_png()


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip(tmp_path: Path, fmt: str, jpeg: bytes) -> None:
    rel = f"Folder Artist/Folder Album/{_name(fmt)}"
    path = make_track(
        tmp_path / rel,
        fmt,
        title="Mrs. Robinson",
        artists=["Simon & Garfunkel", "Dave Grohl feat. Someone"],
        album="Bookends",
        album_artist="Simon & Garfunkel",
        track="3/12",
        disc="1/2",
        date="1968-04-03",
        genres=["Folk Rock", "Pop"],
        compilation=True,
        mb_recording_id=REC_ID,
        mb_album_id=ALBUM_ID,
        rg_track_gain="-6.5 dB",
        picture=jpeg,
    )

    tags = read_tags(str(path), rel)

    assert tags.title == "Mrs. Robinson"
    assert tags.artists == ("Simon & Garfunkel", "Dave Grohl feat. Someone")
    assert tags.album == "Bookends"
    assert tags.album_artists == ("Simon & Garfunkel",)
    assert (tags.track_no, tags.track_total) == (3, 12)
    assert (tags.disc_no, tags.disc_total) == (1, 2)
    assert (tags.year, tags.date) == (1968, "1968-04-03")
    assert tags.genres == ("Folk Rock", "Pop")
    assert tags.compilation is True
    assert tags.mb_recording_id == REC_ID
    assert tags.mb_album_id == ALBUM_ID
    assert tags.rg_track_gain == -6.5
    assert tags.duration == pytest.approx(1.0, abs=0.1)
    assert tags.sample_rate == (48000 if fmt == "opus" else SAMPLE_RATE)
    # Mono AAC-LC may carry implicit parametric stereo, so mutagen reports the container's 2.
    assert tags.channels in ((1, 2) if fmt == "m4a" else (1,))
    assert tags.bitrate is None or tags.bitrate > 0
    assert (tags.format, tags.mime) == EXPECTED_FORMAT[fmt]
    assert tags.picture is not None
    assert tags.picture.sha1 == hashlib.sha1(jpeg).hexdigest()
    assert tags.picture.mime == "image/jpeg"


@pytest.mark.parametrize("fmt", FORMATS)
def test_read_embedded_picture_returns_exact_bytes(tmp_path: Path, fmt: str, png: bytes) -> None:
    path = make_track(tmp_path / _name(fmt), fmt, title="x", picture=png, picture_mime="image/png")

    assert read_embedded_picture(str(path)) == (png, "image/png")
    tags = read_tags(str(path), _name(fmt))
    assert tags.picture is not None
    assert (tags.picture.sha1, tags.picture.mime) == (hashlib.sha1(png).hexdigest(), "image/png")


@pytest.mark.parametrize("fmt", FORMATS)
def test_untagged_file_falls_back_to_path(tmp_path: Path, fmt: str) -> None:
    rel = f"Nick Drake/Pink Moon/04 - Road{EXTENSION.get(fmt, '.' + fmt)}"
    path = make_track(tmp_path / rel, fmt)

    tags = read_tags(str(path).encode(), rel.encode())

    assert tags.title == "Road"
    assert tags.track_no == 4
    assert tags.album == "Pink Moon"
    assert tags.artists == ("Nick Drake",)
    assert tags.album_artists == ("Nick Drake",)
    assert tags.genres == ()
    assert tags.compilation is False
    assert tags.picture is None
    assert read_embedded_picture(str(path)) is None


@pytest.mark.parametrize(
    ("rel_path", "title", "album", "artist", "track", "disc"),
    [
        ("Artist/Album/01 - Song.mp3", "Song", "Album", "Artist", 1, None),
        ("Album/01. Song.flac", "Song", "Album", "Unknown Artist", 1, None),
        ("song.mp3", "song", "Unknown Album", "Unknown Artist", None, None),
        ("A/B/1-03 Song.mp3", "Song", "B", "A", 3, 1),
        ("A/B/07_Song.ogg", "Song", "B", "A", 7, None),
        ("A/B/12 Song.ogg", "Song", "B", "A", 12, None),
        ("A/B/2 Become 1.mp3", "2 Become 1", "B", "A", None, None),
        ("A/B/1999.mp3", "1999", "B", "A", None, None),
        ("Music/Rock/A/B/05 - x.y.z.mp3", "x.y.z", "B", "A", 5, None),
        (b"Bj\xf6rk/Post/01 - Army of Me.flac", "Army of Me", "Post", "Bj\ufffdrk", 1, None),
    ],
)
def test_guess_from_path(
    rel_path: str | bytes,
    title: str,
    album: str,
    artist: str,
    track: int | None,
    disc: int | None,
) -> None:
    guess = _guess_from_path(rel_path)

    assert (guess.title, guess.album, guess.artist) == (title, album, artist)
    assert (guess.track_no, guess.disc_no) == (track, disc)


def test_title_tag_wins_but_track_number_comes_from_file_name(tmp_path: Path) -> None:
    path = make_track(tmp_path / "A/B/09 - whatever.flac", title="Real Title")

    tags = read_tags(str(path), "A/B/09 - whatever.flac")

    assert (tags.title, tags.track_no) == ("Real Title", 9)


@pytest.mark.parametrize("fmt", ["mp3", "flac", "wma", "wv"])
def test_garbage_numbers_become_none(tmp_path: Path, fmt: str) -> None:
    path = make_track(
        tmp_path / _name(fmt), fmt, title="t", track="A1/xx", disc="one", date="unknown"
    )

    tags = read_tags(str(path), _name(fmt))

    assert (tags.track_no, tags.track_total, tags.disc_no, tags.disc_total) == (None,) * 4
    assert (tags.year, tags.date) == (None, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3/12", (3, 12)),
        ("3", (3, None)),
        (" 03 / 12 ", (3, 12)),
        ("3/", (3, None)),
        ("0/0", (None, None)),
        ("/12", (None, None)),
        ("A1", (None, None)),
        ("3/abc", (None, None)),
        ("", (None, None)),
        (None, (None, None)),
        ("99999999999", (None, None)),
        ("1" * 5000, (None, None)),
    ],
)
def test_parse_number_pair(text: str | None, expected: tuple[int | None, int | None]) -> None:
    assert _parse_number_pair(text) == expected


@given(st.integers(1, 99_999), st.integers(1, 99_999))
def test_parse_number_pair_round_trips(number: int, total: int) -> None:
    assert _parse_number_pair(f"{number}/{total}") == (number, total)
    assert _parse_number_pair(f"{number:03d}") == (number, None)


@given(st.text())
def test_parse_number_pair_never_raises(text: str) -> None:
    for value in _parse_number_pair(text):
        assert value is None or 0 < value <= 99_999


@given(
    st.integers(1, 999),
    # A title that itself starts with a digit or a separator is ambiguous by nature.
    st.text(min_size=1).filter(lambda s: s.strip() and s.lstrip()[0] not in "0123456789-._)"),
)
def test_split_leading_number(number: int, title: str) -> None:
    for stem in (f"{number:02d} - {title}", f"{number:02d}. {title}", f"{number:02d} {title}"):
        disc, track, rest = _split_leading_number(stem)
        assert (disc, track, rest) == (None, number, title.strip())


@given(st.text())
def test_split_leading_number_never_loses_the_title(stem: str) -> None:
    _, _, title = _split_leading_number(stem)
    assert title or not stem.strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-6.5 dB", -6.5),
        ("+2.10 dB", 2.1),
        ("0 dB", 0.0),
        ("-6,5 dB", -6.5),
        ("-7.03", -7.03),
        ("garbage", None),
        ("nan", None),
        ("1e999", None),
        ("", None),
    ],
)
def test_parse_gain(text: str, expected: float | None) -> None:
    assert _parse_float(text, lowest=-1000.0) == expected


def test_parse_r128() -> None:
    assert _parse_r128("-512") == 3.0
    assert _parse_r128("0") == 5.0
    assert _parse_r128("x") is None


def test_opus_r128_gain_is_the_fallback(tmp_path: Path) -> None:
    path = make_track(tmp_path / "a.opus", title="t")
    audio = OggOpus(path)
    audio["R128_TRACK_GAIN"] = ["-512"]
    audio["R128_ALBUM_GAIN"] = ["256"]
    audio.save()

    tags = read_tags(str(path), "a.opus")
    assert (tags.rg_track_gain, tags.rg_album_gain) == (3.0, 6.0)

    audio["REPLAYGAIN_TRACK_GAIN"] = ["-1.25 dB"]
    audio.save()
    assert read_tags(str(path), "a.opus").rg_track_gain == -1.25


def test_compilation_from_various_artists_album_artist(tmp_path: Path) -> None:
    path = make_track(tmp_path / "a.mp3", title="t", album_artist="various artists")

    tags = read_tags(str(path), "a.mp3")

    assert tags.compilation is True
    assert tags.album_artists == ("various artists",)


@pytest.mark.parametrize("fmt", ["mp3", "flac", "m4a", "wma"])
def test_compilation_flag_without_album_artist(tmp_path: Path, fmt: str) -> None:
    path = make_track(tmp_path / _name(fmt), fmt, artists=["X"], compilation=True)

    tags = read_tags(str(path), _name(fmt))

    assert tags.compilation is True
    assert tags.album_artists == ("Various Artists",)
    assert tags.artists == ("X",)


def test_artists_tag_preferred_flac(tmp_path: Path) -> None:
    path = make_track(tmp_path / "a.flac", artists=["A feat. B"])
    audio = FLAC(path)
    audio["ARTISTS"] = ["A", "B"]
    audio["MUSICBRAINZ_ARTISTID"] = list(ARTIST_IDS)
    audio["MUSICBRAINZ_RELEASETRACKID"] = [REC_ID.upper()]
    audio["MUSICBRAINZ_RELEASEGROUPID"] = [ALBUM_ID]
    audio.save()

    tags = read_tags(str(path), "a.flac")

    assert tags.artists == ("A", "B")
    assert tags.album_artists == ("A", "B")
    assert tags.mb_artist_ids == ARTIST_IDS
    assert tags.mb_track_id == REC_ID
    assert tags.mb_release_group_id == ALBUM_ID


def test_id3_details(tmp_path: Path) -> None:
    path = make_track(tmp_path / "a.mp3", title="t")
    audio = ID3(path)
    audio.add(TPE1(encoding=3, text=["A feat. B"]))
    audio.add(TXXX(encoding=3, desc="ARTISTS", text=["A", "B"]))
    audio.add(TCON(encoding=3, text=["(17)"]))
    # ID3v2.3 taggers join several ids with "/"; foobar2000 writes lower-case descriptions.
    audio.add(TXXX(encoding=3, desc="MusicBrainz Artist Id", text=["/".join(ARTIST_IDS)]))
    audio.add(TXXX(encoding=3, desc="replaygain_album_gain", text=["-3.00 dB"]))
    audio.add(TXXX(encoding=3, desc="replaygain_album_peak", text=["0.988"]))
    audio.save()

    tags = read_tags(str(path), "a.mp3")

    assert tags.artists == ("A", "B")
    assert tags.genres == ("Rock",)
    assert tags.mb_artist_ids == ARTIST_IDS
    assert (tags.rg_album_gain, tags.rg_album_peak) == (-3.0, 0.988)


def test_mp4_artists_freeform(tmp_path: Path) -> None:
    path = make_track(tmp_path / "a.m4a", artists=["A & B"])
    audio = MP4(path)
    assert audio.tags is not None
    audio.tags["----:com.apple.iTunes:ARTISTS"] = [MP4FreeForm(b"A"), MP4FreeForm(b"B")]
    audio.tags["----:com.apple.iTunes:MusicBrainz Release Track Id"] = [MP4FreeForm(b"junk")]
    audio.save()

    tags = read_tags(str(path), "a.m4a")

    assert tags.artists == ("A", "B")
    assert tags.mb_track_id is None


def test_strings_are_stripped_and_empty_means_absent(tmp_path: Path) -> None:
    path = make_track(tmp_path / "Art/Alb/x.flac")
    audio = FLAC(path)
    audio["TITLE"] = ["  Song \x00"]
    audio["ALBUM"] = ["   "]
    audio["ARTIST"] = ["\x00", " One ", "Two\x00"]
    audio["GENRE"] = ["", "Jazz"]
    audio.save()

    tags = read_tags(str(path), "Art/Alb/x.flac")

    assert tags.title == "Song"
    assert tags.album == "Alb"
    assert tags.artists == ("One", "Two")
    assert tags.genres == ("Jazz",)


def test_year_only_and_original_date_fallback(tmp_path: Path) -> None:
    path = make_track(tmp_path / "a.flac", title="t", date="1997")
    tags = read_tags(str(path), "a.flac")
    assert (tags.year, tags.date) == (1997, "1997")

    audio = FLAC(path)
    del audio["DATE"]
    audio["ORIGINALDATE"] = ["1971-11-08"]
    audio.save()
    tags = read_tags(str(path), "a.flac")
    assert (tags.year, tags.date) == (1971, "1971-11-08")


@pytest.mark.parametrize("fmt", ["mp3", "flac"])
def test_front_cover_preferred_over_first_picture(
    tmp_path: Path, fmt: str, jpeg: bytes, png: bytes
) -> None:
    path = make_track(tmp_path / _name(fmt), fmt, title="t")
    if fmt == "mp3":
        audio = ID3(path)
        audio.add(APIC(encoding=3, mime="image/png", type=4, desc="back", data=png))
        # Wrong mime in the tag: the magic bytes decide.
        audio.add(APIC(encoding=3, mime="image/png", type=3, desc="front", data=jpeg))
        audio.save()
    else:
        from tests.audio import _flac_picture

        flac = FLAC(path)
        back = _flac_picture({"picture": png, "picture_mime": "image/png"})
        back.type = 4
        flac.add_picture(back)
        flac.add_picture(_flac_picture({"picture": jpeg, "picture_mime": ""}))
        flac.save()

    assert read_embedded_picture(str(path)) == (jpeg, "image/jpeg")


def test_first_picture_when_no_front_cover(tmp_path: Path, png: bytes) -> None:
    path = make_track(tmp_path / "a.mp3", title="t")
    audio = ID3(path)
    audio.add(APIC(encoding=3, mime="", type=0, desc="other", data=png))
    audio.save()

    assert read_embedded_picture(str(path)) == (png, "image/png")


@pytest.mark.parametrize("ext", [".mp3", ".flac", ".ogg", ".opus", ".m4a", ".wav", ".wma"])
def test_zero_byte_and_corrupt_files_raise_tag_error(tmp_path: Path, ext: str) -> None:
    empty = tmp_path / f"empty{ext}"
    empty.write_bytes(b"")
    junk = corrupt_file(tmp_path / f"junk{ext}")

    for path in (empty, junk, tmp_path / f"missing{ext}"):
        with pytest.raises(TagError):
            read_tags(str(path), path.name)
        with pytest.raises(TagError):
            read_embedded_picture(str(path))


@pytest.mark.parametrize("fmt", FORMATS)
def test_truncated_files_never_raise_anything_but_tag_error(
    tmp_path: Path, fmt: str, jpeg: bytes
) -> None:
    whole = make_track(tmp_path / _name(fmt), fmt, title="t", artists=["a"], picture=jpeg)
    data = whole.read_bytes()
    for size in (4, 64, 300, len(data) // 2, len(data) - 7):
        cut = tmp_path / _name(fmt, f"cut{size}")
        cut.write_bytes(data[:size])
        with contextlib.suppress(TagError):
            read_tags(str(cut), cut.name)


def test_audio_extensions() -> None:
    assert all(isinstance(e, bytes) and e.startswith(b".") for e in AUDIO_EXTENSIONS)
    assert all(e == e.lower() for e in AUDIO_EXTENSIONS)
    for fmt in FORMATS:
        assert _name(fmt, "").encode() in AUDIO_EXTENSIONS


@pytest.mark.parametrize(("fmt", "lie"), [("m4a", ".mp3"), ("flac", ".ogg"), ("opus", ".flac")])
def test_a_file_whose_extension_lies_is_read_as_what_it_is(
    tmp_path: Path, fmt: str, lie: str
) -> None:
    real = make_track(tmp_path / f"real.{fmt}", fmt, title="Misnamed")
    liar = real.rename(tmp_path / f"liar{lie}")
    tags = read_tags(liar, b"liar" + lie.encode())
    assert tags.title == "Misnamed"
    assert (tags.format, tags.mime) == EXPECTED_FORMAT[fmt]
