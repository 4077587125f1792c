"""Batch writes of ingested tracks, as the primary's writer does them, under two kinds of role:
one that may skip the per-row foreign-key checks (the embedded default is a superuser) and
one that may not (a managed PostgreSQL). Both must write the same catalogue."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from ingest.parse import Job, parse_chunk
from store.cluster import ClusterStore
from store.db import connect
from store.ingest import IngestStore, TrackWrite
from store.scans import ScanStore
from tests.audio import make_track

PLAIN_ROLE = "tonearm_plain"


@pytest.fixture
async def plain_url(db_url: str, pool: asyncpg.Pool) -> str:
    """The test database as a role with table privileges only."""
    await pool.execute(
        f"""DO $$ BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PLAIN_ROLE}') THEN
                CREATE ROLE {PLAIN_ROLE} LOGIN PASSWORD 'plain';
              END IF;
            END $$;
            GRANT ALL ON ALL TABLES IN SCHEMA public TO {PLAIN_ROLE};
            GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {PLAIN_ROLE};"""
    )
    parts = urlsplit(db_url)
    netloc = f"{PLAIN_ROLE}:plain@{parts.netloc.rpartition('@')[2]}"
    return urlunsplit(parts._replace(netloc=netloc))


def _writes(tmp_path: Path) -> list[TrackWrite]:
    for n, (artist, album) in enumerate([("Ana", "One"), ("Ana", "One"), ("Bo & Cy", "Two")]):
        make_track(
            tmp_path / f"{n}.flac", "flac", title=f"T{n}", artists=artist.split(" & "), album=album
        )
    jobs = [Job(f"{n}.flac".encode(), 1, 1, None) for n in range(3)]
    out = parse_chunk(str(tmp_path).encode(), jobs)
    assert all(isinstance(w, TrackWrite) for w in out)
    return out  # type: ignore[return-value]


async def _write(
    pool: asyncpg.Pool, writes: list[TrackWrite]
) -> tuple[bool, list[tuple[object, ...]]]:
    clusters, ingest = ClusterStore(pool), IngestStore(pool)
    epoch = await clusters.claim_next("me")
    ids = await ingest.sync_libraries(epoch, ["/music"])
    scan = await ScanStore(pool).start("test")
    await clusters.create_shards(epoch, scan.id, [(ids["/music"], [b""], [], 0)])
    [shard] = await clusters.shards(scan.id)
    await clusters.assign(epoch, [(shard.id, "me")])
    await ingest.write_batch(epoch, shard.id, "me", ids["/music"], writes, {})
    await ingest.write_batch(epoch, shard.id, "me", ids["/music"], writes[:1], {})  # again
    rows = await pool.fetch(
        """SELECT t.title, al.title AS album, ar.name, ta.position
           FROM tracks t JOIN albums al ON al.id = t.album_id
           JOIN track_artists ta ON ta.track_id = t.id JOIN artists ar ON ar.id = ta.artist_id
           ORDER BY t.title, ta.position"""
    )
    async with pool.acquire() as conn:
        skipped = await ingest._may_skip_fk_checks(conn)
    return skipped, [tuple(r) for r in rows]


EXPECTED = [
    ("T0", "One", "Ana", 0),
    ("T1", "One", "Ana", 0),
    ("T2", "Two", "Bo", 0),
    ("T2", "Two", "Cy", 1),
]


async def test_a_superuser_skips_the_checks_and_writes_the_catalogue(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    skipped, rows = await _write(pool, _writes(tmp_path))
    assert skipped
    assert rows == EXPECTED
    # Replica mode ended with the transaction: the checks hold again for everyone else.
    with pytest.raises(asyncpg.ForeignKeyViolationError):
        await pool.execute("INSERT INTO track_artists VALUES (1, 999999, 5)")


async def test_a_plain_role_keeps_the_checks_and_writes_the_same(
    plain_url: str, tmp_path: Path
) -> None:
    plain = await connect(plain_url, min_size=1, max_size=2)
    try:
        skipped, rows = await _write(plain, _writes(tmp_path))
    finally:
        await plain.close()
    assert not skipped
    assert rows == EXPECTED


async def test_a_rewritten_track_has_its_artist_links_replaced(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    writes = _writes(tmp_path)
    await _write(pool, writes)
    t2 = writes[2]
    retagged = t2._replace(tags=t2.tags._replace(artists=("Dee", "Bo")))
    _, rows = await _write(pool, [writes[0], retagged])
    assert rows == [*EXPECTED[:2], ("T2", "Two", "Dee", 0), ("T2", "Two", "Bo", 1)]


async def test_two_spellings_of_one_artist_are_one_link(pool: asyncpg.Pool, tmp_path: Path) -> None:
    writes = _writes(tmp_path)
    t0 = writes[0]
    both = t0._replace(tags=t0.tags._replace(artists=("Beyoncé", "BEYONCE", "Ana")))
    _, rows = await _write(pool, [both])
    assert [r for r in rows if r[0] == "T0"] == [
        ("T0", "One", "Beyoncé", 0),
        ("T0", "One", "Ana", 1),
    ]


async def test_a_batch_of_new_and_known_tracks_writes_both(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    writes = _writes(tmp_path)
    await _write(pool, writes[:1])  # T0 known, T1 and T2 new: the upsert path takes all three
    _, rows = await _write(pool, writes)
    assert rows == EXPECTED
    assert await pool.fetchval("SELECT count(*) FROM tracks") == 3
