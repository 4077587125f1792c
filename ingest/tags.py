"""Read one audio file's tags and stream properties into a normalised TrackTags.

Every container's native tag layout (ID3, Vorbis comments, MP4 atoms, ASF attributes,
APEv2) is first flattened into one dict of canonical keys by a per-format key table,
then a single builder applies the parsing rules and the path-based fallbacks.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import logging
import math
import os
import re
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import mutagen
from mutagen.aac import AAC
from mutagen.ac3 import AC3
from mutagen.aiff import AIFF
from mutagen.apev2 import BINARY, TEXT, APEv2
from mutagen.asf import ASF, ASFTags
from mutagen.dsdiff import DSDIFF
from mutagen.dsf import DSF
from mutagen.flac import FLAC
from mutagen.flac import Picture as _FlacPicture
from mutagen.id3 import ID3
from mutagen.monkeysaudio import MonkeysAudio
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4Cover, MP4Tags
from mutagen.musepack import Musepack
from mutagen.oggflac import OggFLAC
from mutagen.oggopus import OggOpus
from mutagen.oggspeex import OggSpeex
from mutagen.oggvorbis import OggVorbis
from mutagen.optimfrog import OptimFROG
from mutagen.tak import TAK
from mutagen.trueaudio import TrueAudio
from mutagen.wave import WAVE
from mutagen.wavpack import WavPack

from tonearm.pickling import tuple_pickle

__all__ = [
    "AUDIO_EXTENSIONS",
    "Picture",
    "TagError",
    "TrackTags",
    "read_embedded_picture",
    "read_tags",
]

log = logging.getLogger(__name__)

AUDIO_EXTENSIONS: frozenset[bytes] = frozenset(
    {
        b".mp3", b".mp2", b".flac", b".ogg", b".oga", b".opus", b".spx",
        b".m4a", b".m4b", b".mp4", b".alac", b".aac", b".wav", b".wave",
        b".aif", b".aiff", b".aifc", b".wma", b".asf", b".ape", b".wv",
        b".mpc", b".mp+", b".tta", b".ofr", b".ofs", b".tak", b".dsf",
        b".dff", b".ac3", b".eac3",
    }
)  # fmt: skip


class TagError(Exception):
    """file could not be read as audio (corrupt, empty, unsupported)"""


@tuple_pickle
class Picture(NamedTuple):
    sha1: str  # hex digest of the image bytes
    mime: str  # image/jpeg, image/png, image/webp ...


@tuple_pickle
class TrackTags(NamedTuple):
    title: str
    artists: tuple[str, ...]
    album: str
    album_artists: tuple[str, ...]
    track_no: int | None
    track_total: int | None
    disc_no: int | None
    disc_total: int | None
    year: int | None
    date: str | None
    genres: tuple[str, ...]
    compilation: bool
    duration: float
    bitrate: int | None
    sample_rate: int | None
    channels: int | None
    format: str
    mime: str
    mb_recording_id: str | None
    mb_track_id: str | None
    mb_album_id: str | None
    mb_release_group_id: str | None
    mb_artist_ids: tuple[str, ...]
    mb_album_artist_ids: tuple[str, ...]
    rg_track_gain: float | None
    rg_track_peak: float | None
    rg_album_gain: float | None
    rg_album_peak: float | None
    picture: Picture | None


# -- container → (format, streaming mime); also the candidate list handed to mutagen ----------

_FORMATS: dict[type[Any], tuple[str, str]] = {
    MP3: ("mp3", "audio/mpeg"),
    FLAC: ("flac", "audio/flac"),
    OggVorbis: ("vorbis", "audio/ogg"),
    OggOpus: ("opus", "audio/ogg"),
    OggSpeex: ("speex", "audio/ogg"),
    OggFLAC: ("flac", "audio/ogg"),
    MP4: ("aac", "audio/mp4"),
    ASF: ("wma", "audio/x-ms-wma"),
    WAVE: ("wav", "audio/wav"),
    AIFF: ("aiff", "audio/aiff"),
    WavPack: ("wavpack", "audio/x-wavpack"),
    Musepack: ("musepack", "audio/x-musepack"),
    MonkeysAudio: ("ape", "audio/x-ape"),
    TrueAudio: ("tta", "audio/x-tta"),
    OptimFROG: ("optimfrog", "audio/x-optimfrog"),
    TAK: ("tak", "audio/x-tak"),
    DSF: ("dsf", "audio/x-dsf"),
    DSDIFF: ("dsdiff", "audio/x-dff"),
    AAC: ("aac", "audio/aac"),
    AC3: ("ac3", "audio/ac3"),
}
# Only types we can serve; leaving out mutagen's generic APEv2File also saves it a seek to
# the end of every file while guessing the type.
_OPTIONS = list(_FORMATS)

_BY_EXTENSION: dict[bytes, list[type[Any]]] = {
    b".mp3": [MP3], b".mp2": [MP3], b".flac": [FLAC],
    b".ogg": [OggVorbis, OggOpus, OggFLAC, OggSpeex], b".oga": [OggVorbis, OggFLAC, OggOpus],
    b".opus": [OggOpus], b".spx": [OggSpeex],
    b".m4a": [MP4], b".m4b": [MP4], b".mp4": [MP4], b".alac": [MP4], b".aac": [AAC, MP4],
    b".wav": [WAVE], b".wave": [WAVE], b".aif": [AIFF], b".aiff": [AIFF], b".aifc": [AIFF],
    b".wma": [ASF], b".asf": [ASF], b".ape": [MonkeysAudio], b".wv": [WavPack],
    b".mpc": [Musepack], b".mp+": [Musepack], b".tta": [TrueAudio],
    b".ofr": [OptimFROG], b".ofs": [OptimFROG], b".tak": [TAK], b".dsf": [DSF],
    b".dff": [DSDIFF], b".ac3": [AC3], b".eac3": [AC3],
}  # fmt: skip

# MP4 codec (info.codec) → format; anything else falls back to the codec string itself.
_MP4_CODECS = {"alac": "alac", "mp4a.40.2": "aac", "mp4a.40.5": "aac", "mp4a.40.29": "aac",
               "mp4a.6b": "mp3", "mp4a.69": "mp3", "ac-3": "ac3", "ec-3": "eac3",
               "flac": "flac", "opus": "opus"}  # fmt: skip

# -- per-format key tables → canonical keys ----------------------------------------------------

_REPLAYGAIN = {
    "REPLAYGAIN_TRACK_GAIN": "rg_track_gain",
    "REPLAYGAIN_TRACK_PEAK": "rg_track_peak",
    "REPLAYGAIN_ALBUM_GAIN": "rg_album_gain",
    "REPLAYGAIN_ALBUM_PEAK": "rg_album_peak",
}

# Vorbis comments (FLAC, Ogg) and APEv2 items: case-insensitive names, Picard's spelling.
_PLAIN_KEYS = {
    "TITLE": "title",
    "ARTIST": "artist",
    "ARTISTS": "artists",
    "ALBUM": "album",
    "ALBUMARTIST": "albumartist",
    "ALBUM ARTIST": "albumartist",
    "ALBUMARTISTS": "albumartists",
    "TRACKNUMBER": "tracknumber",
    "TRACK": "tracknumber",
    "TRACKTOTAL": "tracktotal",
    "TOTALTRACKS": "tracktotal",
    "DISCNUMBER": "discnumber",
    "DISC": "discnumber",
    "DISCTOTAL": "disctotal",
    "TOTALDISCS": "disctotal",
    "DATE": "date",
    "YEAR": "year",
    "ORIGINALDATE": "originaldate",
    "ORIGINALYEAR": "originalyear",
    "GENRE": "genre",
    "COMPILATION": "compilation",
    "MUSICBRAINZ_TRACKID": "mb_recording_id",
    "MUSICBRAINZ_RELEASETRACKID": "mb_track_id",
    "MUSICBRAINZ_ALBUMID": "mb_album_id",
    "MUSICBRAINZ_RELEASEGROUPID": "mb_release_group_id",
    "MUSICBRAINZ_ARTISTID": "mb_artist_ids",
    "MUSICBRAINZ_ALBUMARTISTID": "mb_album_artist_ids",
    "R128_TRACK_GAIN": "r128_track_gain",
    "R128_ALBUM_GAIN": "r128_album_gain",
    **_REPLAYGAIN,
}

# ID3 TXXX descriptions and MP4 "----:com.apple.iTunes:<name>" atoms share these names.
_FREEFORM_KEYS = {
    "ARTISTS": "artists",
    "ALBUMARTISTS": "albumartists",
    "ORIGINALDATE": "originaldate",
    "ORIGINALYEAR": "originalyear",
    "MUSICBRAINZ TRACK ID": "mb_recording_id",  # MP4; ID3 keeps the recording in UFID
    "MUSICBRAINZ RELEASE TRACK ID": "mb_track_id",
    "MUSICBRAINZ ALBUM ID": "mb_album_id",
    "MUSICBRAINZ RELEASE GROUP ID": "mb_release_group_id",
    "MUSICBRAINZ ARTIST ID": "mb_artist_ids",
    "MUSICBRAINZ ALBUM ARTIST ID": "mb_album_artist_ids",
    **_REPLAYGAIN,
}

_ID3_KEYS = {
    "TIT2": "title",
    "TPE1": "artist",
    "TALB": "album",
    "TPE2": "albumartist",
    "TRCK": "tracknumber",
    "TPOS": "discnumber",
    "TDRC": "date",
    "TDOR": "originaldate",
    "TCON": "genre",
    "TCMP": "compilation",
    "UFID:http://musicbrainz.org": "mb_recording_id",
    **{f"TXXX:{name}": key for name, key in _FREEFORM_KEYS.items()},
}

_MP4_KEYS = {
    "©nam": "title",
    "©ART": "artist",
    "©alb": "album",
    "aART": "albumartist",
    "trkn": "tracknumber",
    "disk": "discnumber",
    "©day": "date",
    "©gen": "genre",
    "cpil": "compilation",
}

# ASF attribute names, upper-cased (foobar2000 and Picard disagree on case).
_ASF_KEYS = {
    "TITLE": "title",
    "AUTHOR": "artist",
    "WM/ARTISTS": "artists",
    "WM/ALBUMTITLE": "album",
    "WM/ALBUMARTIST": "albumartist",
    "WM/TRACKNUMBER": "tracknumber",
    "WM/PARTOFSET": "discnumber",
    "WM/YEAR": "date",
    "WM/ORIGINALRELEASETIME": "originaldate",
    "WM/ORIGINALRELEASEYEAR": "originalyear",
    "WM/GENRE": "genre",
    "WM/ISCOMPILATION": "compilation",
    "MUSICBRAINZ/TRACK ID": "mb_recording_id",
    "MUSICBRAINZ/RELEASE TRACK ID": "mb_track_id",
    "MUSICBRAINZ/ALBUM ID": "mb_album_id",
    "MUSICBRAINZ/RELEASE GROUP ID": "mb_release_group_id",
    "MUSICBRAINZ/ARTIST ID": "mb_artist_ids",
    "MUSICBRAINZ/ALBUM ARTIST ID": "mb_album_artist_ids",
    **_REPLAYGAIN,
}

# mutagen ships py.typed but leaves this constructor unannotated.
_parse_flac_picture: Callable[[bytes], Any] = _FlacPicture

_FRONT_COVER = 3  # ID3 APIC / FLAC picture type shared by every format that has types
_UNTYPED = -1


@dataclass(slots=True)
class _RawPicture:
    kind: int
    mime: str
    data: bytes


@dataclass(slots=True)
class _Raw:
    """One file's tags flattened to canonical keys, before any parsing rule is applied."""

    values: dict[str, list[str]] = field(default_factory=dict)
    pictures: list[_RawPicture] = field(default_factory=list)

    def add(self, key: str | None, values: Iterable[str]) -> None:
        if key is None:
            return
        out = self.values.setdefault(key, [])
        for value in values:
            # NUL never belongs inside a value: it is a separator or C-string padding.
            for part in value.split("\0"):
                part = part.strip()
                if part and part not in out:
                    out.append(part)

    def first(self, key: str) -> str | None:
        values = self.values.get(key)
        return values[0] if values else None

    def all(self, key: str) -> list[str]:
        return self.values.get(key, [])


