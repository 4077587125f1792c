"""Audio analysis of one file: decode, then the feature vector, tempo, key, loudness and peaks.

ffmpeg decodes every format (Opus included) to float32 PCM at 22,050 Hz through a pipe;
essentia's own loaders are never used (they fail on Opus here and the process was seen to
crash afterwards). Loudness and peaks cover the whole decoded track; the feature vector,
tempo and key cover at most the middle ``EXCERPT_SECONDS`` of it, which keeps a long track
as cheap as a short one. The vector's layout is documented in ``ingest/vector.py``.

Native code may still crash: run ``analyze_chunk`` in worker processes through
``ingest.analysis.pool`` (``run_chunks``, ``AnalysisPool``), which isolate a crash to the one
file that caused it. Importing this module imports essentia (~1.6 s): the server process
leaves that to its worker processes.

One batched numpy STFT (Hann frames of 1024 samples = 46 ms, hop 512) serves timbre and
rhythm; per-frame calls into essentia cost ~50 µs each in Python overhead, more than the
DSP, so essentia does the parts where its algorithms matter (beat tracking, HPCP, key) and
numpy the rest.
"""

from __future__ import annotations

import logging
import math
import subprocess
from collections.abc import Sequence

import essentia
import essentia.standard as es
import numpy as np
import numpy.typing as npt

from ingest.analysis.results import MAX_SECONDS, PEAKS, Analysis, AnalysisError, Failure
from ingest.loudness import integrated_loudness
from ingest.vector import (
    DIM,
    FEATURE_NAMES,
    FEATURE_VERSION,
    NormStats,
    normalise,
)

__all__ = [
    "DIM",
    "FEATURE_NAMES",
    "FEATURE_VERSION",
    "MAX_SECONDS",
    "PEAKS",
    "Analysis",
    "AnalysisError",
    "Failure",
    "NormStats",
    "analyze",
    "analyze_chunk",
    "decode",
    "normalise",
]

log = logging.getLogger(__name__)
essentia.log.infoActive = False  # it announces MusicExtractorSVM defaults on import
essentia.log.warningActive = False

SAMPLE_RATE = 22050
EXCERPT_SECONDS = 90.0  # features over the middle 90 s; loudness and peaks over it all
DECODE_TIMEOUT = 300.0
REPLAY_GAIN_REFERENCE = -18.0  # LUFS, as ReplayGain 2.0

_FRAME, _HOP = 1024, 512  # timbre and the onset function: 46 ms frames, 43 per second
_CHROMA_FRAME = 4096  # tonality: 186 ms frames (5 Hz bins), not overlapping


