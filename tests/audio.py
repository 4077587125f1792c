"""Real audio fixtures: ffmpeg-encoded sine tones tagged with mutagen in each format's native way.

ffmpeg runs once per (format, seconds, freq); every further track is a copy of that file with
fresh tags, so a test can make hundreds of tracks cheaply.
"""

# mutagen ships py.typed but leaves its constructors and tag methods unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import atexit
import base64
import shutil
import struct
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mutagen.aiff import AIFF
from mutagen.apev2 import BINARY, APEValue
from mutagen.asf import ASF
from mutagen.flac import FLAC, Picture
from mutagen.id3 import (
    APIC,
    ID3,
    TALB,
    TCMP,
    TCON,
    TDRC,
    TIT2,
    TPE1,
    TPE2,
    TPOS,
    TRCK,
    TXXX,
    UFID,
)
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE
from mutagen.wavpack import WavPack

__all__ = ["FORMATS", "SAMPLE_RATE", "corrupt_file", "make_jpeg", "make_png", "make_track"]

# fmt → (file extension, ffmpeg encoder arguments)
_ENCODERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mp3": (".mp3", ("-c:a", "libmp3lame", "-b:a", "64k")),
    "flac": (".flac", ("-c:a", "flac")),
    "ogg": (".ogg", ("-c:a", "libvorbis", "-q:a", "0")),
    "opus": (".opus", ("-c:a", "libopus", "-b:a", "32k")),
    "m4a": (".m4a", ("-c:a", "aac", "-b:a", "64k")),
    "alac": (".m4a", ("-c:a", "alac")),
    "wav": (".wav", ("-c:a", "pcm_s16le")),
    "aiff": (".aiff", ("-c:a", "pcm_s16be")),
    "wma": (".wma", ("-c:a", "wmav2", "-b:a", "64k")),
    "wv": (".wv", ("-c:a", "wavpack")),
}
FORMATS: tuple[str, ...] = tuple(_ENCODERS)
# Other spellings accepted for fmt (and, with a dot, as the path's extension).
_ALIASES = {"oga": "ogg", "vorbis": "ogg", "aac": "m4a", "mp4": "m4a", "aif": "aiff",
            "wave": "wav", "asf": "wma", "wavpack": "wv"}  # fmt: skip

SAMPLE_RATE = 22050

_cache_lock = threading.Lock()
_cache_dir: Path | None = None
_cache: dict[tuple[str, float, float], Path] = {}


def _ffmpeg(*args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        stdin=subprocess.DEVNULL,
    )


def _raw_audio(fmt: str, seconds: float, freq: float) -> Path:
    """The untagged encoding of one tone, made once per process."""
    global _cache_dir
    key = (fmt, seconds, freq)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        if _cache_dir is None:
            _cache_dir = Path(tempfile.mkdtemp(prefix="tonearm-audio-"))
            atexit.register(shutil.rmtree, _cache_dir, True)
        ext, codec = _ENCODERS[fmt]
        out = _cache_dir / f"{fmt}-{seconds}-{freq}{ext}"
        _ffmpeg(
            "-f", "lavfi",
            "-i", f"sine=frequency={freq}:duration={seconds}:sample_rate={SAMPLE_RATE}",
            "-ac", "1",
            "-map_metadata", "-1",
            "-fflags", "+bitexact",
            "-flags:a", "+bitexact",
            *codec,
            str(out),
        )  # fmt: skip
        _cache[key] = out
        return out


def _split(pair: str | None) -> tuple[str | None, str | None]:
    if pair is None:
        return None, None
    number, _, total = pair.partition("/")
    return number or None, total or None


