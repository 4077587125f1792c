"""Fencing against a real PostgreSQL: a deposed primary can never commit."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from store.cluster import ClusterStore, Fenced, check_fence
from store.ingest import IngestStore
from store.scans import ScanStore


async def test_terms_only_grow(pool: asyncpg.Pool) -> None:
    store = ClusterStore(pool)
    assert await store.claim(100, "a")
    assert not await store.claim(50, "b")  # an older term cannot come back
    assert not await store.claim(100, "b")
    assert await store.claim(101, "c")
    assert await store.term() == (101, "c")
    assert await store.claim_next("standalone") == 102


async def test_writes_of_an_old_term_are_refused(pool: asyncpg.Pool) -> None:
    clusters, ingest = ClusterStore(pool), IngestStore(pool)
    await clusters.claim(10, "old")
    ids = await ingest.sync_libraries(10, ["/music"])
    scan = await ScanStore(pool).start("test")
    await clusters.create_shards(10, scan.id, [(ids["/music"], [b""], [], 0)])
    [shard] = await clusters.shards(scan.id)
    await clusters.assign(10, [(shard.id, "worker")])

    await clusters.claim(11, "new")  # a new primary takes over

    with pytest.raises(Fenced):
        await ingest.write_batch(10, shard.id, "worker", ids["/music"], [], {})
    with pytest.raises(Fenced):
        await ingest.finish_shard(10, shard.id, "worker", ids["/music"], [], {})
    with pytest.raises(Fenced):
        await clusters.assign(10, [(shard.id, "other")])
    with pytest.raises(Fenced):
        await ingest.prune(10)
    # The new term writes fine.
    await ingest.finish_shard(11, shard.id, "worker", ids["/music"], [], {"found": 0})
    assert (await clusters.shard(shard.id)).state == "done"  # type: ignore[union-attr]


async def test_a_claim_waits_for_a_write_in_flight(pool: asyncpg.Pool) -> None:
    """The term row is held FOR SHARE by a write: a new claim cannot slip in between the
    check and the commit; once the claim lands, the old term is over."""
    clusters = ClusterStore(pool)
    await clusters.claim(20, "old")
    async with pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await check_fence(conn, 20)
        claim = asyncio.create_task(clusters.claim(21, "new"))
        await asyncio.sleep(0.3)
        assert not claim.done()  # blocked behind the write
        await tx.commit()
    assert await claim
    async with pool.acquire() as conn, conn.transaction():
        with pytest.raises(Fenced):
            await check_fence(conn, 20)