# -- per-format extractors ---------------------------------------------------------------------


def _from_id3(tags: Any, raw: _Raw) -> None:
    for frame in tags.values():
        fid = frame.FrameID
        if fid == "APIC":
            raw.pictures.append(_RawPicture(int(frame.type), frame.mime, frame.data))
            continue
        if fid == "TXXX":
            key = _ID3_KEYS.get(f"TXXX:{frame.desc.upper()}")
        elif fid == "UFID":
            key = _ID3_KEYS.get(f"UFID:{frame.owner}")
            raw.add(key, [frame.data.decode("ascii", "replace")])
            continue
        else:
            key = _ID3_KEYS.get(fid)
        if key is not None:
            raw.add(key, frame.genres if fid == "TCON" else [str(t) for t in frame.text])


def _from_vorbis(tags: Any, raw: _Raw) -> None:
    for name, value in list.__iter__(tags):
        upper = name.upper()
        if upper == "METADATA_BLOCK_PICTURE":
            picture = _flac_picture_from_base64(value)
            if picture is not None:
                raw.pictures.append(picture)
        elif upper == "COVERART":  # pre-2009 convention: bare base64 image, no type
            data = _b64decode(value)
            if data:
                raw.pictures.append(_RawPicture(_UNTYPED, "", data))
        else:
            raw.add(_PLAIN_KEYS.get(upper), [value])