def _id3_tags(t: dict[str, Any]) -> ID3:
    tags = ID3()
    if t["title"] is not None:
        tags.add(TIT2(encoding=3, text=[t["title"]]))
    if t["artists"]:
        tags.add(TPE1(encoding=3, text=list(t["artists"])))
    if t["album"] is not None:
        tags.add(TALB(encoding=3, text=[t["album"]]))
    if t["album_artist"] is not None:
        tags.add(TPE2(encoding=3, text=[t["album_artist"]]))
    if t["track"] is not None:
        tags.add(TRCK(encoding=3, text=[t["track"]]))
    if t["disc"] is not None:
        tags.add(TPOS(encoding=3, text=[t["disc"]]))
    if t["date"] is not None:
        tags.add(TDRC(encoding=3, text=[t["date"]]))
    if t["genres"]:
        tags.add(TCON(encoding=3, text=list(t["genres"])))
    if t["compilation"]:
        tags.add(TCMP(encoding=3, text=["1"]))
    if t["mb_recording_id"] is not None:
        tags.add(UFID(owner="http://musicbrainz.org", data=t["mb_recording_id"].encode()))
    if t["mb_album_id"] is not None:
        tags.add(TXXX(encoding=3, desc="MusicBrainz Album Id", text=[t["mb_album_id"]]))
    if t["rg_track_gain"] is not None:
        tags.add(TXXX(encoding=3, desc="REPLAYGAIN_TRACK_GAIN", text=[t["rg_track_gain"]]))
    if t["picture"] is not None:
        tags.add(APIC(encoding=3, mime=t["picture_mime"], type=3, desc="cover", data=t["picture"]))
    return tags


def _tag_id3(path: Path, kind: Any, t: dict[str, Any]) -> None:
    audio = kind(path)
    if audio.tags is None:
        audio.add_tags()
    for frame in _id3_tags(t).values():
        audio.tags.add(frame)
    audio.save()


def _flac_picture(t: dict[str, Any]) -> Picture:
    pic = Picture()
    pic.type = 3
    pic.mime = t["picture_mime"]
    pic.desc = "cover"
    pic.data = t["picture"]
    return pic


def _vorbis_fields(t: dict[str, Any]) -> dict[str, list[str]]:
    track, track_total = _split(t["track"])
    disc, disc_total = _split(t["disc"])
    fields: dict[str, list[str]] = {
        "TITLE": [t["title"]] if t["title"] is not None else [],
        "ARTIST": list(t["artists"]),
        "ALBUM": [t["album"]] if t["album"] is not None else [],
        "ALBUMARTIST": [t["album_artist"]] if t["album_artist"] is not None else [],
        "TRACKNUMBER": [track] if track else [],
        "TRACKTOTAL": [track_total] if track_total else [],
        "DISCNUMBER": [disc] if disc else [],
        "DISCTOTAL": [disc_total] if disc_total else [],
        "DATE": [t["date"]] if t["date"] is not None else [],
        "GENRE": list(t["genres"]),
        "COMPILATION": ["1"] if t["compilation"] else [],
        "MUSICBRAINZ_TRACKID": [t["mb_recording_id"]] if t["mb_recording_id"] else [],
        "MUSICBRAINZ_ALBUMID": [t["mb_album_id"]] if t["mb_album_id"] else [],
        "REPLAYGAIN_TRACK_GAIN": [t["rg_track_gain"]] if t["rg_track_gain"] else [],
    }
    return {key: values for key, values in fields.items() if values}


def _tag_flac(path: Path, t: dict[str, Any]) -> None:
    audio = FLAC(path)
    for key, values in _vorbis_fields(t).items():
        audio[key] = values
    if t["picture"] is not None:
        audio.add_picture(_flac_picture(t))
    audio.save()


def _tag_ogg(path: Path, kind: Any, t: dict[str, Any]) -> None:
    audio = kind(path)
    for key, values in _vorbis_fields(t).items():
        audio[key] = values
    if t["picture"] is not None:
        block = base64.b64encode(_flac_picture(t).write()).decode("ascii")
        audio["METADATA_BLOCK_PICTURE"] = [block]
    audio.save()


def _number_tuple(pair: str | None) -> list[tuple[int, int]]:
    number, total = _split(pair)
    return [(int(number or 0), int(total or 0))]


