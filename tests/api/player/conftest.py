"""Player fixtures: a library with two albums by one artist, a third in the same genre,
and one apart on its own disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.audio import make_track

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def music(library: list[Path]) -> dict[str, Path]:
    """Overrides the API suite's `music`, so its `scanned` scans this library."""
    a, b, _ = library
    files: dict[str, Path] = {}
    albums = [
        (a, "Massive Attack", "Mezzanine", "1998", "Trip-Hop",
         ["Angel", "Risingson", "Teardrop", "Inertia Creeps"]),
        (a, "Massive Attack", "Protection", "1994", "Trip-Hop", ["Protection", "Karmacoma"]),
        (a, "Portishead", "Dummy", "1994", "Trip-Hop", ["Mysterons", "Glory Box"]),
        (b, "Björk", "Homogenic", "1997", "Electronic", ["Jóga"]),
    ]  # fmt: skip
    for root, artist, album, year, genre, titles in albums:
        for n, title in enumerate(titles, 1):
            files[title] = make_track(
                root / artist / album / f"{n:02d} {title}.mp3",
                title=title,
                artists=[artist],
                album=album,
                track=f"{n}/{len(titles)}",
                date=year,
                genres=[genre],
            )
    return files


async def call(
    client: Client,
    method: str,
    url: str,
    headers: dict[str, str],
    body: Any = None,
    status: int = 200,
) -> Any:
    resp = await client.request(method, url, json=body, headers=headers)
    assert resp.status == status, await resp.text()
    return await resp.json()


@pytest.fixture
async def catalog(
    client: Client, admin: dict[str, str], scanned: dict[str, Path]
) -> dict[str, int]:
    """Track ids by title, and album ids as "album:<title>"."""
    tracks = await call(client, "GET", "/api/v1/tracks?limit=100", admin)
    albums = await call(client, "GET", "/api/v1/albums?limit=100", admin)
    return {t["title"]: t["id"] for t in tracks["items"]} | {
        f"album:{a['title']}": a["id"] for a in albums["items"]
    }