def _from_mp4(tags: Any, raw: _Raw) -> None:
    for name, value in tags.items():
        values = value if isinstance(value, list) else [value]  # cpil, pgap... are scalars
        if name == "covr":
            for cover in values:
                mime = "image/png" if cover.imageformat == MP4Cover.FORMAT_PNG else "image/jpeg"
                raw.pictures.append(_RawPicture(_FRONT_COVER, mime, bytes(cover)))
        elif name.startswith("----:"):
            _, _, atom = name[5:].partition(":")
            raw.add(_FREEFORM_KEYS.get(atom.upper()), (_text(v) for v in values))
        else:
            raw.add(_MP4_KEYS.get(name), (_text(v) for v in values))


def _from_asf(tags: Any, raw: _Raw) -> None:
    for name, attr in list.__iter__(tags):
        upper = name.upper()
        if upper == "WM/PICTURE":
            picture = _asf_picture(attr.value)
            if picture is not None:
                raw.pictures.append(picture)
        else:
            key = _ASF_KEYS.get(upper)
            if key is not None:
                raw.add(key, [_text(attr.value)])


def _from_ape(tags: Any, raw: _Raw) -> None:
    for name, value in tags.items():
        upper = name.upper()
        if upper.startswith("COVER ART") and value.kind == BINARY:
            # "<file name>\0<image bytes>"
            _, sep, data = value.value.partition(b"\0")
            kind = _FRONT_COVER if upper == "COVER ART (FRONT)" else _UNTYPED
            raw.pictures.append(_RawPicture(kind, "", data if sep else value.value))
        elif value.kind == TEXT:
            raw.add(_PLAIN_KEYS.get(upper), list(value))


