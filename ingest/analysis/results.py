"""What analysing one file yields, importable without essentia (the server process unpickles
these from its worker processes and never loads the analyser itself)."""

from __future__ import annotations

from dataclasses import dataclass

from ingest.vector import Vector

MAX_SECONDS = 20 * 60  # decode at most 20 minutes: ~210 MB of stereo float32 at worst
PEAKS = 1000


class AnalysisError(Exception):
    """The file could not be decoded or analysed."""


@dataclass(frozen=True, slots=True)
class Analysis:
    path: str | bytes
    vector: Vector  # float32, DIM long, in FEATURE_NAMES order, not normalised
    bpm: float  # 0 when no steady beat was found
    key: str  # e.g. "A minor"; "" when there is no pitched content
    loudness_lufs: float  # EBU R128 integrated, whole track, stereo (mono played dual-mono)
    replay_gain_db: float  # to -18 LUFS, as ReplayGain 2.0
    peaks: Vector  # PEAKS absolute sample peaks, 0..1, evenly over the track
    duration: float  # seconds decoded (at most MAX_SECONDS)


@dataclass(frozen=True, slots=True)
class Failure:
    path: str | bytes
    reason: str


Result = Analysis | Failure
