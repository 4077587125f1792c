"""Write-path benchmark: the CPU a scanned track costs after it is parsed.

    .venv/bin/python bench/ingest_write.py [--tracks N] [--repeat K]

bench/scan.py measures a whole scan, where four processes share the cores and a shared VM's
noise moves the figures by ±10%. This one isolates what our code adds on top of mutagen:
pickling a parsed track across the process pool, and writing it (IngestStore.write_batch,
as the primary's writer does, in batches of ingest.scanner.WRITE_BATCH) into a fresh,
migrated embedded PostgreSQL. The tracks are synthetic, shaped like bench/scan.py's library
(10 tracks an album, 3 albums an artist, one genre, an embedded cover per album). CPU times
are per track: this process's (thread time of the event loop thread) and PostgreSQL's
(postmaster and backends, from /proc). Each row is the median of K fresh databases.
"""

from __future__ import annotations

import argparse
import asyncio
import pickle
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.database import fresh_database  # noqa: E402
from bench.scan import process_cpu  # noqa: E402
from ingest.scanner import CHUNK, WRITE_BATCH  # noqa: E402
from ingest.tags import Picture, TrackTags  # noqa: E402
from store.cluster import ClusterStore  # noqa: E402
from store.ingest import CoverSource, IngestStore, TrackWrite  # noqa: E402
from store.scans import ScanStore  # noqa: E402

GENRES = ("Rock", "Jazz", "Electronic", "Folk", "Hip-Hop", "Classical", "Ambient", "Soul")


def synthetic(n: int) -> list[TrackWrite]:
    out = []
    for i in range(n):
        album, artist = i // 10, i // 30
        path = f"Artist {artist:05}/Album {album:05}/{i % 10 + 1:02} Song {i:06}.flac".encode()
        sha1 = f"{album:040x}"
        tags = TrackTags(
            title=f"Song {i:06}", artists=(f"Artist {artist:05}",), album=f"Album {album:05}",
            album_artists=(f"Artist {artist:05}",), track_no=i % 10 + 1, track_total=10,
            disc_no=None, disc_total=None, year=1960 + album % 60, date=f"{1960 + album % 60}",
            genres=(GENRES[artist % len(GENRES)],), compilation=False, duration=201.5,
            bitrate=900_000, sample_rate=44100, channels=2, format="flac", mime="audio/flac",
            mb_recording_id=None, mb_track_id=None, mb_album_id=None, mb_release_group_id=None,
            mb_artist_ids=(), mb_album_artist_ids=(), rg_track_gain=None, rg_track_peak=None,
            rg_album_gain=None, rg_album_peak=None, picture=Picture(sha1, "image/jpeg"),
        )  # fmt: skip
        cover = CoverSource(sha1, "image/jpeg", "embedded", path)
        out.append(TrackWrite(path, 30_000_000, 1_700_000_000_000_000_000 + i, tags, cover, cover))
    return out


def pg_cpu(pg_pid: int) -> float:
    """CPU seconds so far of PostgreSQL: the postmaster and its backends."""
    return sum(used for pid, ppid, used in process_cpu() if pg_pid in (pid, ppid))


def pickling(tracks: list[TrackWrite]) -> tuple[float, float]:
    """µs per track to pickle (worker side) and unpickle (main process) the parse results,
    in chunks as the process pool sends them."""
    chunks = [tracks[i : i + CHUNK] for i in range(0, len(tracks), CHUNK)]
    t0 = time.process_time()
    blobs = [pickle.dumps(c, pickle.HIGHEST_PROTOCOL) for c in chunks]
    t1 = time.process_time()
    for b in blobs:
        pickle.loads(b)
    t2 = time.process_time()
    return (t1 - t0) / len(tracks) * 1e6, (t2 - t1) / len(tracks) * 1e6


async def write_once(tracks: list[TrackWrite]) -> tuple[float, float, float]:
    """(wall s, main CPU s, PostgreSQL CPU s) to write all tracks into a fresh database."""
    async with fresh_database() as (pool, server):
        clusters, ingest = ClusterStore(pool), IngestStore(pool)
        epoch = await clusters.claim_next("bench")
        ids = await ingest.sync_libraries(epoch, ["/music"])
        scan = await ScanStore(pool).start("bench")
        await clusters.create_shards(epoch, scan.id, [(ids["/music"], [b""], [], 0)])
        [shard] = await clusters.shards(scan.id)
        await clusters.assign(epoch, [(shard.id, "bench")])
        pg_pid = server.get_pid()
        pg0, cpu0, wall0 = pg_cpu(pg_pid), time.thread_time(), time.perf_counter()
        for i in range(0, len(tracks), WRITE_BATCH):
            batch = tracks[i : i + WRITE_BATCH]
            await ingest.write_batch(epoch, shard.id, "bench", ids["/music"], batch, {})
        wall, cpu = time.perf_counter() - wall0, time.thread_time() - cpu0
        return wall, cpu, pg_cpu(pg_pid) - pg0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tracks", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tracks = synthetic(args.tracks)
    pickled = [pickling(tracks) for _ in range(args.repeat)]
    dump, load = (statistics.median(p[k] for p in pickled) for k in range(2))
    runs = [asyncio.run(write_once(tracks)) for _ in range(args.repeat)]
    n = args.tracks
    wall, main_cpu, pg = (statistics.median(r[k] for r in runs) for k in range(3))
    print(f"{n:,} synthetic tracks, batches of {WRITE_BATCH}, median of {args.repeat}\n")
    print(f"{'step':<40}{'µs per track':>14}")
    print("-" * 54)
    for name, us in (
        ("pickle (worker side)", dump),
        ("unpickle (main process)", load),
        ("write_batch: main process CPU", main_cpu / n * 1e6),
        ("write_batch: PostgreSQL CPU", pg / n * 1e6),
        ("write_batch: wall", wall / n * 1e6),
    ):
        print(f"{name:<40}{us:>14.1f}")


if __name__ == "__main__":
    main()