_EXTRACTORS: tuple[tuple[type[Any], Callable[[Any, _Raw], None]], ...] = (
    (ID3, _from_id3),
    (MP4Tags, _from_mp4),
    (ASFTags, _from_asf),
    (APEv2, _from_ape),
)


def _extract(audio: Any) -> _Raw:
    raw = _Raw()
    tags = audio.tags
    if isinstance(audio, FLAC):
        for pic in audio.pictures:
            raw.pictures.append(_RawPicture(int(pic.type), pic.mime, pic.data))
    if tags is None:
        return raw
    for tag_type, extractor in _EXTRACTORS:
        if isinstance(tags, tag_type):
            extractor(tags, raw)
            return raw
    # Vorbis comments (FLAC, Ogg Vorbis/Opus/Speex/FLAC) are lists of (name, value) pairs
    # in several private subclasses.
    if isinstance(tags, list):
        _from_vorbis(tags, raw)
    return raw


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):  # MP4 trkn/disk: (number, total)
        number, total = [*value, 0, 0][:2]
        return f"{number}/{total}" if total else str(number)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


# -- pictures ----------------------------------------------------------------------------------

_IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)
_MIME_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "jpg": "image/jpeg",
                 "jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif"}  # fmt: skip


def _image_mime(data: bytes, tagged: str) -> str | None:
    """The image's real type from its magic bytes, else the tag's if it names an image."""
    for magic, mime in _IMAGE_MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return "image/avif"
    tagged = tagged.strip().lower()
    tagged = _MIME_ALIASES.get(tagged, tagged)
    return tagged if tagged.startswith("image/") else None


