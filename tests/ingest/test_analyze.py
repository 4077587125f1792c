"""Audio analysis on real audio synthesised at test time and encoded by ffmpeg."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from ingest.analysis.pool import run_chunks
from ingest.analyze import (
    DIM,
    FEATURE_NAMES,
    PEAKS,
    Analysis,
    AnalysisError,
    Failure,
    analyze,
    analyze_chunk,
    normalise,
)
from tests.audio import make_track

RATE = 44100
NOTES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
MAJOR, MINOR = (0, 2, 4, 5, 7, 9, 11), (0, 2, 3, 5, 7, 8, 10)
HARMONICS = {  # timbre → partial amplitudes
    "sine": (1.0,),
    "saw": tuple(1 / k for k in range(1, 9)),
    "square": tuple(1 / k if k % 2 else 0.0 for k in range(1, 12)),
    "organ": (1.0, 0.0, 0.6, 0.0, 0.0, 0.0, 0.4),
}


def synth(
    path: Path,
    *,
    seconds: float,
    bpm: float,
    key: str = "C major",
    timbre: str = "saw",
    seed: int = 0,
    gain_db: float = 0.0,
    clicks_only: bool = False,
) -> Path:
    """Write a track: a melody in ``key`` (one note a beat, drawn with ``seed``) over the
    key's triad, with a noise click on every beat; ffmpeg encodes it by path's extension."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    beat = 60.0 / bpm
    phase = t % beat
    clicks = rng.standard_normal(n) * np.exp(-phase * 200)
    if clicks_only:
        audio = clicks
    else:
        name, mode = key.split()
        root = NOTES.index(name)
        scale = MAJOR if mode == "major" else MINOR

        def tone(midi: npt.ArrayLike, amp: float = 1.0) -> npt.NDArray[np.float64]:
            f = 440.0 * 2 ** ((np.asarray(midi) - 69) / 12)
            out: npt.NDArray[np.float64] = amp * np.sum(
                [
                    a * np.sin(2 * np.pi * f * k * t)
                    for k, a in enumerate(HARMONICS[timbre], 1)
                    if a
                ],
                axis=0,
            )
            return out

        degrees = rng.choice([0, 0, 2, 4, 1, 3, 5, 6], size=int(seconds / beat) + 1)
        midi = 60 + root + np.array([scale[d] for d in degrees])[(t // beat).astype(int)]
        melody = tone(midi) * np.exp(-phase * 3 / beat)
        pad = tone(48 + root + scale[0], 0.3) + tone(48 + root + scale[2], 0.3)
        pad += tone(48 + root + scale[4], 0.3)
        audio = melody + pad + 0.3 * clicks + 0.01 * rng.standard_normal(n)
    audio = audio / np.abs(audio).max() * 0.5 * 10 ** (gain_db / 20)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "f32le", "-ar", str(RATE),
         "-ac", "1", "-i", "-", "-b:a", "96k", str(path)],
        input=audio.astype(np.float32).tobytes(),
        check=True,
    )  # fmt: skip
    return path


def test_layout() -> None:
    assert len(FEATURE_NAMES) == DIM == len(set(FEATURE_NAMES)) == 54