def decode(path: str | bytes) -> npt.NDArray[np.float32]:
    """Stereo float32 frames (n, 2) at SAMPLE_RATE; mono sources come out dual-mono."""
    source = b"file:" + path if isinstance(path, bytes) else "file:" + path
    cmd: list[str | bytes] = [
        "ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-i", source,
        "-map", "0:a:0", "-t", str(MAX_SECONDS),
        "-f", "f32le", "-ac", "2", "-ar", str(SAMPLE_RATE), "-",
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=DECODE_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as exc:
        raise AnalysisError("decoding timed out") from exc
    if proc.returncode != 0:
        first = proc.stderr.decode(errors="replace").strip().splitlines()[:1]
        raise AnalysisError(f"ffmpeg could not decode it: {first[0] if first else 'no output'}")
    pcm = np.frombuffer(proc.stdout, dtype=np.float32)
    if pcm.size < 2 * SAMPLE_RATE // 10:
        raise AnalysisError("no audio (under 0.1 s decoded)")
    return pcm[: pcm.size // 2 * 2].reshape(-1, 2)


def _frames(x: npt.NDArray[np.float32], size: int, hop: int) -> npt.NDArray[np.float32]:
    """Magnitude spectra of Hann-windowed frames, one per row."""
    if x.size < size:
        x = np.pad(x, (0, size - x.size))
    view = np.lib.stride_tricks.sliding_window_view(x, size)[::hop]
    return np.abs(np.fft.rfft(view * np.hanning(size).astype(np.float32), axis=1)).astype(
        np.float32
    )


def _mel_dct() -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """HTK mel filterbank (40 bands, 0–11 kHz, unit sum) and an orthonormal DCT-II to 13."""
    hz = np.fft.rfftfreq(_FRAME, 1 / SAMPLE_RATE)
    mel = np.linspace(0, 1127 * math.log1p(11000 / 700), 42)
    edges = 700 * np.expm1(mel / 1127)
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    bank = np.maximum(0, np.minimum((hz - lo) / (mid - lo), (hi - hz) / (hi - mid)))
    bank /= np.maximum(bank.sum(axis=1, keepdims=True), 1e-12)
    n = np.arange(40)
    dct = np.cos(np.pi / 40 * (n + 0.5)[None, :] * np.arange(13)[:, None]) * math.sqrt(2 / 40)
    dct[0] /= math.sqrt(2)
    return bank.astype(np.float32), dct.astype(np.float32)


_MEL, _DCT = _mel_dct()


def _rhythm(spec: npt.NDArray[np.float32], seconds: float) -> tuple[float, list[float]]:
    """Tempo and the rhythm features from a spectral-flux onset function and TempoTapDegara."""
    rate = SAMPLE_RATE / _HOP
    logspec = np.log1p(100 * spec)
    odf = np.concatenate([[0.0], np.maximum(np.diff(logspec, axis=0), 0).sum(axis=1)])
    odf = (odf / max(float(odf.max()), 1e-9)).astype(np.float32)
    # the onset function runs at 43 frames/s; "x2" upsamples it to the 86 Degara tuned for
    ticks = np.asarray(es.TempoTapDegara(sampleRateODF=rate, resample="x2")(odf))
    intervals = np.diff(ticks)
    bpm = 60.0 / float(np.median(intervals)) if intervals.size >= 2 else 0.0
    if odf.max() > 0 and 30 <= bpm <= 300:  # else silence or no beat: tempo unknown (0)
        irregularity = float(intervals.std() / intervals.mean())
    else:
        bpm, irregularity = 0.0, 1.0
    # onsets: local maxima over a moving average plus a margin
    win = int(rate * 0.5) | 1
    if odf.size >= win:
        thresh = np.convolve(odf, np.ones(win) / win, mode="same") + 0.05
    else:  # under half a second: "same" would answer the window's length, not the signal's
        thresh = np.full(odf.size, odf.sum() / win + 0.05)
    peak = (odf[1:-1] > odf[:-2]) & (odf[1:-1] >= odf[2:]) & (odf[1:-1] > thresh[1:-1])
    onset_rate = float(peak.sum()) / seconds
    strength = 0.0
    if bpm > 0:
        c = odf - odf.mean()
        ac = np.fft.irfft(np.abs(np.fft.rfft(c, 2 * c.size)) ** 2)[: c.size]
        lag = round(rate * 60.0 / bpm)
        if 1 <= lag < c.size - 1 and ac[0] > 0:
            strength = float(ac[lag - 1 : lag + 2].max() / ac[0])
    log2_bpm = math.log2(bpm) if bpm > 0 else math.log2(120.0)  # unknown: a neutral tempo
    return bpm, [log2_bpm, irregularity, onset_rate, strength]


def _timbre(spec: npt.NDArray[np.float32]) -> list[float]:
    power = np.square(spec, dtype=np.float64) + 1e-12
    hz = np.fft.rfftfreq(_FRAME, 1 / SAMPLE_RATE)
    total = power.sum(axis=1)
    coeffs = (10 * np.log10(power.astype(np.float32) @ _MEL.T + 1e-10)) @ _DCT.T
    centroid = (power @ hz) / total / 1000
    flatness = 10 * (np.log10(power).mean(axis=1) - np.log10(power.mean(axis=1)))
    rolloff = hz[np.argmax(np.cumsum(power, axis=1) >= 0.85 * total[:, None], axis=1)] / 1000
    flux = np.concatenate([[0.0], np.linalg.norm(np.diff(spec, axis=0), axis=1)])
    flux /= max(float(np.sqrt(total).mean()), 1e-9)  # gain-independent
    timbre = [*coeffs[:, 1:].mean(axis=0), *coeffs[:, 1:].std(axis=0)]
    for f in (centroid, flatness, rolloff, flux):
        timbre += [float(f.mean()), float(f.std())]
    return [float(v) for v in timbre]


def _tonality(x: npt.NDArray[np.float32]) -> tuple[list[float], str]:
    """HPCP chroma means, key strength and mode, and the key's name."""
    peaks = es.SpectralPeaks(
        sampleRate=SAMPLE_RATE,
        orderBy="magnitude",
        magnitudeThreshold=1e-5,
        minFrequency=40,
        maxFrequency=3500,
        maxPeaks=60,
    )
    hpcp = es.HPCP(
        size=12,
        sampleRate=SAMPLE_RATE,
        harmonics=4,
        bandPreset=False,
        minFrequency=40,
        maxFrequency=3500,
        weightType="cosine",
        normalized="unitMax",
    )
    spec = _frames(x, _CHROMA_FRAME, _CHROMA_FRAME)
    chroma = np.zeros((spec.shape[0], 12), dtype=np.float32)
    for i, frame in enumerate(spec):
        freqs, mags = peaks(frame)
        if freqs.size:
            chroma[i] = hpcp(freqs, mags)
    mean = chroma.mean(axis=0)
    if mean.max() <= 0:
        return [*([0.0] * 12), 0.0, 0.0], ""
    key, scale, strength, _ = es.Key(pcpSize=12, profileType="bgate")(mean)
    mean /= mean.max()
    # essentia's HPCP bin 0 is A (440 Hz reference); FEATURE_NAMES run from C
    tonal = [*np.roll(mean, -3), float(strength), 1.0 if scale == "major" else 0.0]
    return [float(v) for v in tonal], f"{key} {scale}"


def analyze(path: str | bytes) -> Analysis:
    """Decode and analyse one file; AnalysisError if it cannot be decoded."""
    stereo = decode(path)
    n = stereo.shape[0]
    excerpt = int(EXCERPT_SECONDS * SAMPLE_RATE)
    middle = stereo[(n - excerpt) // 2 : (n + excerpt) // 2] if n > excerpt else stereo
    mono = middle.mean(axis=1, dtype=np.float32)

    lufs, blocks = integrated_loudness(stereo, SAMPLE_RATE)
    absolute = np.abs(stereo).max(axis=1)
    edges = np.linspace(0, n, PEAKS + 1).astype(np.int64)[:-1]
    peaks = np.minimum(np.maximum.reduceat(absolute, np.minimum(edges, n - 1)), 1.0)
    peak_db = 20 * math.log10(max(float(absolute.max()), 1e-9))
    dynamics = [
        lufs,
        peak_db - lufs,
        float(blocks.std()),
        float(np.percentile(blocks, 95) - np.percentile(blocks, 10)),
    ]
    spec = _frames(mono, _FRAME, _HOP)
    bpm, rhythm = _rhythm(spec, mono.size / SAMPLE_RATE)
    timbre = _timbre(spec)
    tonal, key = _tonality(mono)
    vector = np.array([*timbre, *rhythm, *tonal, *dynamics], dtype=np.float32)
    if not np.all(np.isfinite(vector)):
        raise AnalysisError("analysis produced non-finite features")
    return Analysis(
        path=path,
        vector=vector,
        bpm=round(bpm, 2),
        key=key,
        loudness_lufs=round(lufs, 2),
        replay_gain_db=round(REPLAY_GAIN_REFERENCE - lufs, 2),
        peaks=peaks.astype(np.float32),
        duration=n / SAMPLE_RATE,
    )


def analyze_chunk(paths: Sequence[str | bytes]) -> list[Analysis | Failure]:
    """Analyse a chunk in a worker process; a file that fails costs only its own result."""
    results: list[Analysis | Failure] = []
    for path in paths:
        try:
            results.append(analyze(path))
        except AnalysisError as exc:
            results.append(Failure(path, str(exc)))
        except Exception as exc:  # native or numeric surprise: one file, logged, skipped
            log.warning("analysis failed for %r", path, exc_info=True)
            results.append(Failure(path, f"analysis failed: {type(exc).__name__}"))
    return results