def _choose_picture(pictures: list[_RawPicture]) -> tuple[bytes, str] | None:
    usable = []
    for pic in pictures:
        mime = _image_mime(pic.data, pic.mime) if pic.data else None
        if mime is not None:
            if pic.kind == _FRONT_COVER:
                return pic.data, mime
            usable.append((pic.data, mime))
    return usable[0] if usable else None


def _b64decode(value: str) -> bytes | None:
    try:
        return base64.b64decode(value)
    except (binascii.Error, ValueError):
        return None


def _flac_picture_from_base64(value: str) -> _RawPicture | None:
    data = _b64decode(value)
    if not data:
        return None
    try:
        pic = _parse_flac_picture(data)
    except Exception:  # any malformed block: skip the picture, keep the track
        return None
    return _RawPicture(int(pic.type), pic.mime, pic.data)


def _asf_picture(blob: bytes) -> _RawPicture | None:
    """WM/Picture: type byte, LE uint32 size, UTF-16LE NUL-ended mime and description, data."""
    if len(blob) < 9:
        return None
    kind, size = struct.unpack_from("<BI", blob)
    pos = 5
    strings = []
    for _ in range(2):
        end = pos
        while end + 1 < len(blob) and blob[end : end + 2] != b"\0\0":
            end += 2
        strings.append(blob[pos:end].decode("utf-16-le", "replace"))
        pos = end + 2
    return _RawPicture(kind, strings[0], blob[pos : pos + size])


# -- value parsing rules -----------------------------------------------------------------------

_NUMBER_PAIR = re.compile(r"\s*([0-9]{1,9})\s*(?:/\s*([0-9]{0,9})\s*)?")
_YEAR = re.compile(r"[0-9]{4}")
_DECIBELS = re.compile(r"\s*([-+]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+))\s*(?:db)?\s*", re.I)
_R128 = re.compile(r"\s*([-+]?[0-9]{1,6})\s*")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TRUE = frozenset({"1", "true", "yes", "y", "t", "on"})
_MAX_NUMBER = 99_999
_VARIOUS_ARTISTS = "Various Artists"


def _positive(digits: str | None) -> int | None:
    if not digits:
        return None
    number = int(digits)
    return number if 0 < number <= _MAX_NUMBER else None


def _parse_number_pair(text: str | None) -> tuple[int | None, int | None]:
    """Parse "3/12" → (3, 12) and "3" → (3, None); anything unparseable → (None, None)."""
    if not text:
        return None, None
    match = _NUMBER_PAIR.fullmatch(text)
    if match is None:
        return None, None
    return _positive(match.group(1)), _positive(match.group(2))


def _parse_year(text: str | None) -> int | None:
    match = _YEAR.search(text) if text else None
    return _positive(match.group()) if match else None


def _parse_float(text: str | None, *, lowest: float) -> float | None:
    """Parse "-6.5 dB" → -6.5; a value outside [lowest, 1000] or not finite counts as garbage."""
    match = _DECIBELS.fullmatch(text) if text else None
    if match is None:
        return None
    value = float(match.group(1).replace(",", "."))
    return value if math.isfinite(value) and lowest <= value <= 1000.0 else None


def _parse_r128(text: str | None) -> float | None:
    """Opus R128 gain: Q7.8 fixed point against -23 LUFS; ReplayGain's reference is -18."""
    match = _R128.fullmatch(text) if text else None
    return int(match.group(1)) / 256 + 5.0 if match else None


def _gain(raw: _Raw, replaygain_key: str, r128_key: str) -> float | None:
    gain = _parse_float(raw.first(replaygain_key), lowest=-1000.0)
    return gain if gain is not None else _parse_r128(raw.first(r128_key))


def _truthy(text: str) -> bool:
    return text.strip().lower() in _TRUE


def _uuids(values: Iterable[str]) -> tuple[str, ...]:
    # ID3v2.3 taggers join several ids with "/" or ";"; a UUID never contains either.
    found = (m.group() for value in values for m in _UUID.finditer(value.lower()))
    return tuple(dict.fromkeys(found))


def _uuid(value: str | None) -> str | None:
    ids = _uuids([value]) if value else ()
    return ids[0] if ids else None


# -- path fallbacks ----------------------------------------------------------------------------

_LEADING_NUMBER = re.compile(
    r"(?:(?P<disc>[0-9]{1,2})[-.])?(?P<track>[0-9]{1,3})(?P<sep>\s*[-._)]\s*|\s+)(?P<rest>\S.*)",
    re.S,
)


