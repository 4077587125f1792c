"""Enrichment against a local fake MusicBrainz speaking its JSON: per album, MBIDs used
directly, searches otherwise, covers for art-less albums, the rate held, 503 backed off."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
import pytest

from cluster.standalone import Standalone
from ingest.enrich.enricher import Enricher
from ingest.service import ScanService
from store.cluster import ClusterStore
from store.enrichment import EnrichmentStore
from tests.audio import make_jpeg, make_track
from tests.fakes.musicbrainz import FakeMusicBrainz, FakeRelease

RATE = 8.0  # requests per second in these tests (MusicBrainz itself: 1)


@pytest.fixture
async def fake(aiohttp_server: Any) -> tuple[FakeMusicBrainz, str]:
    mb = FakeMusicBrainz()
    server = await aiohttp_server(mb.app())
    return mb, str(server.make_url("")).rstrip("/")


async def scan_library(pool: asyncpg.Pool, root: Path) -> int:
    cluster = Standalone(ClusterStore(pool), "n", "http://127.0.0.1:1", "t")
    await cluster.start()
    service = ScanService(pool, cluster, [str(root)], workers=1, interval=0)
    await service.start(scan_now=False)
    try:
        await service.run_once("test")
    finally:
        await service.stop()
    assert cluster.view.epoch is not None
    return cluster.view.epoch


async def enrich_all(pool: asyncpg.Pool, url: str, epoch: int) -> None:
    store = EnrichmentStore(pool)
    async with aiohttp.ClientSession() as session:
        enricher = Enricher(
            store,
            session,
            base_url=url,
            coverart_url=url,
            contact="tests@example.invalid",
            rate=RATE,
        )
        for album in await store.pending(100, __import__("datetime").timedelta(0)):
            await enricher.enrich(epoch, album)


async def test_albums_are_enriched_once_each_within_the_rate(
    pool: asyncpg.Pool, tmp_path: Path, fake: tuple[FakeMusicBrainz, str]
) -> None:
    mb, url = fake
    tagged = mb.add(FakeRelease("Mezzanine", "Massive Attack", genres=["trip hop", "electronic"]))
    searched = mb.add(FakeRelease("Dummy", "Portishead", genres=["trip hop"], date="1994-08-22"))
    root = tmp_path / "music"
    for i in range(3):  # three tracks, one album: one lookup
        make_track(root / "MA" / f"{i}.mp3", album="Mezzanine", artists=["Massive Attack"],
                   mb_album_id=tagged.mbid, picture=make_jpeg(8, 8))  # fmt: skip
    make_track(root / "P" / "1.flac", album="Dummy", artists=["Portishead"])
    make_track(root / "X" / "1.ogg", album="Unknown Demos", artists=["Nobody"])
    epoch = await scan_library(pool, root)

    await enrich_all(pool, url, epoch)

    paths = [p for _, p in mb.requests]
    assert sum(p.startswith(f"/ws/2/release/{tagged.mbid}") for p in paths) == 1
    assert not any(
        "Mezzanine" in p for p in paths if p.startswith("/ws/2/release/?")
    )  # MBID used, no search
    assert sum(p.startswith("/ws/2/release/?") for p in paths) == 2  # Dummy and Unknown Demos
    rows = {r["title"]: r for r in await pool.fetch(
        """SELECT al.title, e.status, e.mbid, e.genres, e.release_date, al.cover_id IS NOT NULL AS has_cover
           FROM albums al JOIN album_enrichment e ON e.album_id = al.id""")}  # fmt: skip
    assert rows["Mezzanine"]["status"] == "found" and rows["Mezzanine"]["genres"] == [
        "trip hop",
        "electronic",
    ]
    assert (rows["Dummy"]["mbid"], rows["Dummy"]["release_date"]) == (searched.mbid, "1994-08-22")
    assert rows["Dummy"]["has_cover"]  # fetched from the (fake) Cover Art Archive
    assert rows["Unknown Demos"]["status"] == "not_found"
    assert min(mb.gaps("/ws/2/")) >= 1 / RATE - 0.02
    assert all(ua.startswith("Tonearm/") and "tests@example.invalid" in ua for ua in mb.user_agents)

    # Finished albums are not asked again.
    before = len(mb.requests)
    await enrich_all(pool, url, epoch)
    assert len(mb.requests) == before


async def test_503_is_backed_off_and_retried(
    pool: asyncpg.Pool, tmp_path: Path, fake: tuple[FakeMusicBrainz, str]
) -> None:
    mb, url = fake
    mb.add(FakeRelease("Homogenic", "Björk", genres=["art pop"]))
    make_track(tmp_path / "m" / "a.mp3", album="Homogenic", artists=["Björk"])
    epoch = await scan_library(pool, tmp_path / "m")
    mb.fail_next_503 = 1
    await enrich_all(pool, url, epoch)
    assert await pool.fetchval("SELECT status FROM album_enrichment") == "found"
    search_times = [t for t, p in mb.requests if p.startswith("/ws/2/release/?")]
    assert len(search_times) == 2 and search_times[1] - search_times[0] >= 0.9  # Retry-After: 1


async def test_an_unreachable_musicbrainz_pauses_enrichment_and_fails_no_album(
    pool: asyncpg.Pool, tmp_path: Path, aiohttp_server: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """No network (or an outage) is not the albums' fault: none is marked failed, the log
    gets a warning per pause rather than one per album, and work resumes when it is back."""
    caplog.set_level(logging.INFO, logger="ingest.enrich.enricher")
    mb = FakeMusicBrainz()
    titles = [f"Album {i}" for i in range(6)]
    for title in titles:
        mb.add(FakeRelease(title, "Someone"))
        make_track(tmp_path / "m" / title / "1.flac", album=title, artists=["Someone"])
    epoch = await scan_library(pool, tmp_path / "m")
    server = await aiohttp_server(mb.app())
    port, url = server.port, str(server.make_url("")).rstrip("/")
    await server.close()  # connection refused from here on

    store = EnrichmentStore(pool)
    async with aiohttp.ClientSession() as session:
        enricher = Enricher(
            store, session, base_url=url, coverart_url=url, contact="tests@example.invalid",
            rate=RATE, pauses=(0.2, 0.4),
        )  # fmt: skip
        task = asyncio.create_task(enricher.run(epoch))
        try:
            await asyncio.sleep(1.5)
            assert await pool.fetchval("SELECT count(*) FROM album_enrichment") == 0
            paused = [r for r in caplog.records if "MusicBrainz unreachable" in r.getMessage()]
            assert 2 <= len(paused) <= 6  # 0.2 + 0.4 + 0.4 ... s: per pause, not per album

            await aiohttp_server(mb.app(), port=port)  # back
            for _ in range(100):
                done = await pool.fetchval(
                    "SELECT count(*) FROM album_enrichment WHERE status = 'found'"
                )
                if done == len(titles):
                    break
                await asyncio.sleep(0.1)
            assert done == len(titles)
            assert any("reachable again" in r.getMessage() for r in caplog.records)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def test_the_clock_is_shared(pool: asyncpg.Pool) -> None:
    """Two enrichers (a primary and its successor) take slots from one clock."""
    store = EnrichmentStore(pool)
    waits = await asyncio.gather(*(store.take_slot("musicbrainz", 0.5) for _ in range(4)))
    assert sorted(round(w * 2) for w in waits) == [0, 1, 2, 3]


async def test_a_fetched_cover_is_served(
    pool: asyncpg.Pool,
    tmp_path: Path,
    fake: tuple[FakeMusicBrainz, str],
    aiohttp_client: Any,
    config: Any,
) -> None:
    from api.app import create_app

    mb, url = fake
    mb.add(FakeRelease("Dummy", "Portishead"))
    make_track(tmp_path / "m" / "a.mp3", album="Dummy", artists=["Portishead"])
    epoch = await scan_library(pool, tmp_path / "m")
    await enrich_all(pool, url, epoch)
    sha1 = await pool.fetchval("SELECT c.sha1 FROM albums al JOIN covers c ON c.id = al.cover_id")
    client = await aiohttp_client(create_app(config, pool, background=False))
    token = (
        await (
            await client.post(
                "/api/v1/auth/setup", json={"name": "a", "password": "a long password"}
            )
        ).json()
    )["token"]
    resp = await client.get(f"/api/v1/covers/{sha1}", headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 200
    assert await resp.read() == mb.cover
    await client.close()
