"""Cover art benchmark: the resize endpoint cold and cached, side by side with Pillow.

    .venv/bin/pip install Pillow        # or: pip install -e '.[bench]'; only this script uses it
    .venv/bin/python bench/covers.py [--runs 7] [--workers 2] [--page 50]

Generates photo-like 3000×3000 sources (a JPEG, and the same pixels as PNG), starts the real
app on a fresh embedded PostgreSQL with the sources as folder covers, and measures through
HTTP on localhost (the client shares the server's process and event loop, as a test client
does, so HTTP figures include its cost):

- cold resize per source format and target (300×300 fit=cover, width 600): the whole
  endpoint with the disk cache emptied before every request (median of --runs); libvips alone
  (api.imaging.resize, bytes → bytes); Pillow at its best (JPEG draft mode, reducing_gap)
  doing the same resize and JPEG encode; their ratio; and the peak memory each decoder adds,
  measured in a fresh child process;
- a cached hit: median latency of sequential requests, and requests/s with 16 in flight;
- a page of --page covers requested the way a browser does (6 connections), every one a
  different source and a cache miss, with --workers resize threads, pinned to 2 cores.

Aims (issue 4): cold resize through the endpoint at least as fast as Pillow on JPEG and 2.5×
faster on PNG; a cached hit in about a millisecond; a 50-cover page cold under a second on
2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import inspect
import io
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
import pyvips  # noqa: E402
from aiohttp.test_utils import TestServer  # noqa: E402

from api import imaging  # noqa: E402
from api.app import create_app  # noqa: E402
from api.context import SERVICES  # noqa: E402
from api.cover_art import CoverArt  # noqa: E402
from api.imaging import Variant  # noqa: E402
from bench.database import fresh_database  # noqa: E402
from tonearm.config import Config  # noqa: E402

SIDE = 3000
TARGETS = {"300×300": (300, 300), "width 600": (600, None)}
PASSWORD = "benchmark password"


# -- sources -----------------------------------------------------------------------------------


def photo(side: int) -> Any:
    """Photo-like pixels: soft fractal colour fields with fine grain (compresses like a photo:
    about 2 MB as a 3000×3000 JPEG at Q90)."""
    small = max(64, side // 4)
    bands = [pyvips.Image.fractsurf(small, small, 2.6) for _ in range(3)]
    scaled = [(b - b.min()) * (230 / (b.max() - b.min())) + 12 for b in bands]
    colour = scaled[0].bandjoin(scaled[1:]).resize(side / small, kernel="cubic")
    grain = pyvips.Image.gaussnoise(side, side, sigma=5, mean=0)
    return (colour + grain).cast("uchar").copy(interpretation="srgb").copy_memory()


def unique_jpeg(base: bytes, n: int) -> bytes:
    """A distinct, still valid JPEG (a COM segment carrying n after SOI): its own cover id."""
    comment = f"tonearm-bench cover {n}".encode()
    return base[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + base[2:]


# -- Pillow ------------------------------------------------------------------------------------


def pillow_resize(data: bytes, width: int, height: int | None) -> bytes:
    """The same resize with Pillow at its best: DCT-domain downscale on JPEG load (draft),
    reduce-then-Lanczos (reducing_gap), EXIF transpose, centre crop for a box, JPEG Q82."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as source:
        sw, sh = source.size
        out_h = height if height is not None else max(1, round(sh * width / sw))
        if source.format == "JPEG":
            scale = max(width / sw, out_h / sh)
            source.draft("RGB", (round(sw * scale), round(sh * scale)))
        image = ImageOps.exif_transpose(source).convert("RGB")
    sw, sh = image.size
    if height is not None:  # fit=cover: centre crop of the box's shape
        scale = max(width / sw, height / sh)
        cw, ch = width / scale, height / scale
        box = ((sw - cw) / 2, (sh - ch) / 2, (sw + cw) / 2, (sh + ch) / 2)
        image = image.resize((width, height), Image.Resampling.LANCZOS, box, reducing_gap=2.0)
    else:
        image = image.resize((width, out_h), Image.Resampling.LANCZOS, reducing_gap=2.0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def libvips_resize(data: bytes, width: int, height: int | None) -> bytes:
    return imaging.resize(data, Variant.of(width, height, "cover", "jpeg", False), 2048)


_PEAK_CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
kind, path, width, height = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]) or None
if kind == "pillow":
    import PIL.Image
    from bench_covers_pillow import pillow_resize as fn
else:
    from api import imaging
    from api.imaging import Variant
    imaging.configure()
    def fn(data, width, height):
        return imaging.resize(data, Variant.of(width, height, "cover", "jpeg", False), 2048)
