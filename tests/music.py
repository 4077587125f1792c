"""Music-like test audio: melodies in a key, over a beat, with a timbre — so tracks "built
alike" really sound alike to the analyser — tagged, and analysed into the database.

Each distinct sound is synthesised and encoded once per process; every track is a remux of
it with its own tags (ffmpeg `-c copy`), and its analysis is cached the same way.
"""

from __future__ import annotations

import atexit
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import numpy as np
import numpy.typing as npt

from ingest.analyze import Analysis, analyze
from ingest.vector import FEATURE_VERSION
from store.recommend import RecommendStore

RATE = 22050
NOTES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}
PARTIALS = {  # timbre → harmonic amplitudes
    "sine": (1.0,),
    "saw": tuple(1 / k for k in range(1, 10)),
    "square": tuple(1 / k if k % 2 else 0.0 for k in range(1, 12)),
    "organ": (1.0, 0.0, 0.6, 0.0, 0.0, 0.0, 0.4),
}


@dataclass(frozen=True)
class Sound:
    timbre: str
    bpm: float
    key: str  # "C major"
    noise: float = 0.3  # loudness of the beat's noise bursts


@dataclass(frozen=True)
class Song:
    title: str
    artist: str
    album: str
    sound: Sound
    seed: int
    genre: str = "Electronic"
    year: str = "2020"


_lock = threading.Lock()
_dir: Path | None = None
_encoded: dict[tuple[Sound, int], Path] = {}
_analysed: dict[tuple[Sound, int], Analysis] = {}


def _render(sound: Sound, seed: int, seconds: float) -> npt.NDArray[np.float32]:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    beat = 60.0 / sound.bpm
    phase = t % beat
    name, mode = sound.key.split()
    root = NOTES.index(name)
    scale = SCALES[mode]

    def tone(midi: npt.ArrayLike, amp: float = 1.0) -> npt.NDArray[np.float64]:
        f = 440.0 * 2 ** ((np.asarray(midi, np.float64) - 69) / 12)
        out = np.zeros(n)
        for k, a in enumerate(PARTIALS[sound.timbre], 1):
            if a:
                out += a * np.sin(2 * np.pi * f * k * t)
        return amp * out

    degrees = rng.choice([0, 0, 2, 4, 1, 3, 5, 6], size=int(seconds / beat) + 1)
    midi = 60 + root + np.array([scale[d] for d in degrees])[(t // beat).astype(int)]
    melody = tone(midi) * np.exp(-phase * 3 / beat)
    pad = sum(tone(48 + root + scale[i], 0.3) for i in (0, 2, 4))
    clicks = rng.standard_normal(n) * np.exp(-phase * 200)
    audio = melody + pad + sound.noise * clicks + 0.01 * rng.standard_normal(n)
    return (audio / np.abs(audio).max() * 0.5).astype(np.float32)


def _encoded_sound(sound: Sound, seed: int, seconds: float) -> Path:
    global _dir
    key = (sound, seed)
    with _lock:
        if key in _encoded:
            return _encoded[key]
        if _dir is None:
            _dir = Path(tempfile.mkdtemp(prefix="tonearm-music-"))
            atexit.register(shutil.rmtree, _dir, True)
        out = _dir / f"{len(_encoded)}.ogg"
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "f32le", "-ar", str(RATE),
             "-ac", "1", "-i", "-", "-c:a", "libvorbis", "-q:a", "2", str(out)],
            input=_render(sound, seed, seconds).tobytes(),
            check=True,
        )  # fmt: skip
        _encoded[key] = out
        return out


def write_song(root: Path, song: Song, seconds: float = 8.0) -> Path:
    """The song as a tagged .ogg under root/artist/album/."""
    path = root / song.artist / song.album / f"{song.title}.ogg"
    path.parent.mkdir(parents=True, exist_ok=True)
    tags = {"title": song.title, "artist": song.artist, "album": song.album,
            "genre": song.genre, "date": song.year}  # fmt: skip
    meta = [arg for k, v in tags.items() for arg in ("-metadata", f"{k}={v}")]
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y",
         "-i", str(_encoded_sound(song.sound, song.seed, seconds)),
         "-map_metadata", "-1", "-c", "copy", *meta, str(path)],
        check=True,
    )  # fmt: skip
    return path


def analysis(song: Song, path: Path) -> Analysis:
    """The song's analysis, made once per distinct sound (tags do not change it)."""
    key = (song.sound, song.seed)
    with _lock:
        cached = _analysed.get(key)
    if cached is None:
        cached = analyze(str(path))
        with _lock:
            _analysed[key] = cached
    return cached


async def analyse_into(
    pool: asyncpg.Pool, songs: Sequence[Song], paths: Mapping[str, Path], ids: Mapping[str, int]
) -> None:
    """Store the analyses of `songs` (by title) as the analysis stage would, and NOTIFY."""
    rows = []
    for song in songs:
        a = analysis(song, paths[song.title])
        rows.append((ids[song.title], a.vector, a.bpm, a.key, a.loudness_lufs))
    await RecommendStore(pool).save_analyses(rows, FEATURE_VERSION)


ALPHA = Sound("saw", 120, "C major")
BETA = Sound("sine", 84, "F# minor", noise=0.05)
GAMMA = Sound("square", 150, "D# major", noise=0.8)
DELTA = Sound("organ", 100, "A minor", noise=0.15)


def library_songs() -> list[Song]:
    """Four sounds by four artists on two albums each, and two Delta tracks that sound like
    Alpha (only the sound tells them apart from the rest of Delta); Epsilon is never
    analysed."""
    songs: list[Song] = []

    def album(artist: str, title: str, sound: Sound, n: int, first_seed: int) -> None:
        for i in range(n):
            songs.append(Song(f"{title} {i + 1}", artist, title, sound, first_seed + i))

    album("Alpha", "Alpha One", ALPHA, 4, 100)
    album("Alpha", "Alpha Two", ALPHA, 3, 110)
    album("Beta", "Beta Songs", BETA, 4, 200)
    album("Beta", "Beta Later", BETA, 2, 210)
    album("Gamma", "Gamma Beats", GAMMA, 6, 300)
    album("Gamma", "Gamma Live", GAMMA, 3, 310)
    album("Delta", "Delta Hall", DELTA, 3, 400)
    album("Delta", "Delta Odd", ALPHA, 2, 410)
    songs.append(Song("Epsilon 1", "Epsilon", "Epsilon A", BETA, 500))
    songs.append(Song("Epsilon 2", "Epsilon", "Epsilon B", BETA, 501))
    return songs