def _split_leading_number(stem: str) -> tuple[int | None, int | None, str]:
    """Split "01 - Title" / "01. Title" / "1-03 Title" into (disc, track, "Title").

    A bare single digit followed by a space ("2 Become 1") is part of the title.
    """
    match = _LEADING_NUMBER.match(stem.strip())
    if match is None:
        return None, None, stem.strip()
    track, disc, sep = match.group("track"), match.group("disc"), match.group("sep")
    if not sep.strip() and len(track) < 2 and disc is None:
        return None, None, stem.strip()
    return _positive(disc), _positive(track), match.group("rest").strip()


@dataclass(frozen=True, slots=True)
class _PathGuess:
    title: str
    album: str
    artist: str
    track_no: int | None
    disc_no: int | None


def _guess_from_path(rel_path: bytes | str) -> _PathGuess:
    text = rel_path.decode("utf-8", "replace") if isinstance(rel_path, bytes) else rel_path
    if os.sep != "/":
        text = text.replace(os.sep, "/")
    parts = [part.strip() for part in text.split("/") if part.strip()]
    name = parts[-1] if parts else ""
    stem, dot, _ = name.rpartition(".")
    if not dot or not stem:
        stem = name
    disc, track, title = _split_leading_number(stem)
    return _PathGuess(
        title=title or stem or "Unknown Title",
        album=parts[-2] if len(parts) >= 2 else "Unknown Album",
        artist=parts[-3] if len(parts) >= 3 else "Unknown Artist",
        track_no=track,
        disc_no=disc,
    )


# -- assembly ----------------------------------------------------------------------------------


def _load_as(path: bytes | str, kinds: list[type[Any]]) -> Any:
    """mutagen.File limited to `kinds`, without its wrapper: the same scoring (best score,
    ties by class name, nothing unless positive) on one open file. The wrapper's decorators
    cost ~15 µs a file, 7% of the average file's parse (bench/scan.py)."""
    with open(path, "rb") as fileobj:
        header = fileobj.read(128)
        (score, _), kind = max(((k.score(path, fileobj, header), k.__name__), k) for k in kinds)
        if score <= 0:
            return None
        fileobj.seek(0)
        return kind(fileobj, filename=path)


def _open(path: bytes | str) -> Any:
    # Guessing the type means scoring every candidate class against the file; trying the
    # classes its extension names first costs ~25% less CPU per file (bench/scan.py). A file
    # whose extension lies fails to load as that type and is then guessed from its content.
    ext = os.path.splitext(os.fsencode(path))[1].lower()
    audio = None
    likely = _BY_EXTENSION.get(ext, [])
    if likely:
        with contextlib.suppress(Exception):
            audio = _load_as(path, likely)
    if audio is None:
        try:
            # without the extension's types: mutagen's guess favours them by name alone
            audio = mutagen.File(path, options=[k for k in _OPTIONS if k not in likely])
        except Exception as exc:  # mutagen raises many types for truncated or hostile files
            raise TagError(f"unreadable audio ({type(exc).__name__})") from exc
    if audio is None:
        raise TagError("not a recognised audio file")
    if audio.info is None:
        raise TagError("no audio stream")
    return audio


def _format_of(audio: Any) -> tuple[str, str]:
    fmt, mime = _FORMATS[type(audio)]
    info = audio.info
    if fmt == "mp3" and getattr(info, "layer", 3) in (1, 2):
        fmt = f"mp{info.layer}"
    elif isinstance(audio, MP4):
        codec = str(getattr(info, "codec", "") or "").lower()
        fmt = _MP4_CODECS.get(codec, codec or fmt)
    elif isinstance(audio, AC3) and str(getattr(info, "codec", "")).lower() == "ec-3":
        fmt, mime = "eac3", "audio/eac3"
    return fmt, mime


def _info_int(info: Any, name: str) -> int | None:
    value = getattr(info, name, None)
    if isinstance(value, (int, float)) and math.isfinite(value) and value > 0:
        return int(value)
    return None


def _dated(raw: _Raw) -> Iterable[tuple[str, int | None]]:
    for key in ("date", "year", "originaldate", "originalyear"):
        text = raw.first(key)
        if text is not None:
            yield text, _parse_year(text)