data = open(path, "rb").read()
if sys.argv[6] == "run":
    fn(data, width, height)
# VmHWM, not ru_maxrss: the latter carries the parent's size across fork and exec
print(next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM:")))
"""


def peak_mb(kind: str, path: Path, width: int, height: int | None) -> float:
    """Peak resident memory one resize adds: a fresh small process that loads the library and
    reads the file, with and without the resize (KiB → MiB)."""
    shim = path.parent / "bench_covers_pillow.py"  # pillow_resize without this module's imports
    if not shim.exists():
        shim.write_text("import io\n" + inspect.getsource(pillow_resize))
    peaks = []
    for mode in ("idle", "run"):
        argv = [str(REPO), kind, str(path), str(width), str(height or 0), mode]
        out = subprocess.run(
            [sys.executable, "-c", _PEAK_CHILD, *argv],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(path.parent)},
        )
        peaks.append(int(out.stdout.split()[-1]))
    return (peaks[1] - peaks[0]) / 1024


# -- measuring ---------------------------------------------------------------------------------


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm-up: first-call set-up is not the steady state
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


async def amedian_ms(
    fn: Callable[[], Awaitable[Any]], runs: int, before: Callable[[], Awaitable[Any]]
) -> float:
    await before()
    await fn()
    times = []
    for _ in range(runs):
        await before()
        started = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


@dataclass
class Row:
    case: str
    endpoint: str = ""
    libvips: str = ""
    pillow: str = ""
    ratio: str = ""
    note: str = ""


def print_table(rows: Sequence[Row]) -> None:
    head = Row("case", "Tonearm endpoint", "libvips alone", "Pillow", "Pillow ÷ endpoint", "note")
    cols = list(
        zip(
            *[(r.case, r.endpoint, r.libvips, r.pillow, r.ratio, r.note) for r in [head, *rows]],
            strict=True,
        )
    )
    widths = [max(len(v) for v in col) for col in cols]
    for i, r in enumerate([head, *rows]):
        values = (r.case, r.endpoint, r.libvips, r.pillow, r.ratio, r.note)
        print("| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


class Bench:
    def __init__(self, session: aiohttp.ClientSession, base: str, art: CoverArt) -> None:
        self.session, self.base, self.art = session, base, art

    async def get(self, path: str, accept: str = "") -> bytes:
        async with self.session.get(self.base + path, headers={"Accept": accept}) as resp:
            body = await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"{path}: {resp.status} {body[:200]!r}")
            return body

    async def clear(self) -> None:
        await asyncio.to_thread(self.art.cache.clear)


def _query(width: int, height: int | None) -> str:
    return f"width={width}" + (f"&height={height}" if height else "")


async def measure(args: argparse.Namespace, tmp: Path, rows: list[Row]) -> None:
    print("making sources ...", flush=True)
    pixels = photo(SIDE)
    jpeg = pixels.jpegsave_buffer(Q=90)
    png = pixels.pngsave_buffer(compression=6)
    page_sizes = {SIDE: jpeg, 1200: photo(1200).jpegsave_buffer(Q=90)}
    root = tmp / "library"
    files: dict[str, tuple[bytes, str]] = {
        "source.jpg": (jpeg, "image/jpeg"),
        "source.png": (png, "image/png"),
    }
    for side, base in page_sizes.items():
        for n in range(args.page):
            files[f"page{side}/{n:03d}/cover.jpg"] = (unique_jpeg(base, n), "image/jpeg")
    for rel, (data, _mime) in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    ids = {rel: hashlib.sha1(data).hexdigest() for rel, (data, _mime) in files.items()}

    print("starting PostgreSQL and the app ...", flush=True)
    async with fresh_database() as (pool, _):
        # The rows a scan would write for folder covers (the scan has its own benchmark).
        lib = await pool.fetchval(
            "INSERT INTO libraries (path, status) VALUES ($1, 'online') RETURNING id", str(root)
        )
        await pool.executemany(
            "INSERT INTO covers (sha1, mime, kind, library_id, rel_path)"
            " VALUES ($1, $2, 'file', $3, $4)",
            [(ids[rel], mime, lib, os.fsencode(rel)) for rel, (_d, mime) in files.items()],
        )
        config = Config(
            library=(root,),
            data_dir=tmp / "data",
            scan_on_start=False,
            scan_interval=0,
            cover_workers=args.workers,
        )
        app = create_app(config, pool, background=False)
        async with TestServer(app) as http, aiohttp.ClientSession() as session:
            base = str(http.make_url("")).rstrip("/")
            async with session.post(
                base + "/api/v1/auth/setup", json={"name": "bench", "password": PASSWORD}
            ) as resp:
                token = (await resp.json())["token"]
            session.headers["Authorization"] = f"Bearer {token}"
            bench = Bench(session, base, app[SERVICES].cover_art)
            await run(bench, args, tmp, jpeg, png, ids, rows)


async def run(
    b: Bench,
    args: argparse.Namespace,
    tmp: Path,
    jpeg: bytes,
    png: bytes,
    ids: dict[str, str],
    rows: list[Row],
) -> None:
    sources = {"JPEG": ("source.jpg", jpeg), "PNG": ("source.png", png)}
    for fmt, (rel, data) in sources.items():
        source_file = tmp / rel
        source_file.write_bytes(data)
        for label, (width, height) in TARGETS.items():
            print(f"cold {fmt} → {label} ...", flush=True)
            path = f"/api/v1/covers/{ids[rel]}?{_query(width, height)}"
            endpoint = await amedian_ms(lambda p=path: b.get(p), args.runs, b.clear)  # type: ignore[misc]
            vips = median_ms(lambda d=data, w=width, h=height: libvips_resize(d, w, h), args.runs)  # type: ignore[misc]
            pil = median_ms(lambda d=data, w=width, h=height: pillow_resize(d, w, h), args.runs)  # type: ignore[misc]
            mem_v = peak_mb("libvips", source_file, width, height)
            mem_p = peak_mb("pillow", source_file, width, height)
            rows.append(
                Row(
                    f"cold {fmt} {SIDE}² → {label}",
                    f"{endpoint:.1f} ms",
                    f"{vips:.1f} ms",
                    f"{pil:.1f} ms",
                    f"{pil / endpoint:.2f}×",
                    f"peak memory: libvips +{mem_v:.0f} MB, Pillow +{mem_p:.0f} MB",
                )
            )

    print("cached hits ...", flush=True)
    hit = f"/api/v1/covers/{ids['source.jpg']}?width=300&height=300"
    await b.get(hit)
    latency = await amedian_ms(lambda: b.get(hit), 300, _nothing)

    async def worker() -> None:
        for _ in range(100):
            await b.get(hit)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(16)))
    rate = 1600 / (time.perf_counter() - started)
    rows.append(
        Row("cached hit 300×300", f"{latency:.2f} ms", note=f"{rate:.0f} req/s, 16 in flight")
    )

    cores = len(os.sched_getaffinity(0))
    browser = "image/avif,image/webp,image/apng,image/*,*/*;q=0.8"  # what Chromium sends
    out = "AVIF" if "avif" in b.art.formats else "WebP"
    for side, accept, label in ((SIDE, "", "JPEG"), (1200, "", "JPEG"), (1200, browser, out)):
        print(f"page of {args.page} × {side}² cold → {label} ...", flush=True)
        await b.clear()
        paths = [
            f"/api/v1/covers/{ids[f'page{side}/{n:03d}/cover.jpg']}?width=300&height=300"
            for n in range(args.page)
        ]
        limit = asyncio.Semaphore(6)  # a browser's connections per host over HTTP/1.1

        async def one(path: str, limit: asyncio.Semaphore = limit, accept: str = accept) -> None:
            async with limit:
                await b.get(path, accept)

        resized = b.art.resizes
        started = time.perf_counter()
        await asyncio.gather(*(one(p) for p in paths))
        wall = time.perf_counter() - started
        assert b.art.resizes - resized == args.page
        rows.append(
            Row(
                f"page: {args.page} × {side}² JPEG → 300×300 {label}, cold",
                f"{wall * 1000:.0f} ms",
                note=f"{args.page / wall:.0f} covers/s; {args.workers} workers, {cores} cores",
            )
        )


async def _nothing() -> None:
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="cold measurements per case")
    parser.add_argument("--workers", type=int, default=2, help="cover_workers")
    parser.add_argument("--page", type=int, default=50, help="covers on the page")
    args = parser.parse_args(argv)
    try:
        import PIL
    except ImportError:
        print("Pillow is needed for the comparison: .venv/bin/pip install Pillow", file=sys.stderr)
        return 1
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) > 2:
        os.sched_setaffinity(0, cpus[:2])  # "on 2 cores"; children inherit it
    tmp = Path(tempfile.mkdtemp(prefix="tonearm-bench-covers-"))
    rows: list[Row] = []
    try:
        asyncio.run(measure(args, tmp, rows))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print(
        f"libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}, "
        f"Pillow {PIL.__version__}, Python {platform.python_version()}, "
        f"{len(os.sched_getaffinity(0))} cores ({platform.processor() or platform.machine()})"
    )
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