def test_tracks_built_alike_are_nearest_neighbours(tmp_path: Path) -> None:
    groups = [
        {"bpm": 120, "key": "C major", "timbre": "saw"},
        {"bpm": 84, "key": "F# minor", "timbre": "sine"},
        {"bpm": 150, "key": "D# major", "timbre": "square"},
        {"bpm": 100, "key": "A minor", "timbre": "organ"},
    ]
    paths = [
        str(synth(tmp_path / f"{g}-{s}.ogg", seconds=6, seed=10 * g + s, **spec))  # type: ignore[arg-type]
        for g, spec in enumerate(groups)
        for s in range(2)
    ]
    results = analyze_chunk(paths)
    assert all(isinstance(r, Analysis) for r in results)
    vectors = np.stack([r.vector for r in results if isinstance(r, Analysis)])
    unit, stats = normalise(vectors)
    assert unit.dtype == np.float32 and np.allclose(np.linalg.norm(unit, axis=1), 1, atol=1e-5)
    assert np.allclose(stats.apply(vectors), unit, atol=1e-6)
    cosine = unit @ unit.T
    np.fill_diagonal(cosine, -2)
    assert [int(i) // 2 for i in cosine.argmax(axis=1)] == [i // 2 for i in range(len(paths))]


def test_click_track_tempo(tmp_path: Path) -> None:
    result = analyze(str(synth(tmp_path / "clicks.flac", seconds=10, bpm=128, clicks_only=True)))
    assert result.bpm == pytest.approx(128, rel=0.03)
    assert result.duration == pytest.approx(10, abs=0.05)
    assert result.peaks.shape == (PEAKS,) and 0 < result.peaks.max() <= 1


@pytest.mark.parametrize("key", ["C major", "A minor", "E major"])
def test_key_of_a_clear_scale(tmp_path: Path, key: str) -> None:
    path = synth(tmp_path / "scale.flac", seconds=6, bpm=100, key=key, timbre="sine")
    assert analyze(str(path)).key == key


def test_loudness_follows_gain(tmp_path: Path) -> None:
    loud = analyze(str(synth(tmp_path / "loud.flac", seconds=6, bpm=110, seed=3)))
    quiet = analyze(str(synth(tmp_path / "quiet.flac", seconds=6, bpm=110, seed=3, gain_db=-6)))
    assert quiet.loudness_lufs - loud.loudness_lufs == pytest.approx(-6, abs=0.1)
    assert quiet.replay_gain_db == pytest.approx(-18 - quiet.loudness_lufs, abs=0.01)
    # the timbre and rhythm features do not move with gain
    timbre = slice(0, FEATURE_NAMES.index("log2_bpm"))
    assert np.allclose(quiet.vector[timbre], loud.vector[timbre], rtol=0.02, atol=0.05)


def test_opus_analyses(tmp_path: Path) -> None:
    path = synth(tmp_path / "x.opus", seconds=6, bpm=120, key="G major")
    result = analyze(os.fsencode(path))  # bytes paths too: file names need not be UTF-8
    assert result.duration == pytest.approx(6, abs=0.1)
    assert result.key == "G major"
    assert result.vector.shape == (DIM,) and result.vector.dtype == np.float32


@pytest.mark.parametrize("content", [b"", b"ID3" + os.urandom(4000), b"OggS\0" * 10])
def test_undecodable_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.mp3"
    path.write_bytes(content)
    with pytest.raises(AnalysisError):
        analyze(str(path))
    with pytest.raises(AnalysisError):
        analyze(str(tmp_path / "missing.flac"))
    [failure] = analyze_chunk([str(path)])
    assert isinstance(failure, Failure) and failure.path == str(path)


def crash_on_marker(paths: Sequence[str | bytes]) -> list[Analysis | Failure]:
    """analyze_chunk, except that a file named crash* kills the worker like a segfault."""
    if any(os.path.basename(os.fsdecode(p)).startswith("crash") for p in paths):
        os._exit(139)
    return analyze_chunk(paths)


def test_a_crash_costs_only_its_file(tmp_path: Path) -> None:
    good = str(synth(tmp_path / "good.flac", seconds=5, bpm=100))
    crash = str(tmp_path / "crash.flac")
    results = [r for c in run_chunks([good, crash], 1, 2, crash_on_marker) for r in c]
    assert {r.path: type(r) for r in results} == {good: Analysis, crash: Failure}


@pytest.mark.parametrize("seconds", [0.15, 0.3, 0.6])
def test_short_files_analyse(tmp_path: Path, seconds: float) -> None:
    # Under the onset threshold's half-second window (a jingle, a sample, a test file).
    result = analyze(str(make_track(tmp_path / "short.mp3", seconds=seconds)))
    assert result.duration == pytest.approx(seconds, abs=0.03)
    assert result.vector.shape == (DIM,) and np.all(np.isfinite(result.vector))
