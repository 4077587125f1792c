"""Scanner benchmark: generate a tagged library, then time every layer of a scan on it.

    .venv/bin/python bench/scan.py [--files N] [--workers W] [--repeat N] [--keep DIR]
                                   [--profile FILE]

One run measures, on the same files: walking the roots, bare mutagen.File in one process,
our read_tags in one process, then N pairs of bare mutagen.File in W processes (the ceiling
a scan can reach) and a full scan through the real path (embedded PostgreSQL, migrations,
ScanService.run_once), and an unchanged rescan. The ratio of each pair is taken on the
same minutes of the machine; the verdict uses their median (--repeat 5 on a shared VM). Every file is read once before measuring, so all numbers are with the
library in the page cache (dropping the cache needs root and is not attempted). Worker pools
are started outside the clock (the scan's own start-up is its own row), as in a server that
has scanned before.

Aims: a full scan at >= 70% of the W-process mutagen rate; an unchanged rescan of 100,000
files in < 2 s (run with --files 100000 for the real thing; the rescan row also prints a
linear estimate).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import datetime as dt
import gc
import json
import logging
import multiprocessing
import os
import platform
import pstats
import resource
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import mutagen  # noqa: E402

from bench.database import fresh_database  # noqa: E402
from cluster.standalone import Standalone  # noqa: E402
from ingest.scanner import CHUNK  # noqa: E402
from ingest.service import ScanService  # noqa: E402
from ingest.tags import AUDIO_EXTENSIONS, read_tags  # noqa: E402
from ingest.walk import walk  # noqa: E402
from store.cluster import ClusterStore  # noqa: E402

FORMATS = ("mp3", "flac", "ogg", "opus", "m4a")  # tests.audio format names; ext = name
ROOTS = ("disk1", "disk2", "disk3")
TRACKS_PER_ALBUM = 10
ALBUMS_PER_ARTIST = 3
TEMPLATE_SECONDS = 1.0
GENRES = ("Rock", "Jazz", "Electronic", "Folk", "Hip-Hop", "Classical", "Ambient", "Soul")
MANIFEST = ".bench-library.json"
SCAN_AIM = 0.70  # full scan / W-process mutagen rate
RESCAN_AIM_100K = 2.0  # seconds for an unchanged rescan of 100k files


# -- results -----------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    files: int | None = None
    seconds: float | None = None
    note: str = ""

    @property
    def rate(self) -> float | None:
        if not self.files or not self.seconds:
            return None
        return self.files / self.seconds


@dataclass
class Library:
    base: Path
    roots: list[Path]
    files: list[tuple[bytes, bytes]] = field(default_factory=list)  # (absolute, relative)


@dataclass
class ScanOutcome:
    full: Row  # also in rows; main() adds its ratio to the mutagen rate
    rows: list[Row]


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


# -- generating the library --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Spec:
    """One file to write: where, which format, which tags."""

    path: str
    fmt: str
    tags: dict[str, Any]


def unique_jpeg(base: bytes, n: int) -> bytes:
    """A distinct, still valid JPEG: a COM segment carrying n right after SOI."""
    comment = f"tonearm-bench cover {n}".encode()
    return base[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + base[2:]


def plan_library(
    base: Path, count: int, jpeg: bytes
) -> tuple[list[Spec], list[tuple[Path, bytes]]]:
    """Files Artist/Album/NN Title.ext spread over ROOTS; one format per album. Albums cycle
    through: embedded cover, cover.jpg, both, neither (every cover's bytes are distinct)."""
    specs: list[Spec] = []
    folder_covers: list[tuple[Path, bytes]] = []
    album = 0
    while len(specs) < count:
        artist = album // ALBUMS_PER_ARTIST
        root = base / ROOTS[artist % len(ROOTS)]
        folder = root / f"Artist {artist:05d}" / f"Album {album:05d}"
        fmt = FORMATS[album % len(FORMATS)]
        cover = unique_jpeg(jpeg, album)
        kind = album % 4
        if kind in (1, 2):
            folder_covers.append((folder / "cover.jpg", cover))
        tracks = min(TRACKS_PER_ALBUM, count - len(specs))
        for n in range(1, tracks + 1):
            i = len(specs)
            tags = {
                "title": f"Song {i:06d}",
                "artists": [f"Artist {artist:05d}"],
                "album": f"Album {album:05d}",
                "album_artist": f"Artist {artist:05d}",
                "track": f"{n}/{tracks}",
                "date": f"{1960 + album % 60}-{1 + album % 12:02d}-{1 + n:02d}",
                "genres": [GENRES[(album + n) % len(GENRES)]],
                "picture": cover if kind in (0, 2) else None,
            }
            specs.append(Spec(str(folder / f"{n:02d} Song {i:06d}.{fmt}"), fmt, tags))
        album += 1
    return specs, folder_covers


def _write_chunk(specs: list[Spec]) -> int:
    from tests.audio import make_track  # templates are inherited from the parent (fork)

    for spec in specs:
        make_track(Path(spec.path), spec.fmt, seconds=TEMPLATE_SECONDS, **spec.tags)
    return len(specs)


def generate(base: Path, count: int, workers: int) -> float:
    """Write the library under base; return seconds. ffmpeg runs once per format (in
    tests.audio's template cache); each file is a byte copy tagged by mutagen."""
    from tests.audio import make_jpeg, make_track

    started = time.perf_counter()
    scratch = Path(tempfile.mkdtemp(prefix="tonearm-bench-tpl-"))
    try:
        for fmt in FORMATS:  # fills the template cache before the workers fork
            make_track(scratch / f"t.{fmt}", fmt, seconds=TEMPLATE_SECONDS)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    jpeg = make_jpeg(300, 300, (180, 120, 40))
    specs, folder_covers = plan_library(base, count, jpeg)
    for path, data in folder_covers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    chunks = [specs[i : i + 250] for i in range(0, len(specs), 250)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as ex:
        written = sum(ex.map(_write_chunk, chunks))
    assert written == count
    (base / MANIFEST).write_text(json.dumps({"files": count, "formats": FORMATS}))
    return time.perf_counter() - started


def reusable(base: Path, count: int) -> bool:
    try:
        manifest = json.loads((base / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    return bool(manifest.get("files") == count and tuple(manifest.get("formats", ())) == FORMATS)


def list_files(base: Path) -> Library:
    lib = Library(base, [base / r for r in ROOTS])
    for root in lib.roots:
        root_b = os.fsencode(root)
        for entry in walk(str(root), AUDIO_EXTENSIONS).files:
            lib.files.append((os.path.join(root_b, entry.rel_path), entry.rel_path))
    return lib


def warm_page_cache(base: Path) -> tuple[int, int, float]:
    """Read every file once (audio and images): (files, bytes, seconds)."""
    started = time.perf_counter()
    files = size = 0
    for dirpath, _dirs, names in os.walk(base):
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as f:
                while chunk := f.read(1 << 20):
                    size += len(chunk)
            files += 1
    return files, size, time.perf_counter() - started


# -- measurements ------------------------------------------------------------------------------


def measure_walk(lib: Library) -> Row:
    def run() -> int:
        return sum(len(walk(str(r), AUDIO_EXTENSIONS).files) for r in lib.roots)

    runs = [timed(run) for _ in range(3)]
    found, seconds = min(runs, key=lambda r: r[1])
    return Row("walk (ingest.walk.walk)", found, seconds, f"best of 3, {len(lib.roots)} roots")


def _mutagen_chunk(paths: list[bytes]) -> int:
    ok = 0
    for path in paths:
        if mutagen.File(path) is not None:
            ok += 1
    return ok


def measure_mutagen_one(lib: Library) -> Row:
    paths = [a for a, _ in lib.files]
    ok, seconds = timed(lambda: _mutagen_chunk(paths))
    return Row("mutagen.File, 1 process", len(paths), seconds, _failures(len(paths) - ok))


class MutagenPool:
    """Bare mutagen.File over the library in W worker processes: the ceiling a scan can
    reach. One pool for every repeat; its start is outside the clock."""

    def __init__(self, lib: Library, workers: int) -> None:
        paths = [a for a, _ in lib.files]
        self.files = len(paths)
        self.chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
        ctx = multiprocessing.get_context("forkserver")  # as ScanService's pool
        self.executor = ProcessPoolExecutor(workers, mp_context=ctx)
        list(self.executor.map(time.sleep, [0.2] * workers))  # start every worker
        self.workers = workers
        self.failed = 0

    def run(self) -> float:
        ok, seconds = timed(lambda: sum(self.executor.map(_mutagen_chunk, self.chunks)))
        self.failed = self.files - ok
        return float(seconds)

    def close(self) -> None:
        self.executor.shutdown()


def measure_read_tags(lib: Library, mutagen_one: Row) -> Row:
    def run() -> int:
        ok = 0
        for path, rel in lib.files:
            try:
                read_tags(path, rel)
                ok += 1
            except Exception:
                pass
        return ok

    ok, seconds = timed(run)
    row = Row("read_tags, 1 process", len(lib.files), seconds)
    if row.rate and mutagen_one.rate:
        row.note = f"{row.rate / mutagen_one.rate:.0%} of mutagen 1-process rate"
    row.note = _join(row.note, _failures(len(lib.files) - ok))
    return row


def _failures(n: int) -> str:
    return f"{n} FAILED" if n else ""


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def reset_peak_rss() -> bool:
    """Linux: writing 5 to clear_refs resets this process's peak RSS (VmHWM, ru_maxrss)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@contextlib.contextmanager
def profiling(prof: cProfile.Profile | None) -> Iterator[None]:
    if prof is None:
        yield
        return
    prof.enable()
    try:
        yield
    finally:
        prof.disable()


async def measure_scans(
    lib: Library, workers: int, profile: str | None, baseline: MutagenPool, repeat: int
) -> ScanOutcome:
    """Full scan and unchanged rescan through ScanService.run_once on a fresh embedded
    PostgreSQL (started in a temp dir, deleted afterwards). Each full scan is paired with a
    run of the bare-mutagen baseline just before it, so the two see the same machine: on a
    shared VM either rate alone drifts by a third between minutes."""
    async with fresh_database() as (pool, server):
        cluster = Standalone(ClusterStore(pool), "bench", "http://127.0.0.1:1", "bench")
        await cluster.start()
        service = ScanService(
            pool, cluster, [str(r) for r in lib.roots], workers=workers, interval=0
        )
        await service.start(scan_now=False)
        try:
            return await _scan_twice(
                service, pool, server.get_pid(), lib, workers, profile, baseline, repeat
            )
        finally:
            await service.stop()
            await cluster.stop()


async def _scan_twice(
    service: ScanService,
    pool: Any,
    pg_pid: int | None,
    lib: Library,
    workers: int,
    profile: str | None,
    baseline: MutagenPool,
    repeat: int,
) -> ScanOutcome:
    expected = len(lib.files)
    prof = cProfile.Profile(time.thread_time) if profile else None  # CPU of the main thread
    pool_start = await _start_workers(service, workers)
    rss_reset = reset_peak_rss()

    runs: list[tuple[float, float, dict[str, float]]] = []  # (baseline s, full scan s, CPU)
    checks: list[str] = []
    for n in range(repeat):
        if n:  # the catalogue goes, so the next run_once parses every file again
            await pool.execute(
                "TRUNCATE tracks, track_artists, albums, artists, covers RESTART IDENTITY CASCADE"
            )
        baseline_s = baseline.run()
        first, full_s, cpu = await _timed_scan(service, pg_pid, prof)
        runs.append((baseline_s, full_s, cpu))
        p1 = await _progress(service, first)
        tracks = int(await pool.fetchval("SELECT count(*) FROM tracks"))
        checks.append(_check(p1.get("added") == expected and tracks == expected, p1))
    albums = int(await pool.fetchval("SELECT count(*) FROM albums"))
    covers = int(await pool.fetchval("SELECT count(*) FROM covers"))
    ratios = sorted(b / f for b, f, _ in runs)  # scan rate / baseline rate, per pair
    median = statistics.median(ratios)
    verdict = "meets" if median >= SCAN_AIM else "BELOW"
    baseline_s, full_s, cpu = min(runs, key=lambda r: r[1])
    base_row = Row(
        f"mutagen.File, {workers} processes",
        expected,
        min(b for b, _, _ in runs),
        _join(
            f"chunks of {CHUNK}, pool start excluded",
            f"best of {repeat}" if repeat > 1 else "",
            _failures(baseline.failed),
        ),
    )
    full = Row(
        f"full scan (run_once, {workers} workers)",
        expected,
        full_s,
        _join(
            f"{median:.0%} of the mutagen {workers}-process rate ({verdict} aim {SCAN_AIM:.0%})"
            + (
                f", median of {repeat} pairs: " + " ".join(f"{r:.0%}" for r in ratios)
                if repeat > 1
                else ""
            ),
            f"best of {repeat}" if repeat > 1 else "",
            f"{expected} tracks, {albums} albums, {covers} covers",
            *sorted(set(checks)),
        ),
    )
    cpu_row = Row(
        "CPU time during the (best) full scan",
        note=", ".join(f"{k} {v:.2f} s" for k, v in cpu.items())
        + f" (wall {full_s:.2f} s x {os.cpu_count()} cores)",
    )
    main_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker_peaks = [mb for pid in worker_pids(service) if (mb := peak_rss_mb(pid))]

    second, rescan_s, rescan_cpu = await _timed_scan(service, pg_pid, prof)
    p2 = await _progress(service, second)
    est = rescan_s * 100_000 / expected
    rescan = Row(
        "unchanged rescan (run_once)",
        expected,
        rescan_s,
        _join(
            f"~{est:.2f} s per 100k if linear (aim < {RESCAN_AIM_100K:g} s)",
            _check(p2.get("unchanged") == expected and not p2.get("to_parse"), p2),
        ),
    )

    rescan_cpu_row = Row(
        "CPU time during the unchanged rescan",
        note=", ".join(f"{k} {v:.2f} s" for k, v in rescan_cpu.items()),
    )

    if prof is not None and profile:
        prof.dump_stats(profile)
        print(f"\nmain-process profile of both scans written to {profile}; top 25 by tottime:")
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)

    where = "from just before the full scan" if rss_reset else "whole run"
    rows = [pool_start, base_row, full, rescan, cpu_row, rescan_cpu_row]
    rows.append(
        Row("peak RSS, scanning process", note=f"{main_peak:.0f} MB (main process, {where})")
    )
    if worker_peaks:
        note = f"{max(worker_peaks):.0f} MB, max of {len(worker_peaks)} workers"
        rows.append(Row("peak RSS, scan worker", note=note))
    return ScanOutcome(full, rows)


async def _timed_scan(
    service: ScanService, pg_pid: int | None, prof: cProfile.Profile | None
) -> tuple[int, float, dict[str, float]]:
    """One run_once: the scan's id, its wall seconds and the CPU seconds it took (with the
    main process's garbage collection on its own)."""
    cpu_before = cpu_seconds(service, pg_pid)
    with profiling(prof), gc_time() as in_gc:
        started = time.perf_counter()
        scan_id = (await service.run_once("bench")).id
        seconds = time.perf_counter() - started
    cpu = {k: v - cpu_before[k] for k, v in cpu_seconds(service, pg_pid).items()}
    cpu["main in GC"] = in_gc[0]
    return scan_id, seconds, cpu


@contextlib.contextmanager
def gc_time() -> Iterator[list[float]]:
    """CPU seconds this thread spends in the cyclic garbage collector meanwhile."""
    total = [0.0]
    started = [0.0]

    def track(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.thread_time()
        else:
            total[0] += time.thread_time() - started[0]

    gc.callbacks.append(track)
    try:
        yield total
    finally:
        gc.callbacks.remove(track)


async def _start_workers(service: ScanService, workers: int) -> Row:
    """Start the service's worker pool outside the clock, as in a server that has scanned
    before (`tonearm scan` pays this on every run). One overlapping sleep per worker makes
    the executor start all of them."""
    loop = asyncio.get_running_loop()
    nap = 0.3
    started = time.perf_counter()
    executor = service.executor
    await asyncio.gather(*(loop.run_in_executor(executor, time.sleep, nap) for _ in range(workers)))
    seconds = time.perf_counter() - started - nap
    return Row(
        "scan worker pool start",
        None,
        seconds,
        f"forkserver + {workers} workers; not in the scan rows",
    )


def worker_pids(service: ScanService) -> list[int]:
    return list(getattr(service.executor, "_processes", None) or {})


def process_cpu() -> Iterator[tuple[int, int, float]]:
    """(pid, parent pid, user+system CPU seconds so far) of every process, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{name}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        yield int(name), int(fields[1]), (int(fields[11]) + int(fields[12])) / tick


def cpu_seconds(service: ScanService, pg_pid: int | None) -> dict[str, float]:
    """user+system CPU so far of this process, the scan workers, and PostgreSQL (postmaster
    and its direct children, i.e. the backends)."""
    out = {"main": 0.0, "workers": 0.0, "postgres": 0.0}
    workers = set(worker_pids(service))
    for pid, ppid, used in process_cpu():
        if pid == os.getpid():
            out["main"] += used
        elif pid in workers:
            out["workers"] += used
        elif pg_pid is not None and pg_pid in (pid, ppid):
            out["postgres"] += used
    return out


async def _progress(service: ScanService, scan_id: int) -> dict[str, Any]:
    scan = await service.scans.get(scan_id)
    if scan is None or scan.state != "done":
        raise RuntimeError(f"scan {scan_id} did not finish: {scan}")
    return dict(scan.progress or {})


def _check(ok: bool, progress: dict[str, Any]) -> str:
    if ok:
        return ""
    keys = ("found", "to_parse", "parsed", "unchanged", "added", "updated", "failed", "skipped")
    return "WARNING unexpected progress " + json.dumps({k: progress.get(k) for k in keys})


# -- report ------------------------------------------------------------------------------------


def machine() -> list[str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"date     {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"cpu      {model}; {os.cpu_count()} cores ({usable} usable); load avg {load}",
        f"python   {platform.python_version()} ({platform.python_implementation()}), "
        f"mutagen {mutagen.version_string}, {platform.system()} {platform.release()}",
    ]


def table(rows: Sequence[Row]) -> Iterator[str]:
    cells = [
        (
            r.name,
            f"{r.files:,}" if r.files is not None else "",
            f"{r.seconds:.3f}" if r.seconds is not None else "",
            f"{r.rate:,.0f}" if r.rate is not None else "",
            r.note,
        )
        for r in rows
    ]
    head = ("measurement", "files", "seconds", "files/s", "note")
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(4)]

    def line(c: tuple[str, ...]) -> str:
        return (
            f"{c[0]:<{widths[0]}}  {c[1]:>{widths[1]}}  {c[2]:>{widths[2]}}  "
            f"{c[3]:>{widths[3]}}  {c[4]}"
        ).rstrip()

    yield line(head)
    yield "-" * (sum(widths) + 8 + len(head[4]))
    yield from (line(c) for c in cells)


# -- main --------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    default_workers = max(1, min(4, os.cpu_count() or 1))  # tonearm.config's default
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--files", type=int, default=20_000, help="library size (default 20000)")
    p.add_argument(
        "--workers", type=int, default=default_workers, help=f"W (default {default_workers})"
    )
    p.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="generate the library in DIR and keep it; reused when DIR holds one of this size",
    )
    p.add_argument(
        "--profile",
        metavar="FILE",
        help="cProfile the main thread's CPU time during both scans (slows them); stats to FILE",
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="N pairs of (bare mutagen, full scan); the ratio is their median (default 1)",
    )
    args = p.parse_args(argv)
    if args.files < 1 or args.workers < 1 or args.repeat < 1:
        p.error("--files, --workers and --repeat must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")  # platformdirs, via pgserver
    header = machine()
    for line in header:
        print(line)

    if args.keep:
        base = args.keep.resolve()
        base.mkdir(parents=True, exist_ok=True)
        if any(base.iterdir()) and not (base / MANIFEST).exists():
            raise SystemExit(f"{base} is not empty and holds no bench library; refusing to write")
        if not reusable(base, args.files):
            (base / MANIFEST).unlink(missing_ok=True)  # a bench library of another size
            for root in ROOTS:
                shutil.rmtree(base / root, ignore_errors=True)
    else:
        base = Path(tempfile.mkdtemp(prefix="tonearm-bench-lib-"))
    rows: list[Row] = []
    try:
        if args.keep and reusable(base, args.files):
            rows.append(Row("generate library", args.files, None, f"reused {base}"))
            print(f"\nreusing the library in {base}")
        else:
            print(f"\ngenerating {args.files:,} files in {base} ...", flush=True)
            seconds = generate(base, args.files, args.workers)
            note = f"{'/'.join(FORMATS)}, {len(ROOTS)} roots, {args.workers} processes"
            rows.append(Row("generate library", args.files, seconds, note))
            print(f"generated in {seconds:.1f} s", flush=True)
        lib = list_files(base)
        if len(lib.files) != args.files:
            raise SystemExit(f"found {len(lib.files)} files in {base}, expected {args.files}")

        files, size, seconds = warm_page_cache(base)
        rows.append(
            Row("read all files (page cache warm-up)", files, seconds, f"{size / 2**20:,.0f} MiB")
        )
        print("every file was read once: all measurements below run with the files in page cache")

        print("measuring walk, mutagen, read_tags ...", flush=True)
        rows.append(measure_walk(lib))
        mutagen_one = measure_mutagen_one(lib)
        rows.append(mutagen_one)
        rows.append(measure_read_tags(lib, mutagen_one))

        print(
            f"measuring {args.repeat} x (mutagen in {args.workers} processes, full scan), then "
            "an unchanged rescan (embedded PostgreSQL) ...",
            flush=True,
        )
        baseline = MutagenPool(lib, args.workers)
        try:
            outcome = asyncio.run(
                measure_scans(lib, args.workers, args.profile, baseline, args.repeat)
            )
        finally:
            baseline.close()
        rows += outcome.rows
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)

    print()
    for line in header:
        print(line)
    print(f"library  {args.files:,} files, page cache warm; workers W={args.workers}\n")
    for line in table(rows):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