def _tag_mp4(path: Path, t: dict[str, Any]) -> None:
    audio = MP4(path)
    if audio.tags is None:
        audio.add_tags()
    tags = audio.tags
    assert tags is not None
    simple = {
        "©nam": t["title"],
        "©alb": t["album"],
        "aART": t["album_artist"],
        "©day": t["date"],
    }
    for atom, value in simple.items():
        if value is not None:
            tags[atom] = [value]
    if t["artists"]:
        tags["©ART"] = list(t["artists"])
    if t["genres"]:
        tags["©gen"] = list(t["genres"])
    if t["track"] is not None:
        tags["trkn"] = _number_tuple(t["track"])
    if t["disc"] is not None:
        tags["disk"] = _number_tuple(t["disc"])
    if t["compilation"]:
        tags["cpil"] = True
    freeform = {
        "MusicBrainz Track Id": t["mb_recording_id"],
        "MusicBrainz Album Id": t["mb_album_id"],
        "replaygain_track_gain": t["rg_track_gain"],
    }
    for name, value in freeform.items():
        if value is not None:
            tags[f"----:com.apple.iTunes:{name}"] = [MP4FreeForm(value.encode())]
    if t["picture"] is not None:
        fmt = MP4Cover.FORMAT_PNG if t["picture_mime"] == "image/png" else MP4Cover.FORMAT_JPEG
        tags["covr"] = [MP4Cover(t["picture"], imageformat=fmt)]
    audio.save()


def _asf_picture(data: bytes, mime: str, kind: int = 3, desc: str = "") -> bytes:
    return (
        struct.pack("<BI", kind, len(data))
        + mime.encode("utf-16-le")
        + b"\0\0"
        + desc.encode("utf-16-le")
        + b"\0\0"
        + data
    )


def _tag_asf(path: Path, t: dict[str, Any]) -> None:
    audio = ASF(path)
    tags: Any = audio.tags
    simple = {
        "Title": t["title"],
        "WM/AlbumTitle": t["album"],
        "WM/AlbumArtist": t["album_artist"],
        "WM/TrackNumber": t["track"],
        "WM/PartOfSet": t["disc"],
        "WM/Year": t["date"],
        "MusicBrainz/Track Id": t["mb_recording_id"],
        "MusicBrainz/Album Id": t["mb_album_id"],
        "replaygain_track_gain": t["rg_track_gain"],
    }
    for name, value in simple.items():
        if value is not None:
            tags[name] = [value]
    if t["artists"]:
        tags["Author"] = list(t["artists"])
    if t["genres"]:
        tags["WM/Genre"] = list(t["genres"])
    if t["compilation"]:
        tags["WM/IsCompilation"] = [True]
    if t["picture"] is not None:
        tags["WM/Picture"] = [_asf_picture(t["picture"], t["picture_mime"])]  # bytes → byte array
    audio.save()


def _tag_ape(path: Path, t: dict[str, Any]) -> None:
    audio = WavPack(path)
    if audio.tags is None:
        audio.add_tags()
    tags: Any = audio.tags
    simple = {
        "Title": t["title"],
        "Album": t["album"],
        "Album Artist": t["album_artist"],
        "Track": t["track"],
        "Disc": t["disc"],
        "Year": t["date"],
        "MUSICBRAINZ_TRACKID": t["mb_recording_id"],
        "MUSICBRAINZ_ALBUMID": t["mb_album_id"],
        "REPLAYGAIN_TRACK_GAIN": t["rg_track_gain"],
    }
    for name, value in simple.items():
        if value is not None:
            tags[name] = value
    if t["artists"]:
        tags["Artist"] = list(t["artists"])
    if t["genres"]:
        tags["Genre"] = list(t["genres"])
    if t["compilation"]:
        tags["Compilation"] = "1"
    if t["picture"] is not None:
        ext = ".png" if t["picture_mime"] == "image/png" else ".jpg"
        tags["Cover Art (Front)"] = APEValue(b"cover" + ext.encode() + b"\0" + t["picture"], BINARY)
    audio.save()


