"""API fixtures: a signed-in admin and a scanned three-root library."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import TestClient

from api.app import create_app
from api.context import SERVICES
from tests.audio import make_jpeg, make_track
from tonearm.config import Config

PASSWORD = "correct horse battery"


Client = TestClient  # type: ignore[type-arg]
MakeClient = Callable[[Config], Awaitable[Client]]


@pytest.fixture
async def make_client(aiohttp_client: Any, pool: asyncpg.Pool) -> AsyncIterator[MakeClient]:
    """Test clients of apps made from the configs a test chooses (the `client` fixture's
    app has the default one)."""
    made: list[Client] = []

    async def make(config: Config) -> Client:
        client: Client = await aiohttp_client(create_app(config, pool, background=False))
        made.append(client)
        return client

    yield make
    for client in made:  # before `pool` closes: an app with sockets open holds a LISTEN
        await client.close()


@pytest.fixture
async def replica(make_client: MakeClient, config: Config) -> Client:
    """A second app on the same database: another replica, or the server after a restart."""
    return await make_client(config)


@pytest.fixture
async def admin(client: TestClient) -> dict[str, str]:  # type: ignore[type-arg]
    resp = await client.post("/api/v1/auth/setup", json={"name": "admin", "password": PASSWORD})
    assert resp.status == 201, await resp.text()
    body = await resp.json()
    client.session.cookie_jar.clear()  # tests choose bearer or cookie explicitly
    return {"Authorization": f"Bearer {body['token']}"}


@pytest.fixture
def music(library: list[Path]) -> dict[str, Path]:
    """Real files in several formats over three roots."""
    a, b, c = library
    art = make_jpeg(40, 30, (180, 20, 20))
    files = {
        "angel": make_track(a / "Massive Attack" / "Mezzanine" / "01 Angel.flac", title="Angel",
                            artists=["Massive Attack"], album="Mezzanine", track="1/3", date="1998",
                            genres=["Trip-Hop"], picture=art, seconds=2.0),
        "risingson": make_track(a / "Massive Attack" / "Mezzanine" / "02 Risingson.mp3",
                                title="Risingson", artists=["Massive Attack"], album="Mezzanine",
                                track="2/3", date="1998", picture=art),
        "teardrop": make_track(a / "Massive Attack" / "Mezzanine" / "03 Teardrop.ogg",
                               title="Teardrop", artists=["Massive Attack", "Elizabeth Fraser"],
                               album="Mezzanine", album_artist="Massive Attack", track="3/3",
                               date="1998"),
        "joga": make_track(b / "Björk" / "Homogenic" / "Jóga.m4a", title="Jóga", artists=["Björk"],
                           album="Homogenic", track="2", date="1997"),
        "glory": make_track(c / "Portishead" / "Dummy" / "Glory Box.opus", title="Glory Box",
                            artists=["Portishead"], album="Dummy", track="11", date="1994"),
    }  # fmt: skip
    return files


async def rescan(
    client: TestClient,  # type: ignore[type-arg]
    then: Callable[[asyncpg.Pool], Awaitable[Any]] | None = None,
) -> None:
    """One scan through the app's own cluster and scan service, as a server runs it; `then`
    runs while the service still does (e.g. waiting for the analysis after the scan)."""
    services = client.app[SERVICES]
    await services.cluster.start()
    await services.scanner.start(scan_now=False)
    try:
        scan = await services.scanner.run_once("test")
        assert scan.state == "done", scan
        if then is not None:
            await then(services.pool)
    finally:
        await services.scanner.stop()
        await services.cluster.stop()


@pytest.fixture
async def scanned(client: TestClient, music: dict[str, Path]) -> dict[str, Path]:  # type: ignore[type-arg]
    await rescan(client)
    return music


async def get_json(client: TestClient, url: str, headers: dict[str, str], status: int = 200) -> Any:  # type: ignore[type-arg]
    resp = await client.get(url, headers=headers)
    assert resp.status == status, await resp.text()
    return await resp.json()
