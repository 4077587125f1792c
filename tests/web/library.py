"""A small generated library for the browser tests: albums of short, music-like tracks with
covers of every shape (wide, tall, tiny, large) and some with none."""

# mutagen leaves its constructors unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from mutagen.flac import FLAC, Picture


@dataclass(frozen=True)
class AlbumSpec:
    artist: str
    title: str
    year: int
    tracks: tuple[str, ...]
    cover: tuple[int, int] | None  # source size of the art, None for none
    colours: tuple[str, str]
    root: int = 0


ALBUMS = (
    AlbumSpec("Aurora Lane", "Night Drive", 2021, ("Headlights", "Overpass", "Neon Rain"), (1200, 800), ("0x7c3aed", "0xec4899")),
    AlbumSpec("The Quiet Hours", "Low Tide", 2019, ("Driftwood", "Salt", "Lighthouse"), (400, 900), ("0x0ea5e9", "0x14b8a6")),
    AlbumSpec("Marrow", "Paper Suns", 2023, ("Kite", "Ember", "Hollow"), (64, 64), ("0xf59e0b", "0xef4444")),
    AlbumSpec("Velvet Static", "Signals", 2018, ("Carrier", "Noise Floor", "Beacon"), None, ("0", "0"), 1),
    AlbumSpec("Juniper & Oak", "Field Notes", 2020, ("Meadow", "Fencepost", "Dusk"), (1600, 1600), ("0x22c55e", "0x0f766e"), 1),
    AlbumSpec("Moth Orchestra", "Lanterns", 2017, ("Wick", "Glass", "Flicker"), (700, 500), ("0xfb7185", "0x6366f1")),
    AlbumSpec("Kestrel", "High Country", 2022, ("Thermal", "Ridge", "Hover"), None, ("0", "0"), 1),
    AlbumSpec("Orbit Club", "Weightless", 2024, ("Apogee", "Drift", "Re-entry"), (900, 1200), ("0x1e3a8a", "0xa855f7")),
)  # fmt: skip

SECONDS = 6.0


def _ffmpeg(*args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args],
        check=True,
        stdin=subprocess.DEVNULL,
    )


def _audio(out: Path, base: float, seconds: float) -> None:
    """A beat: a decaying kick every half second, a two-note pad that swells, a hi-hat."""
    expr = (
        f"0.55*sin(2*PI*55*t)*exp(-18*mod(t,0.5))"
        f"+(0.12+0.1*sin(2*PI*t/{seconds}))*(sin(2*PI*{base}*t)+0.6*sin(2*PI*{base * 1.5}*t)"
        f"+0.3*sin(2*PI*{base * 2}*t))"
        f"+0.12*(random(0)*2-1)*exp(-70*mod(t+0.25,0.5))"
    )
    _ffmpeg(
        "-f", "lavfi", "-i", f"aevalsrc='{expr}':s=22050:d={seconds}",
        "-ac", "1", "-c:a", "flac", str(out),
    )  # fmt: skip


def _cover(out: Path, size: tuple[int, int], colours: tuple[str, str]) -> bytes:
    w, h = size
    _ffmpeg(
        "-f", "lavfi", "-i", f"gradients=s={w}x{h}:c0={colours[0]}:c1={colours[1]}:x0=0:y0=0:x1={w}:y1={h}:d=1",
        "-frames:v", "1", "-pix_fmt", "yuvj420p", "-c:v", "mjpeg", str(out),
    )  # fmt: skip
    return out.read_bytes()


def build(roots: list[Path], work: Path, seconds: float = SECONDS) -> dict[str, list[str]]:
    """Write the library over `roots`; return {album title: [track titles]}."""
    work.mkdir(parents=True, exist_ok=True)
    out: dict[str, list[str]] = {}
    for a, spec in enumerate(ALBUMS):
        art = _cover(work / f"cover{a}.jpg", spec.cover, spec.colours) if spec.cover else None
        folder = roots[spec.root % len(roots)] / spec.artist / spec.title
        folder.mkdir(parents=True, exist_ok=True)
        for n, title in enumerate(spec.tracks, 1):
            path = folder / f"{n:02d} {title}.flac"
            _audio(path, 110.0 * (1 + (a * 3 + n) % 7 / 4), seconds)
            tags = FLAC(path)
            tags.update({
                "TITLE": title, "ARTIST": spec.artist, "ALBUM": spec.title,
                "ALBUMARTIST": spec.artist, "TRACKNUMBER": str(n),
                "TRACKTOTAL": str(len(spec.tracks)), "DATE": str(spec.year), "GENRE": "Electronic",
            })  # fmt: skip
            if art is not None:
                pic = Picture()
                pic.type, pic.mime, pic.data = 3, "image/jpeg", art
                tags.add_picture(pic)
            tags.save()
        out[spec.title] = list(spec.tracks)
    return out
