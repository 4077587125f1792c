"""The audio feature vector: its layout, version, byte form and normalisation (numpy only).

Importing this does not import essentia (~1.6 s and native code), so the server process,
the store and recommend/ can use the layout without it; ``ingest.analyze`` computes it.

Feature vector (``FEATURE_NAMES``, ``DIM`` = 54), all over the middle 90 s of a track:

- timbre (32): MFCC 1–12 mean and std (HTK mel, 40 bands up to 11 kHz, log power, DCT-II;
  MFCC 0 is dropped, it is loudness); spectral centroid (kHz), flatness (dB) and 85%
  roll-off (kHz), each mean and std; spectral flux (relative to the mean magnitude) mean
  and std.
- rhythm (4): log2 of the tempo (BPM from essentia's TempoTapDegara — the "degara" beat
  tracker, not the 4x slower multifeature one — on a spectral-flux onset function at
  43 frames/s upsampled x2), beat irregularity (coefficient of variation of the beat
  intervals), onset rate (onsets/s), rhythm strength (onset autocorrelation at the beat
  period, 0..1).
- tonality (14): chroma means C..B (essentia SpectralPeaks + HPCP on 4096-sample frames,
  unit max per frame, then per track), key strength (essentia Key, "bgate" profile) and
  mode (1 major, 0 minor).
- loudness and dynamics (4): integrated loudness (LUFS), peak-to-loudness ratio (dB),
  standard deviation and 10–95% range of the 400 ms block loudness (LU).

Stored raw (not normalised) in ``track_analysis.features`` as little-endian float32.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = [
    "DIM",
    "FEATURE_NAMES",
    "FEATURE_VERSION",
    "GROUP_WEIGHTS",
    "NormStats",
    "Vector",
    "from_bytes",
    "normalise",
    "to_bytes",
]

FEATURE_VERSION = 1  # bump whenever FEATURE_NAMES or how any of them is computed changes

TIMBRE = [
    *(f"mfcc{i}_{s}" for s in ("mean", "std") for i in range(1, 13)),
    *(f"{f}_{s}" for f in ("centroid_khz", "flatness_db", "rolloff_khz", "flux") for s in ("mean", "std")),
]  # fmt: skip
RHYTHM = ["log2_bpm", "beat_irregularity", "onset_rate", "rhythm_strength"]
TONAL = [
    *(f"chroma_{n}" for n in ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")),
    "key_strength",
    "key_major",
]
LOUDNESS = ["loudness_lufs", "peak_to_loudness_db", "loudness_std_lu", "loudness_range_lu"]
FEATURE_NAMES: tuple[str, ...] = (*TIMBRE, *RHYTHM, *TONAL, *LOUDNESS)
DIM = len(FEATURE_NAMES)

# Share of the squared distance each group may contribute after z-scoring, so that 32 timbre
# dimensions do not drown 4 rhythm ones. A first guess, to be tuned by bench/recommend_eval.
GROUP_WEIGHTS = {"timbre": 0.4, "rhythm": 0.25, "tonality": 0.2, "loudness": 0.15}
_GROUPS = (("timbre", TIMBRE), ("rhythm", RHYTHM), ("tonality", TONAL), ("loudness", LOUDNESS))

Vector = npt.NDArray[np.float32]


def to_bytes(vector: npt.ArrayLike) -> bytes:
    """The stored form: DIM little-endian float32 values."""
    v = np.asarray(vector, dtype="<f4")
    if v.shape != (DIM,):
        raise ValueError(f"a feature vector has {DIM} values, not {v.shape}")
    return v.tobytes()


def from_bytes(data: bytes) -> Vector:
    if len(data) != DIM * 4:
        raise ValueError(f"a stored feature vector is {DIM * 4} bytes, not {len(data)}")
    out: Vector = np.frombuffer(data, dtype="<f4").astype(np.float32)
    return out


@dataclass(frozen=True, slots=True)
class NormStats:
    """How raw vectors become unit vectors for cosine search; kept with the index."""

    mean: Vector
    std: Vector
    weights: Vector

    def apply(self, vectors: npt.ArrayLike) -> Vector:
        z = (np.asarray(vectors, dtype=np.float32) - self.mean) / self.std * self.weights
        norms = np.linalg.norm(z, axis=-1, keepdims=True)
        out: Vector = (z / np.maximum(norms, 1e-12)).astype(np.float32)
        return out


def normalise(vectors: npt.ArrayLike) -> tuple[Vector, NormStats]:
    """Z-score each feature over the collection, weight the groups, L2-normalise each row."""
    v = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    std = v.std(axis=0)
    weights = np.concatenate(
        [np.full(len(names), math.sqrt(GROUP_WEIGHTS[g] / len(names))) for g, names in _GROUPS]
    )
    stats = NormStats(
        mean=v.mean(axis=0).astype(np.float32),
        std=np.where(std > 1e-6, std, 1.0).astype(np.float32),
        weights=weights.astype(np.float32),
    )
    return stats.apply(v), stats