def _build(audio: Any, raw: _Raw, rel_path: bytes | str) -> TrackTags:
    fmt, mime = _format_of(audio)
    info = audio.info
    guess: _PathGuess | None = None

    def path_guess() -> _PathGuess:
        nonlocal guess
        if guess is None:
            guess = _guess_from_path(rel_path)
        return guess

    artists = tuple(raw.all("artists") or raw.all("artist"))
    album_artist_tag = tuple(raw.all("albumartists") or raw.all("albumartist"))
    compilation = any(_truthy(v) for v in raw.all("compilation")) or any(
        a.casefold() == _VARIOUS_ARTISTS.casefold() for a in album_artist_tag
    )
    if not artists:
        artists = album_artist_tag or (path_guess().artist,)
    album_artists = album_artist_tag or ((_VARIOUS_ARTISTS,) if compilation else artists)

    track_no, track_total = _parse_number_pair(raw.first("tracknumber"))
    disc_no, disc_total = _parse_number_pair(raw.first("discnumber"))
    track_total = _parse_number_pair(raw.first("tracktotal"))[0] or track_total
    disc_total = _parse_number_pair(raw.first("disctotal"))[0] or disc_total

    title = raw.first("title")
    if title is None or track_no is None:
        title = title or path_guess().title
        track_no = track_no or path_guess().track_no
        disc_no = disc_no or path_guess().disc_no

    # The release date, else the original one; text without a year ("unknown") is no date.
    date, year = next(
        ((text, year) for text, year in _dated(raw) if year is not None), (None, None)
    )

    duration = getattr(info, "length", None)
    sample_rate = _info_int(info, "sample_rate") or (48000 if fmt == "opus" else None)
    picture = _choose_picture(raw.pictures)

    return TrackTags(
        title=title,
        artists=artists,
        album=raw.first("album") or path_guess().album,
        album_artists=album_artists,
        track_no=track_no,
        track_total=track_total,
        disc_no=disc_no,
        disc_total=disc_total,
        year=year,
        date=date,
        genres=tuple(raw.all("genre")),
        compilation=compilation,
        duration=float(duration) if isinstance(duration, (int, float)) and duration > 0 else 0.0,
        bitrate=_info_int(info, "bitrate"),
        sample_rate=sample_rate,
        channels=_info_int(info, "channels"),
        format=fmt,
        mime=mime,
        mb_recording_id=_uuid(raw.first("mb_recording_id")),
        mb_track_id=_uuid(raw.first("mb_track_id")),
        mb_album_id=_uuid(raw.first("mb_album_id")),
        mb_release_group_id=_uuid(raw.first("mb_release_group_id")),
        mb_artist_ids=_uuids(raw.all("mb_artist_ids")),
        mb_album_artist_ids=_uuids(raw.all("mb_album_artist_ids")),
        rg_track_gain=_gain(raw, "rg_track_gain", "r128_track_gain"),
        rg_track_peak=_parse_float(raw.first("rg_track_peak"), lowest=0.0),
        rg_album_gain=_gain(raw, "rg_album_gain", "r128_album_gain"),
        rg_album_peak=_parse_float(raw.first("rg_album_peak"), lowest=0.0),
        picture=Picture(hashlib.sha1(picture[0]).hexdigest(), picture[1]) if picture else None,
    )


def read_tags(path: bytes | str, rel_path: bytes | str) -> TrackTags:
    """Read one file's tags and stream properties; rel_path feeds the fallbacks.

    Raises TagError for anything that is not readable audio. Never raises anything else for
    bad files.
    """
    audio = _open(path)
    try:
        return _build(audio, _extract(audio), rel_path)
    except Exception as exc:  # a hostile tag must cost one track, never the scan
        log.debug("cannot normalise tags of %r", path, exc_info=True)
        raise TagError(f"unreadable tags ({type(exc).__name__})") from exc


def read_embedded_picture(path: bytes | str) -> tuple[bytes, str] | None:
    """The embedded picture bytes and mime (same choice as TrackTags.picture), or None."""
    audio = _open(path)
    try:
        return _choose_picture(_extract(audio).pictures)
    except Exception as exc:
        log.debug("cannot read pictures of %r", path, exc_info=True)
        raise TagError(f"unreadable tags ({type(exc).__name__})") from exc
