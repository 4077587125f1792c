"""Audio analysis: a fixed-length feature vector, tempo, key, loudness and waveform peaks.

ffmpeg decodes every format (Opus included) to float32 PCM at 22,050 Hz through a pipe;
essentia's own loaders are never used (they fail on Opus here and the process was seen to
crash afterwards). Loudness and peaks cover the whole decoded track; the feature vector,
tempo and key cover at most the middle ``EXCERPT_SECONDS`` of it, which keeps a long track
as cheap as a short one. Native code may still crash: run ``analyze_chunk`` through
``run_chunks``, which isolates a crash to the one file that caused it.

Feature vector (``FEATURE_NAMES``, ``DIM`` = 54), all over the excerpt. One batched numpy
STFT (Hann frames of 1024 samples = 46 ms, hop 512) serves timbre and rhythm; per-frame
calls into essentia cost ~50 µs each in Python overhead, more than the DSP, so essentia does
the parts where its algorithms matter (beat tracking, HPCP, key) and numpy the rest:

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
"""

from __future__ import annotations

import concurrent.futures
import logging
import math
import multiprocessing
import os
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import essentia
import essentia.standard as es
import numpy as np
import numpy.typing as npt

__all__ = [
    "DIM",
    "FEATURE_NAMES",
    "FEATURE_VERSION",
    "Analysis",
    "AnalysisError",
    "Failure",
    "NormStats",
    "analyze",
    "analyze_chunk",
    "normalise",
    "run_chunks",
]

log = logging.getLogger(__name__)
essentia.log.infoActive = False  # it announces MusicExtractorSVM defaults on import
essentia.log.warningActive = False

FEATURE_VERSION = 1  # bump whenever FEATURE_NAMES or how any of them is computed changes

SAMPLE_RATE = 22050
EXCERPT_SECONDS = 90.0  # features over the middle 90 s; loudness and peaks over it all
MAX_SECONDS = 20 * 60  # decode at most 20 minutes: ~210 MB of stereo float32 at worst
PEAKS = 1000
DECODE_TIMEOUT = 300.0
REPLAY_GAIN_REFERENCE = -18.0  # LUFS, as ReplayGain 2.0

_FRAME, _HOP = 1024, 512  # timbre and the onset function: 46 ms frames, 43 per second
_CHROMA_FRAME = 4096  # tonality: 186 ms frames (5 Hz bins), not overlapping

