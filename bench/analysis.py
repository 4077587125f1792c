"""Analysis benchmark: seconds per track and x real time per core for ingest/analyze.py.

    .venv/bin/python bench/analysis.py [--tracks 20] [--extractor 3] [--keep DIR] [--stage 1,2]

Synthesises --tracks files of 30–60 s (melodies over chords in different keys, timbres and
tempos, click tracks, noise) with tests/ingest/test_analyze.synth, encoded by ffmpeg as
mp3, flac, ogg and opus. Each file is analysed once to warm the caches, then measured in one
process: "decode" is ffmpeg's CPU time (a child process), "features" the Python process's
CPU time for everything after decoding. CPU time, not wall time, so that other work on the
machine does not count against us; x real time per core = audio seconds / CPU seconds.
The last row runs essentia's MusicExtractor (the full feature set, its own loader) on the
first --extractor mp3/flac files for comparison; it was rejected at ~25x in the issue.

--stage W[,W...] then runs the whole analysis stage on the same files, once per worker count:
a scan, then the primary's shards, the replica's AnalysisPool of W processes and the fenced
writes, through ScanService on an embedded PostgreSQL (wall clock from the end of the scan
until nothing is pending). Its per-track time against the wall-clock row above is what the
stage adds (process start, pickling, batches, the database).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ingest import analyze as A  # noqa: E402
from tests.ingest.test_analyze import synth  # noqa: E402

KEYS = ("C major", "A minor", "F# minor", "D# major", "G major", "E minor", "B major")
TIMBRES = ("saw", "sine", "square", "organ")
FORMATS = ("mp3", "flac", "ogg", "opus")


def generate(folder: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        seconds = 30 + (i * 7) % 31
        bpm = 70 + (i * 23) % 110
        path = folder / f"{i:02d}.{FORMATS[i % len(FORMATS)]}"
        if i % 5 == 4:
            synth(path, seconds=seconds, bpm=bpm, seed=i, clicks_only=True)
        else:
            key, timbre = KEYS[i % len(KEYS)], TIMBRES[i % len(TIMBRES)]
            synth(path, seconds=seconds, bpm=bpm, key=key, timbre=timbre, seed=i)
        paths.append(path)
    return paths


def cpu() -> tuple[float, float]:
    """(this process, its finished children) user + system CPU seconds."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def measure(paths: list[Path]) -> tuple[float, float, float, float]:
    """Audio seconds, decode CPU, feature CPU, wall seconds over all paths."""
    audio = decode = features = wall = 0.0
    for path in paths:
        self0, kids0 = cpu()
        stereo = A.decode(str(path))  # the same decode analyze() runs, timed on its own
        self1, kids1 = cpu()
        begun = time.perf_counter()
        result = A.analyze(str(path))
        wall += time.perf_counter() - begun
        self2, kids2 = cpu()
        audio += result.duration
        decode_once = (kids1 - kids0) + (self1 - self0)
        decode += decode_once
        # analyze() decodes again: subtract one decode's CPU to leave the features
        features += (self2 - self1) + (kids2 - kids1) - decode_once
        del stereo
    return audio, decode, features, wall


def extractor(paths: list[Path]) -> tuple[float, float]:
    import essentia.standard as es

    run = es.MusicExtractor(lowlevelStats=["mean", "stdev"], rhythmStats=["mean", "stdev"])
    audio = spent = 0.0
    for path in paths:
        start = time.process_time()
        pool, _ = run(str(path))
        spent += time.process_time() - start
        audio += float(pool["metadata.audio_properties.length"])
    return audio, spent


async def stage(folder: Path, workers: int) -> tuple[float, int, int]:
    """(wall seconds of the analysis stage, tracks analysed, failed) on a fresh database."""
    from bench.database import fresh_database
    from cluster.standalone import Standalone
    from ingest.analysis import AnalysisSettings
    from ingest.service import ScanService
    from store.cluster import ClusterStore
    from tests.ingest.test_analysis import wait_analysed

    async with fresh_database() as (pool, _):
        cluster = Standalone(ClusterStore(pool), "bench", "http://127.0.0.1:1", "bench")
        await cluster.start()
        settings = AnalysisSettings(workers=workers, shard_tracks=200)
        service = ScanService(
            pool, cluster, [str(folder)], workers=1, interval=0, analysis=settings
        )
        await service.start(scan_now=False)
        try:
            await service.run_once("bench")
            started = time.perf_counter()
            done = await wait_analysed(pool, within=3600)
            return time.perf_counter() - started, done.analysed, done.failed
        finally:
            await service.stop()
            await cluster.stop()


def row(name: str, audio: float, spent: float, count: int) -> str:
    return f"{name:<34} {spent / count:>9.3f} {audio / max(spent, 1e-9):>9.0f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tracks", type=int, default=20)
    parser.add_argument("--extractor", type=int, default=3, help="files for MusicExtractor")
    parser.add_argument("--keep", type=Path, help="generate into (and keep) this folder")
    parser.add_argument("--stage", default="", help="worker counts for the whole stage, e.g. 1,2")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    with tempfile.TemporaryDirectory(prefix="tonearm-analysis-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        paths = generate(folder, args.tracks)
        print(f"generated {len(paths)} files in {time.perf_counter() - start:.1f} s")
        for path in paths:  # warm the page cache and essentia's lazy set-up
            A.analyze(str(path))
        audio, decode, features, wall = measure(paths)
        n = len(paths)
        print(f"\n{n} tracks, {audio:.0f} s of audio, mean {audio / n:.1f} s; excerpt cap "
              f"{A.EXCERPT_SECONDS:.0f} s; analysed at {A.SAMPLE_RATE} Hz\n")  # fmt: skip
        print(f"{'stage':<34} {'s/track':>9} {'x RT/core':>10}")
        print(row("decode (ffmpeg, stereo f32 pipe)", audio, decode, n))
        print(row("features (vector, bpm, key, R128)", audio, features, n))
        print(row("total", audio, decode + features, n))
        print(f"{'total, wall clock':<34} {wall / n:>9.3f} {audio / wall:>9.0f}x")
        if args.extractor:
            chosen = [p for p in paths if p.suffix in (".mp3", ".flac")][: args.extractor]
            e_audio, e_spent = extractor(chosen)
            print(row("MusicExtractor (rejected)", e_audio, e_spent, len(chosen)))
        for workers in [int(w) for w in args.stage.split(",") if w]:
            wall, ok, failed = asyncio.run(stage(folder, workers))
            name = f"whole stage, {workers} worker{'s' if workers > 1 else ''}, wall"
            print(f"{name:<34} {wall / n:>9.3f} {audio / wall:>9.0f}x   ({ok} ok, {failed} failed)")


if __name__ == "__main__":
    main()