def _write_tags(path: Path, fmt: str, t: dict[str, Any]) -> None:
    if fmt == "mp3":
        _tag_id3(path, MP3, t)
    elif fmt == "wav":
        _tag_id3(path, WAVE, t)
    elif fmt == "aiff":
        _tag_id3(path, AIFF, t)
    elif fmt == "flac":
        _tag_flac(path, t)
    elif fmt == "ogg":
        _tag_ogg(path, OggVorbis, t)
    elif fmt == "opus":
        _tag_ogg(path, OggOpus, t)
    elif fmt in ("m4a", "alac"):
        _tag_mp4(path, t)
    elif fmt == "wma":
        _tag_asf(path, t)
    elif fmt == "wv":
        _tag_ape(path, t)
    else:  # pragma: no cover - guarded by _ENCODERS
        raise ValueError(fmt)


def make_track(
    path: Path,
    fmt: str | None = None,
    *,
    seconds: float = 1.0,
    freq: float = 440.0,
    title: str | None = None,
    artists: Sequence[str] = (),
    album: str | None = None,
    album_artist: str | None = None,
    track: str | None = None,
    disc: str | None = None,
    date: str | None = None,
    genres: Sequence[str] = (),
    compilation: bool = False,
    mb_recording_id: str | None = None,
    mb_album_id: str | None = None,
    rg_track_gain: str | None = None,
    picture: bytes | None = None,
    picture_mime: str = "image/jpeg",
) -> Path:
    """Write a real, tagged audio file at path (parents created) and return path.

    fmt is one of FORMATS and defaults to the path's extension; "alac" makes an Apple
    Lossless .m4a. The audio is a mono sine of `freq` Hz lasting `seconds`. track and disc
    take "3" or "3/12". Tags are only written when given, so leaving them out exercises the
    reader's fallbacks.
    """
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    fmt = _ALIASES.get(fmt, fmt)
    if fmt not in _ENCODERS:
        raise ValueError(f"unsupported fixture format {fmt!r}; one of {', '.join(FORMATS)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_raw_audio(fmt, seconds, freq), path)
    tags = {
        "title": title,
        "artists": tuple(artists),
        "album": album,
        "album_artist": album_artist,
        "track": track,
        "disc": disc,
        "date": date,
        "genres": tuple(genres),
        "compilation": compilation,
        "mb_recording_id": mb_recording_id,
        "mb_album_id": mb_album_id,
        "rg_track_gain": rg_track_gain,
        "picture": picture,
        "picture_mime": picture_mime,
    }
    if any(value for key, value in tags.items() if key != "picture_mime"):
        _write_tags(path, fmt, tags)
    return path


def _image(width: int, height: int, color: tuple[int, int, int], codec: str, ext: str) -> bytes:
    hex_color = "0x{:02x}{:02x}{:02x}".format(*color)
    with tempfile.TemporaryDirectory(prefix="tonearm-img-") as tmp:
        out = Path(tmp) / f"cover{ext}"
        _ffmpeg(
            "-f", "lavfi",
            "-i", f"color=c={hex_color}:s={width}x{height}:d=1",
            "-frames:v", "1",
            "-c:v", codec,
            *(("-pix_fmt", "yuvj420p") if codec == "mjpeg" else ()),
            str(out),
        )  # fmt: skip
        return out.read_bytes()


def make_jpeg(
    width: int = 64, height: int = 64, color: tuple[int, int, int] = (200, 30, 30)
) -> bytes:
    """A small real JPEG made by ffmpeg."""
    return _image(width, height, color, "mjpeg", ".jpg")


def make_png(
    width: int = 64, height: int = 64, color: tuple[int, int, int] = (30, 30, 200)
) -> bytes:
    """A small real PNG made by ffmpeg."""
    return _image(width, height, color, "png", ".png")


def corrupt_file(path: Path) -> Path:
    """Junk bytes under an audio extension: no frame sync, no container magic."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not audio, just text pretending\n" * 64)
    return path