_TIMBRE = [
    *(f"mfcc{i}_{s}" for s in ("mean", "std") for i in range(1, 13)),
    *(f"{f}_{s}" for f in ("centroid_khz", "flatness_db", "rolloff_khz", "flux") for s in ("mean", "std")),
]  # fmt: skip
_RHYTHM = ["log2_bpm", "beat_irregularity", "onset_rate", "rhythm_strength"]
_TONAL = [
    *(f"chroma_{n}" for n in ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")),
    "key_strength",
    "key_major",
]
_LOUDNESS = ["loudness_lufs", "peak_to_loudness_db", "loudness_std_lu", "loudness_range_lu"]
FEATURE_NAMES: tuple[str, ...] = (*_TIMBRE, *_RHYTHM, *_TONAL, *_LOUDNESS)
DIM = len(FEATURE_NAMES)

# Share of the squared distance each group may contribute after z-scoring, so that 32 timbre
# dimensions do not drown 4 rhythm ones. A first guess, to be tuned by bench/recommend_eval.
GROUP_WEIGHTS = {"timbre": 0.4, "rhythm": 0.25, "tonality": 0.2, "loudness": 0.15}
_GROUPS = (("timbre", _TIMBRE), ("rhythm", _RHYTHM), ("tonality", _TONAL), ("loudness", _LOUDNESS))

Vector = npt.NDArray[np.float32]


class AnalysisError(Exception):
    """The file could not be decoded or analysed."""


@dataclass(frozen=True, slots=True)
class Analysis:
    path: str | bytes
    vector: Vector  # float32, DIM long, in FEATURE_NAMES order, not normalised
    bpm: float
    key: str  # e.g. "A minor"
    loudness_lufs: float  # EBU R128 integrated, whole track, stereo (mono played dual-mono)
    replay_gain_db: float  # to REPLAY_GAIN_REFERENCE (-18 LUFS, ReplayGain 2.0)
    peaks: Vector  # PEAKS absolute sample peaks, 0..1, evenly over the track
    duration: float  # seconds decoded (at most MAX_SECONDS)


@dataclass(frozen=True, slots=True)
class Failure:
    path: str | bytes
    reason: str


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


def _decode(path: str | bytes) -> npt.NDArray[np.float32]:
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


def _k_weighting(hz: npt.NDArray[np.floating[Any]]) -> npt.NDArray[np.float64]:
    """|H(f)|² of BS.1770 K-weighting (shelf, then high-pass) for SAMPLE_RATE, as libebur128
    derives the filters for any rate."""
    k = math.tan(math.pi * 1681.974450955533 / SAMPLE_RATE)
    q = 0.7071752369554196
    vh = 10 ** (3.999843853973347 / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = (
        [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0],
        [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0],
    )
    k = math.tan(math.pi * 38.13547087602444 / SAMPLE_RATE)
    q = 0.5003270373238773
    a0 = 1 + k / q + k * k
    highpass = ([1.0, -2.0, 1.0], [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])
    z = np.exp(-2j * np.pi * hz / SAMPLE_RATE)
    gain = np.ones_like(hz)
    for b, a in (shelf, highpass):
        gain *= np.abs(np.polyval(b[::-1], z) / np.polyval(a[::-1], z)) ** 2
    return gain


def _block_loudness(stereo: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """Mean square per 400 ms block every 100 ms of the K-weighted signal, summed over channels.

    The filter is applied in the frequency domain of each 100 ms sub-block (Parseval): within
    0.1 dB of time-domain filtering for music, and a tenth of the cost of essentia's IIR.
    """
    hop = SAMPLE_RATE // 10
    n = stereo.shape[0] // hop * hop
    if n == 0:
        return np.array([float(np.square(stereo, dtype=np.float64).sum(axis=1).mean())])
    blocks = stereo[:n].T.reshape(2, -1, hop)
    weight = _k_weighting(np.fft.rfftfreq(hop, 1 / SAMPLE_RATE))
    weight[1 : (hop + 1) // 2] *= 2  # one-sided spectrum: count the negative frequencies
    sums = np.empty(blocks.shape[1])  # energy per 100 ms sub-block
    for i in range(0, blocks.shape[1], 600):  # a minute at a time bounds the complex spectra
        spectra = np.abs(np.fft.rfft(blocks[:, i : i + 600], axis=-1)) ** 2
        sums[i : i + 600] = (spectra @ weight).sum(axis=0) / hop
    if sums.size < 4:
        return np.array([sums.sum() / n])
    return np.convolve(sums, np.ones(4), mode="valid") / (4 * hop)


def _loudness(stereo: npt.NDArray[np.float32]) -> tuple[float, npt.NDArray[np.float64]]:
    """EBU R128 integrated loudness (absolute and relative gates) and the gated blocks' LUFS."""
    z = _block_loudness(stereo)
    gated = z[z > 10 ** ((-70 + 0.691) / 10)]
    if gated.size == 0:
        return -70.0, np.array([-70.0])
    relative = 10 * math.log10(gated.mean()) - 0.691 - 10
    gated = gated[10 * np.log10(gated) - 0.691 > relative]
    return 10 * math.log10(gated.mean()) - 0.691, 10 * np.log10(gated) - 0.691


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
    thresh = np.convolve(odf, np.ones(win) / win, mode="same") + 0.05
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
    stereo = _decode(path)
    n = stereo.shape[0]
    excerpt = int(EXCERPT_SECONDS * SAMPLE_RATE)
    middle = stereo[(n - excerpt) // 2 : (n + excerpt) // 2] if n > excerpt else stereo
    mono = middle.mean(axis=1, dtype=np.float32)

    lufs, blocks = _loudness(stereo)
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


Chunk = Callable[[Sequence[str | bytes]], list[Analysis | Failure]]


def _executor(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    # forkserver: workers fork from a clean server process that has imported this module once
    # (essentia's import takes ~1 s), not from the server with its event loop and sockets.
    # Recycling workers bounds leaks in native code; a crash (segfault, double free) breaks
    # only the pool, and run_chunks contains it.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return concurrent.futures.ProcessPoolExecutor(
        workers, mp_context=context, max_tasks_per_child=16
    )


def run_chunks(
    paths: Sequence[str | bytes],
    workers: int = os.cpu_count() or 1,
    chunk_size: int = 8,
    fn: Chunk = analyze_chunk,
) -> Iterator[list[Analysis | Failure]]:
    """Analyse paths over worker processes, yielding each chunk's results as it completes.

    If a worker dies in native code, every chunk in flight is retried one file at a time, each
    in a fresh single-process pool, so the crash costs the file that caused it and no other.
    """
    chunks = [list(paths[i : i + chunk_size]) for i in range(0, len(paths), chunk_size)]
    suspects: list[str | bytes] = []
    with _executor(workers) as pool:
        futures = {pool.submit(fn, c): c for c in chunks}
        for future in concurrent.futures.as_completed(futures):
            try:
                yield future.result()
            except concurrent.futures.process.BrokenProcessPool:
                suspects.extend(futures[future])
    for path in suspects:
        with _executor(1) as alone:
            try:
                yield alone.submit(fn, [path]).result()
            except concurrent.futures.process.BrokenProcessPool:
                log.warning("analysis crashed the worker on %r", path)
                yield [Failure(path, "the analyser crashed on this file")]
