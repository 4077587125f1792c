"""GET /api/v1/covers/{id} resized, negotiated, cached; the placeholder; the error cases."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import asyncpg
import pytest
from aiohttp.test_utils import TestClient
from multidict import CIMultiDictProxy

from api.context import SERVICES
from api.cover_art import CoverArt
from tests import images
from tests.audio import make_track
from tonearm.config import Config

Client = TestClient  # type: ignore[type-arg]

SOURCES: dict[str, tuple[Callable[[], bytes], str]] = {
    "plain": (lambda: images.jpeg(400, 300), "image/jpeg"),
    "exif": (lambda: images.exif_rotated(400, 200), "image/jpeg"),
    "cmyk": (lambda: images.cmyk_jpeg(400, 300), "image/jpeg"),
    "grey": (lambda: images.grey_jpeg(400, 300), "image/jpeg"),
    "progressive": (lambda: images.progressive_jpeg(400, 300), "image/jpeg"),
    "alpha": (lambda: images.alpha_png(400, 300), "image/png"),
    "webp": (lambda: images.webp(400, 300), "image/webp"),
    "big": (images.big_jpeg, "image/jpeg"),
    "small": (lambda: images.jpeg(40, 30), "image/jpeg"),
    "corrupt": (lambda: b"\xff\xd8\xff\xe0 not really a jpeg" * 40, "image/jpeg"),
}
_EXT = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


@functools.cache
def source_bytes() -> dict[str, bytes]:
    """Made once per run: the images are the same every time."""
    return {name: make() for name, (make, _mime) in SOURCES.items()}


@pytest.fixture
def config(config: Config) -> Config:
    return replace(config, cover_workers=2)


@pytest.fixture
async def covers(pool: asyncpg.Pool, library: list[Path]) -> dict[str, str]:
    """Every awkward source as an image file in an online library, one embedded in a FLAC,
    one on an offline drive and one whose file has gone: name → cover id."""
    online = await pool.fetchval(
        "INSERT INTO libraries (path, status) VALUES ($1, 'online') RETURNING id", str(library[0])
    )
    offline = await pool.fetchval(
        "INSERT INTO libraries (path, status) VALUES ($1, 'offline') RETURNING id", str(library[1])
    )
    rows: list[tuple[str, str, str, int, bytes]] = []
    ids: dict[str, str] = {}

    def add(name: str, data: bytes, mime: str, kind: str, lib: int, rel: str) -> None:
        ids[name] = hashlib.sha1(data).hexdigest()
        rows.append((ids[name], mime, kind, lib, os.fsencode(rel)))

    for name, (_make, mime) in SOURCES.items():
        data, rel = source_bytes()[name], f"art/{name}.{_EXT[mime]}"
        (library[0] / rel).parent.mkdir(exist_ok=True)
        (library[0] / rel).write_bytes(data)
        add(name, data, mime, "file", online, rel)
    art = images.jpeg(300, 300)
    make_track(library[0] / "album" / "01.flac", title="One", picture=art)
    add("embedded", art, "image/jpeg", "embedded", online, "album/01.flac")
    add("offline", images.jpeg(64, 64), "image/jpeg", "file", offline, "x.jpg")
    add("gone", images.jpeg(65, 65), "image/jpeg", "file", online, "art/gone.jpg")
    add("changed", images.jpeg(66, 66), "image/jpeg", "file", online, "art/changed.jpg")
    (library[0] / "art/changed.jpg").write_bytes(images.jpeg(67, 67))  # edited after the scan
    await pool.executemany(
        "INSERT INTO covers (sha1, mime, kind, library_id, rel_path) VALUES ($1, $2, $3, $4, $5)",
        rows,
    )
    return ids


def art(client: Client) -> CoverArt:
    return client.app[SERVICES].cover_art


async def fetch(
    client: Client, url: str, auth: dict[str, str], status: int = 200, **headers: str
) -> tuple[bytes, CIMultiDictProxy[str]]:
    resp = await client.get(url, headers={**auth, **headers})
    body = await resp.read()
    assert resp.status == status, body[:300]
    return body, resp.headers


def size(body: bytes) -> tuple[int, int]:
    image = images.decode(body)
    return image.width, image.height


# One app per test is the slow part (~0.3 s), so each test walks a table of cases.
SIZES = [
    ("width=200", (200, 150)),
    ("height=60", (80, 60)),
    ("width=120&height=120", (120, 120)),
    ("width=120&height=120&fit=cover", (120, 120)),
    ("width=120&height=60&fit=contain", (120, 60)),
    ("width=1000", (400, 300)),  # never enlarged unless asked
    ("width=1000&upscale=1", (1000, 750)),
    ("width=1000&height=1000", (300, 300)),  # the box's shape at the source's own scale
    ("width=2048&height=10", (400, 2)),
]


async def test_sizes(client: Client, admin: dict[str, str], covers: dict[str, str]) -> None:
    for query, expected in SIZES:
        body, headers = await fetch(client, f"/api/v1/covers/{covers['plain']}?{query}", admin)
        assert size(body) == expected, query
        assert headers["Content-Type"] == "image/jpeg" and images.loader(body) == "jpeg"
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert headers["Vary"] == "Accept"
        assert headers["ETag"].startswith(f'"{covers["plain"]}-') and "W/" not in headers["ETag"]


async def test_no_size_serves_the_original_bytes(
    client: Client, admin: dict[str, str], covers: dict[str, str], library: list[Path]
) -> None:
    body, headers = await fetch(client, f"/api/v1/covers/{covers['webp']}", admin)
    assert body == (library[0] / "art/webp.webp").read_bytes()
    assert headers["Content-Type"] == "image/webp"
    assert headers["ETag"] == f'"{covers["webp"]}"'


AWKWARD = {
    "exif": (100, 200),  # stored 400×200, displayed upright as 200×400
    "cmyk": (100, 75),
    "grey": (100, 75),
    "progressive": (100, 75),
    "alpha": (100, 75),
    "webp": (100, 75),
    "big": (100, 100),
    "embedded": (100, 100),
}


async def test_awkward_sources(
    client: Client, admin: dict[str, str], covers: dict[str, str]
) -> None:
    for name, expected in AWKWARD.items():
        body, _ = await fetch(client, f"/api/v1/covers/{covers[name]}?width=100", admin)
        assert size(body) == expected, name
        decoded = images.decode(body)
        assert images.loader(body) == "jpeg" and decoded.bands == 3, name
        assert decoded.interpretation == "srgb", name
        if name == "exif":
            assert images.near(images.pixel(body, 50, 10), images.RED)  # turned upright
    assert art(client).resizes == len(AWKWARD)


NEGOTIATION = [
    ("image/avif,image/webp,image/apng,image/*,*/*;q=0.8", "", "avif"),  # a browser's <img>
    ("image/webp,*/*", "", "webp"),
    ("image/avif;q=0,image/webp", "", "webp"),
    ("image/*,*/*;q=0.8", "", "jpeg"),
    ("", "", "jpeg"),
    ("image/webp", "&format=jpeg", "jpeg"),
    ("", "&format=webp", "webp"),
    ("", "&format=png", "png"),
    ("", "&format=jpg", "jpeg"),
]


async def test_format_negotiation(
    client: Client, admin: dict[str, str], covers: dict[str, str]
) -> None:
    for accept, query, wanted in NEGOTIATION:
        expected = wanted
        if expected == "avif" and "avif" not in art(client).formats:
            expected = "webp"  # this libvips cannot write AVIF; WebP is next best
        url = f"/api/v1/covers/{covers['alpha']}?width=100{query}"
        body, headers = await fetch(client, url, admin, Accept=accept)
        assert headers["Content-Type"] == f"image/{expected}", (accept, query)
        assert images.loader(body) == {"avif": "heif"}.get(expected, expected)
        assert images.decode(body).bands == (3 if expected == "jpeg" else 4)  # alpha kept
        assert headers["Vary"] == "Accept"
        assert headers["ETag"].endswith(f'.{expected}"')


async def test_cache_hit_and_304(
    client: Client, admin: dict[str, str], covers: dict[str, str], config: Config
) -> None:
    url = f"/api/v1/covers/{covers['plain']}?width=150&height=150&fit=contain"
    first, headers = await fetch(client, url, admin)
    assert art(client).resizes == 1
    cached = list((config.data_dir / "covers").rglob(f"{covers['plain']}-*"))
    assert [p.read_bytes() for p in cached] == [first]
    again, again_headers = await fetch(client, url, admin)
    assert again == first and again_headers["ETag"] == headers["ETag"]
    assert art(client).resizes == 1  # served from the disk cache
    body, not_modified = await fetch(client, url, admin, 304, **{"If-None-Match": headers["ETag"]})
    assert body == b"" and not_modified["ETag"] == headers["ETag"]
    assert not_modified["Cache-Control"].endswith("immutable")
    listed = f'"other", W/{headers["ETag"]}'
    await fetch(client, url, admin, 304, **{"If-None-Match": listed})
    await fetch(client, url, admin, 200, **{"If-None-Match": '"other"'})
    # an equivalent request shares the entry: fit means nothing with one side
    await fetch(client, f"/api/v1/covers/{covers['plain']}?width=150", admin)
    await fetch(client, f"/api/v1/covers/{covers['plain']}?width=150&fit=contain", admin)
    assert art(client).resizes == 2


async def test_concurrent_first_requests_share_one_resize(
    client: Client, admin: dict[str, str], covers: dict[str, str], config: Config
) -> None:
    url = f"/api/v1/covers/{covers['big']}?width=300&height=300"
    responses = await asyncio.gather(*(client.get(url, headers=admin) for _ in range(8)))
    bodies = [await r.read() for r in responses]
    assert [r.status for r in responses] == [200] * 8
    assert len(set(bodies)) == 1 and size(bodies[0]) == (300, 300)
    assert art(client).resizes == 1
    [cached] = (config.data_dir / "covers").rglob(f"{covers['big']}-*")
    assert cached.read_bytes() == bodies[0]
    assert not [p for p in (config.data_dir / "covers").rglob("*.tmp")]


async def test_eviction_under_the_cap(
    client: Client, admin: dict[str, str], covers: dict[str, str], config: Config
) -> None:
    cache = art(client).cache
    url = f"/api/v1/covers/{covers['plain']}?width="
    first, _ = await fetch(client, url + "300", admin)
    cache.max_bytes = len(first) * 3  # room for about three variants
    for width in (301, 302, 303, 304):
        await fetch(client, url + str(width), admin)
    assert cache.total_bytes <= cache.max_bytes and cache.evictions >= 2
    names = {p.name for p in (config.data_dir / "covers").rglob("*.jpeg")}
    assert f"{covers['plain']}-300x0-cover.jpeg" not in names  # least recently used
    assert f"{covers['plain']}-304x0-cover.jpeg" in names
    resized = art(client).resizes
    await fetch(client, url + "304", admin)
    assert art(client).resizes == resized  # still cached
    await fetch(client, url + "300", admin)
    assert art(client).resizes == resized + 1  # evicted: resized again


BAD = [
    "width=0", "width=-1", "width=abc", "width=1.5", "width=2049", "height=99999", "width=1e3",
    "width=%EF%BC%91", "width=100&fit=stretch", "width=100&format=gif", "width=100&upscale=maybe",
    "format=webp",
]  # fmt: skip


async def test_bad_parameters(
    client: Client, admin: dict[str, str], covers: dict[str, str]
) -> None:
    for query in BAD:
        for path in (f"/api/v1/covers/{covers['plain']}", "/api/v1/covers/placeholder"):
            resp = await client.get(f"{path}?{query}", headers=admin)
            assert resp.status == 400, (path, query)
            error = (await resp.json())["error"]
            assert error["code"] == "invalid_parameter" and error["message"], (path, query)
    assert art(client).resizes == 0


async def test_unknown_and_malformed_ids(client: Client, admin: dict[str, str]) -> None:
    resp = await client.get("/api/v1/covers/" + "0" * 40 + "?width=100", headers=admin)
    assert resp.status == 404
    assert (await resp.json())["error"]["code"] == "not_found"
    resp = await client.get("/api/v1/covers/nothex?width=100", headers=admin)
    assert resp.status == 400
    assert (await resp.json())["error"]["code"] == "invalid_id"


async def test_a_corrupt_source_gets_the_placeholder(
    client: Client, admin: dict[str, str], covers: dict[str, str]
) -> None:
    url = f"/api/v1/covers/{covers['corrupt']}?width=120"
    body, headers = await fetch(client, url, admin)
    assert size(body) == (120, 120) and images.loader(body) == "jpeg"
    assert headers["X-Cover-Placeholder"] == "corrupt"
    assert headers["Cache-Control"] == "public, max-age=300"
    assert headers["ETag"].startswith('"placeholder-')
    again, _ = await fetch(client, url, admin, 304, **{"If-None-Match": headers["ETag"]})
    assert again == b""
    # the original is served as stored, undecoded
    raw, _ = await fetch(client, f"/api/v1/covers/{covers['corrupt']}", admin)
    assert raw.startswith(b"\xff\xd8\xff\xe0 not really")


async def test_an_unreachable_source_gets_the_placeholder(
    client: Client, admin: dict[str, str], covers: dict[str, str]
) -> None:
    for name, reason in (("offline", "offline"), ("gone", "missing"), ("changed", "changed")):
        body, headers = await fetch(client, f"/api/v1/covers/{covers[name]}?width=50", admin)
        assert size(body) == (50, 50)
        assert headers["X-Cover-Placeholder"] == reason
        assert "immutable" not in headers["Cache-Control"]
    assert art(client).resizes == 0
    originals = {"offline": 503, "gone": 404, "changed": 404}
    for name, status in originals.items():
        original = await client.get(f"/api/v1/covers/{covers[name]}", headers=admin)
        code = {"offline": "library_offline", "gone": "file_missing"}.get(name, "file_changed")
        assert (original.status, (await original.json())["error"]["code"]) == (status, code)


PLACEHOLDERS = [
    ("width=300", (300, 300), "jpeg"),
    ("height=80", (80, 80), "jpeg"),
    ("width=300&height=200", (300, 200), "jpeg"),
    ("", (512, 512), "jpeg"),
    ("width=64&format=webp", (64, 64), "webp"),
]


async def test_placeholder(client: Client, admin: dict[str, str]) -> None:
    for query, expected, fmt in PLACEHOLDERS:
        url = f"/api/v1/covers/placeholder?{query}"
        body, headers = await fetch(client, url, admin)
        assert size(body) == expected and images.loader(body) == fmt, query
        assert headers["Content-Type"] == f"image/{fmt}"
        assert headers["X-Cover-Placeholder"] == "no-art"
        assert headers["Cache-Control"] == "public, max-age=86400"
        again, _ = await fetch(client, url, admin)
        assert again == body
        await fetch(client, url, admin, 304, **{"If-None-Match": headers["ETag"]})


async def test_covers_need_a_session(client: Client, covers: dict[str, str]) -> None:
    for path in (f"/api/v1/covers/{covers['plain']}?width=10", "/api/v1/covers/placeholder"):
        assert (await client.get(path)).status == 401
