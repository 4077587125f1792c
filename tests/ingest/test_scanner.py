"""The scanner against real files and a real PostgreSQL: several roots, incremental rescans,
deletions, offline drives, nested and duplicate roots, and files that must be skipped."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from cluster.standalone import Standalone
from ingest.service import ScanService
from store.cluster import ClusterStore
from tests.audio import corrupt_file, make_jpeg, make_track

Scan = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
async def scanner(pool: asyncpg.Pool) -> AsyncIterator[Scan]:
    """scan(roots, full=False) → the finished scan's progress, through the real service
    on a cluster of one."""
    cluster = Standalone(ClusterStore(pool), "test-node", "http://127.0.0.1:1", "test")
    await cluster.start()
    services: list[ScanService] = []

    async def scan(roots: Sequence[Path | str], full: bool = False) -> dict[str, Any]:
        service = ScanService(pool, cluster, [str(r) for r in roots], workers=2, interval=0)
        services.append(service)
        await service.start(scan_now=False)
        try:
            result = await service.run_once("test", full=full)
        finally:
            await service.stop()
        assert result.state == "done", result
        return dict(result.progress)

    yield scan
    await cluster.stop()


async def titles(pool: asyncpg.Pool) -> set[str]:
    return {r[0] for r in await pool.fetch("SELECT title FROM tracks")}


async def statuses(pool: asyncpg.Pool) -> dict[str, tuple[str, str | None]]:
    rows = await pool.fetch("SELECT path, status, status_reason FROM libraries")
    return {r[0]: (r[1], r[2]) for r in rows}


async def test_multi_root_scan_groups_albums_and_artists(
    scanner: Scan, pool: asyncpg.Pool, library: list[Path]
) -> None:
    a, b, c = library
    make_track(
        a / "Massive Attack" / "Mezzanine" / "01.flac",
        title="Angel",
        artists=["Massive Attack"],
        album="Mezzanine",
        track="1/11",
        date="1998",
    )
    make_track(
        a / "Massive Attack" / "Mezzanine" / "02.mp3",
        title="Risingson",
        artists=["Massive Attack"],
        album="Mezzanine",
        track="2/11",
        date="1998",
    )
    # The same album split over two drives is still one album.
    make_track(
        b / "mezz-disc-2" / "03.ogg",
        title="Teardrop",
        artists=["Massive Attack", "Elizabeth Fraser"],
        album="Mezzanine",
        album_artist="Massive Attack",
        track="3/11",
    )
    # A compilation: many artists, one album.
    for i, artist in enumerate(["Björk", "Portishead", "Tricky"], 1):
        make_track(c / "Trip" / f"{i}.m4a", title=f"Song {i}", artists=[artist], album="Trip Hop Gems",
                   album_artist="Various Artists", compilation=True, track=str(i))  # fmt: skip

    progress = await scanner(library)

    assert (progress["found"], progress["added"], progress["failed"]) == (6, 6, 0)
    albums = await pool.fetch("SELECT title, album_artist, compilation FROM albums ORDER BY title")
    assert [tuple(r) for r in albums] == [
        ("Mezzanine", "Massive Attack", False),
        ("Trip Hop Gems", "Various Artists", True),
    ]
    teardrop = await pool.fetchval(
        """SELECT array_agg(a.name ORDER BY ta.position) FROM tracks t
           JOIN track_artists ta ON ta.track_id = t.id JOIN artists a ON a.id = ta.artist_id
           WHERE t.title = 'Teardrop'"""
    )
    assert teardrop == ["Massive Attack", "Elizabeth Fraser"]
    assert {s for s, _ in (await statuses(pool)).values()} == {"online"}


async def test_rescan_is_incremental_and_sees_changes_and_deletions(
    scanner: Scan, pool: asyncpg.Pool, library: list[Path]
) -> None:
    a = library[0]
    keep = make_track(a / "x" / "keep.mp3", title="Keep")
    change = make_track(a / "x" / "change.flac", title="Before")
    gone = make_track(a / "x" / "gone.ogg", title="Gone")
    await scanner(library)
    ids_before = dict(await pool.fetch("SELECT title, id FROM tracks"))

    second = await scanner(library)
    assert (second["unchanged"], second["to_parse"], second["added"], second["updated"]) == (
        3,
        0,
        0,
        0,
    )

    make_track(change, title="After")
    os.utime(change, ns=(1, 1_700_000_000_000_000_000))
    gone.unlink()
    make_track(a / "x" / "new.wav", title="New")
    third = await scanner(library)

    assert (third["unchanged"], third["added"], third["updated"], third["removed"]) == (1, 1, 1, 1)
    assert await titles(pool) == {"Keep", "After", "New"}
    ids_after = dict(await pool.fetch("SELECT title, id FROM tracks"))
    assert ids_after["Keep"] == ids_before["Keep"]
    assert ids_after["After"] == ids_before["Before"]  # an edited file keeps its id
    assert keep.exists()


async def test_full_rescan_rereads_everything(
    scanner: Scan, pool: asyncpg.Pool, library: list[Path]
) -> None:
    make_track(library[0] / "a.mp3", title="A")
    await scanner(library)
    again = await scanner(library, full=True)
    assert (again["to_parse"], again["updated"], again["unchanged"]) == (1, 1, 0)


async def test_vanished_and_unmounted_roots_keep_their_tracks(
    scanner: Scan, pool: asyncpg.Pool, library: list[Path]
) -> None:
    a, b, c = library
    make_track(a / "one.mp3", title="On A")
    make_track(b / "two.mp3", title="On B")
    make_track(c / "three.mp3", title="On C")
    await scanner(library)

    shutil.rmtree(a)  # the drive is gone, mount point and all
    for f in b.iterdir():  # the mount point is there but empty: the drive is not mounted
        f.unlink()
    progress = await scanner(library)

    assert progress["removed"] == 0
    assert await titles(pool) == {"On A", "On B", "On C"}
    s = await statuses(pool)
    assert s[str(a)] == ("offline", "missing")
    assert s[str(b)][0] == "offline" and "mounted" in (s[str(b)][1] or "")
    assert s[str(c)] == ("online", None)

    # Back online: nothing is re-added twice, the status recovers.
    make_track(b / "two.mp3", title="On B")
    a.mkdir()
    make_track(a / "one.mp3", title="On A")
    await scanner(library)
    assert {st for st, _ in (await statuses(pool)).values()} == {"online"}
    assert await pool.fetchval("SELECT count(*) FROM tracks") == 3


async def test_unreadable_folder_keeps_its_tracks(
    scanner: Scan, pool: asyncpg.Pool, library: list[Path]
) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can read any folder")
    a = library[0]
    make_track(a / "locked" / "t.mp3", title="Locked")
    await scanner(library)
    (a / "locked").chmod(0)
    try:
        progress = await scanner(library)
    finally:
        (a / "locked").chmod(0o755)
    assert progress["removed"] == 0
    assert await titles(pool) == {"Locked"}


async def test_bad_files_are_skipped_and_counted(
    scanner: Scan, pool: asyncpg.Pool, library: list[Path]
) -> None:
    a = library[0]
    make_track(a / "good.mp3", title="Good")
    corrupt_file(a / "corrupt.flac")
    (a / "empty.mp3").write_bytes(b"")
    (a / "notes.txt").write_text("not music")
    # A symlink loop: the walk must neither hang nor count files twice.
    (a / "loop").mkdir()
    (a / "loop" / "again").symlink_to(a)
    # A file name that is not valid UTF-8.
    raw = os.path.join(os.fsencode(a), b"caf\xe9.mp3")
    shutil.copy(a / "good.mp3", raw)

    progress = await scanner(library)

    assert progress["failed"] == 1  # corrupt.flac
    assert progress["skipped"] >= 2  # empty.mp3 and the loop
    assert progress["added"] == 2  # good.mp3 and café.mp3
    paths = {bytes(r[0]) for r in await pool.fetch("SELECT rel_path FROM tracks")}
    assert paths == {b"good.mp3", b"caf\xe9.mp3"}


async def test_nested_and_duplicate_roots_are_scanned_once(
    scanner: Scan, pool: asyncpg.Pool, tmp_path: Path
) -> None:
    outer = tmp_path / "music"
    inner = outer / "classical"
    make_track(outer / "pop.mp3", title="Pop")
    make_track(inner / "bach.mp3", title="Bach")
    alias = tmp_path / "alias"
    alias.symlink_to(outer)

    progress = await scanner([outer, inner, alias])

    assert progress["added"] == 2
    rows = await pool.fetch(
        "SELECT l.path, t.title FROM tracks t JOIN libraries l ON l.id = t.library_id"
    )
    assert {(r[0], r[1]) for r in rows} == {(str(outer), "Pop"), (str(inner), "Bach")}
    s = await statuses(pool)
    assert "same folder" in (s[str(alias)][1] or "")


async def test_folder_and_embedded_covers_are_stored_once(
    scanner: Scan, pool: asyncpg.Pool, library: list[Path]
) -> None:
    a = library[0]
    art = make_jpeg(32, 32, (10, 200, 10))
    for i in range(3):  # three tracks with the same embedded picture
        make_track(a / "emb" / f"{i}.mp3", album="Embedded", artists=["X"], picture=art)
    (a / "folder").mkdir()
    (a / "folder" / "cover.jpg").write_bytes(make_jpeg(16, 16, (0, 0, 250)))
    make_track(a / "folder" / "1.flac", album="Folder Art", artists=["Y"])

    await scanner(library)

    covers = await pool.fetch("SELECT kind, mime FROM covers ORDER BY kind")
    assert [tuple(r) for r in covers] == [("embedded", "image/jpeg"), ("file", "image/jpeg")]
    assert await pool.fetchval("SELECT count(*) FROM albums WHERE cover_id IS NULL") == 0
