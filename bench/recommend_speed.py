"""Similarity benchmark: index build time, memory and query latency with the re-rank.

    .venv/bin/python bench/recommend_speed.py [--sizes 100000,1000000] [--queries 300]

For each size, synthetic raw vectors of our dimension (ingest.vector.DIM) are drawn around
many centres with features on different scales, like a real library (an artist or an album
is a tight group; features have their own units), and get synthetic metadata: artists,
albums, genres, years. Then, as a replica does:

- build: `recommend.index.VectorIndex.build` — normalise and index (exact IndexFlatIP up to
  HNSW_THRESHOLD vectors, HNSW above), all cores, wall clock; memory is the process's RSS
  growth over the build and the index's own estimate;
- query: one thread with one FAISS thread (as the server's query thread), each query the
  200 nearest neighbours of a track (`VectorIndex.search`) then `recommend.rank.rank` over
  them (metadata objects built for the candidates, affinity, scores, diversity): p50/p99;
- the same search alone, with two FAISS threads, and exact search at the size (when the
  index is HNSW) for comparison, and HNSW's recall@50 against exact search.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import faiss  # noqa: E402
import numpy as np  # noqa: E402

from ingest.vector import DIM  # noqa: E402
from recommend.index import HNSW_THRESHOLD, VectorIndex  # noqa: E402
from recommend.rank import Profile, rank  # noqa: E402
from store.models import TrackMeta  # noqa: E402
from store.recommend import VectorBatch  # noqa: E402

GENRES = [f"genre {i}" for i in range(40)]


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def library(n: int, seed: int = 0) -> tuple[VectorBatch, dict[str, np.ndarray]]:
    """n raw vectors around n/50 centres (albums) grouped under n/200 artists."""
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.05, 50, DIM).astype(np.float32)
    albums = max(1, n // 12)
    artists = max(1, n // 60)
    album_of = rng.integers(0, albums, n)
    artist_of_album = rng.integers(0, artists, albums)
    artist_centre = rng.standard_normal((artists, DIM)).astype(np.float32) * 2
    album_centre = artist_centre[artist_of_album] + rng.standard_normal((albums, DIM)).astype(
        np.float32
    )
    raw = np.empty((n, DIM), np.float32)
    for i in range(0, n, 100_000):  # in slices: bounded temporaries
        j = slice(i, min(n, i + 100_000))
        raw[j] = (
            album_centre[album_of[j]]
            + 0.7 * rng.standard_normal((raw[j].shape[0], DIM)).astype(np.float32)
        ) * scale
    meta = {
        "artist": artist_of_album[album_of],
        "album": album_of,
        "genre": rng.integers(0, len(GENRES), artists)[artist_of_album[album_of]],
        "year": 1960 + (artist_of_album[album_of] * 7 + album_of) % 60,
    }
    ids = np.arange(1, n + 1, dtype=np.int64)
    return VectorBatch(ids, np.ones(n, np.int64), raw), meta


def track_meta(tid: int, m: dict[str, np.ndarray]) -> TrackMeta:
    i = tid - 1
    artist = int(m["artist"][i])
    return TrackMeta(
        id=tid,
        artist=f"Artist {artist}",
        artist_ids=(artist,),
        album_id=int(m["album"][i]),
        album_artist_id=artist,
        genres=frozenset((GENRES[int(m["genre"][i])],)),
        year=int(m["year"][i]),
    )


def pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000


def run(n: int, queries: int) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    batch, meta = library(n)
    before = rss()
    started = time.perf_counter()
    index = VectorIndex.build(batch)
    build = time.perf_counter() - started
    grew = rss() - before
    rows.append(
        (
            f"{n:,}: index",
            f"{index.kind} ({'≤' if n <= HNSW_THRESHOLD else '>'} {HNSW_THRESHOLD:,})",
        )
    )
    rows.append((f"{n:,}: build (normalise + index, 2 threads)", f"{build:.1f} s"))
    rows.append(
        (
            f"{n:,}: memory",
            f"RSS +{grew / 2**20:,.0f} MiB; index estimate {index.memory_bytes() / 2**20:,.0f} MiB",
        )
    )

    rng = np.random.default_rng(1)
    seeds = rng.integers(1, n + 1, queries).tolist()
    _, qvecs = index.vectors(seeds)
    faiss.omp_set_num_threads(1)
    search_only, full = [], []
    for tid, q in zip(seeds, qvecs, strict=True):
        t0 = time.perf_counter()
        hits = index.search(q, 200, exclude={tid})
        t1 = time.perf_counter()
        seed_meta = track_meta(tid, meta)
        metas = {t: track_meta(t, meta) for t, _ in hits}
        rank(Profile.of([seed_meta]), metas, dict(hits), {}, 20, exclude={tid},
             exclude_albums={seed_meta.album_id})  # fmt: skip
        t2 = time.perf_counter()
        search_only.append(t1 - t0)
        full.append(t2 - t0)
    rows.append(
        (
            f"{n:,}: query, 1 FAISS thread: search (k=200)",
            f"p50 {pct(search_only, 50):.2f} ms, p99 {pct(search_only, 99):.2f} ms",
        )
    )
    rows.append(
        (
            f"{n:,}: query, 1 FAISS thread: search + re-rank (top 20)",
            f"p50 {pct(full, 50):.2f} ms, p99 {pct(full, 99):.2f} ms",
        )
    )
    faiss.omp_set_num_threads(2)
    two = []
    for tid, q in zip(seeds, qvecs, strict=True):
        t0 = time.perf_counter()
        index.search(q, 200, exclude={tid})
        two.append(time.perf_counter() - t0)
    rows.append(
        (
            f"{n:,}: search with 2 FAISS threads",
            f"p50 {pct(two, 50):.2f} ms, p99 {pct(two, 99):.2f} ms",
        )
    )
    faiss.omp_set_num_threads(1)
    if index.kind == "hnsw":
        exact = VectorIndex.build(batch, kind="flat")
        flat, recall = [], []
        for tid, q in zip(seeds, qvecs, strict=True):
            t0 = time.perf_counter()
            truth = exact.search(q, 200, exclude={tid})
            flat.append(time.perf_counter() - t0)
            got = {t for t, _ in index.search(q, 200, exclude={tid})[:50]}
            recall.append(len(got & {t for t, _ in truth[:50]}) / 50)
        rows.append(
            (
                f"{n:,}: exact search (IndexFlatIP) for comparison",
                f"p50 {pct(flat, 50):.2f} ms, p99 {pct(flat, 99):.2f} ms",
            )
        )
        rows.append((f"{n:,}: HNSW recall@50 vs exact", f"{np.mean(recall):.3f}"))
        del exact
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    print(
        f"dim {DIM}, faiss {faiss.__version__}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}"
    )
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        rows += run(n, args.queries)
        print(f"  ... {n:,} done", file=sys.stderr)
    width = max(len(r[0]) for r in rows)
    print(f"| {'measurement':<{width}} | result |")
    print(f"|{'-' * (width + 2)}|--------|")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")
    print(f"load after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
