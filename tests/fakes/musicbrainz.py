"""A local stand-in for MusicBrainz WS/2 and the Cover Art Archive, answering in their
real JSON shapes (fields as the services document and send them), and recording when
each request arrived so tests can check the client's rate."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.audio import make_jpeg


@dataclass
class FakeRelease:
    title: str
    artist: str
    genres: list[str] = field(default_factory=list)
    date: str = "1998-04-20"
    mbid: str = field(default_factory=lambda: str(uuid.uuid4()))
    group_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    front: bool = True


def release_json(r: FakeRelease) -> dict[str, Any]:
    """A release as `GET /ws/2/release/{mbid}?inc=genres+tags+release-groups&fmt=json`."""
    return {
        "id": r.mbid,
        "title": r.title,
        "status": "Official",
        "status-id": "4e304316-386d-3409-af2e-78857eec5cfe",
        "date": r.date,
        "country": "GB",
        "barcode": "",
        "packaging": None,
        "quality": "normal",
        "text-representation": {"language": "eng", "script": "Latn"},
        "cover-art-archive": {"artwork": r.front, "count": int(r.front), "front": r.front, "back": False, "darkened": False},
        "release-group": {
            "id": r.group_id,
            "title": r.title,
            "primary-type": "Album",
            "primary-type-id": "f529b476-6e62-324f-b0aa-1f3e33d313fc",
            "secondary-types": [],
            "first-release-date": r.date,
            "disambiguation": "",
            "genres": [{"name": g, "count": 3, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, g)), "disambiguation": ""} for g in r.genres],
            "tags": [{"name": g, "count": 3} for g in r.genres],
        },
        "genres": [{"name": g, "count": 5 - i, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, g)), "disambiguation": ""} for i, g in enumerate(r.genres)],
        "tags": [{"name": g.lower(), "count": 2} for g in r.genres],
    }  # fmt: skip


def search_json(r: FakeRelease | None) -> dict[str, Any]:
    """`GET /ws/2/release/?query=…&fmt=json`: scored results, no genres."""
    releases = []
    if r is not None:
        releases.append(
            {
                "id": r.mbid,
                "score": 100,
                "count": 1,
                "title": r.title,
                "status-id": "4e304316-386d-3409-af2e-78857eec5cfe",
                "status": "Official",
                "artist-credit": [{"name": r.artist, "artist": {"id": str(uuid.uuid4()), "name": r.artist, "sort-name": r.artist}}],
                "release-group": {"id": r.group_id, "type-id": "f529b476-6e62-324f-b0aa-1f3e33d313fc", "primary-type": "Album", "title": r.title},
                "date": r.date,
                "track-count": 10,
            }
        )  # fmt: skip
    return {
        "created": "2026-11-24T00:00:00.000Z",
        "count": len(releases),
        "offset": 0,
        "releases": releases,
    }


class FakeMusicBrainz:
    def __init__(self) -> None:
        self.releases: dict[str, FakeRelease] = {}
        self.requests: list[tuple[float, str]] = []  # (monotonic time, path + query)
        self.user_agents: set[str] = set()
        self.fail_next_503 = 0
        self.cover = make_jpeg(50, 50, (0, 120, 240))

    def add(self, release: FakeRelease) -> FakeRelease:
        self.releases[release.mbid] = release
        return release

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/ws/2/release/", self._search)
        app.router.add_get("/ws/2/release/{mbid}", self._lookup)
        app.router.add_get("/release/{mbid}/front-500", self._front)
        app.router.add_get("/caa/{mbid}.jpg", self._image)
        return app

    def _record(self, request: web.Request) -> web.Response | None:
        self.requests.append((time.monotonic(), request.path_qs))
        self.user_agents.add(request.headers.get("User-Agent", ""))
        if self.fail_next_503 > 0:
            self.fail_next_503 -= 1
            return web.json_response(
                {"error": "Your requests are exceeding the allowable rate limit."},
                status=503,
                headers={"Retry-After": "1"},
            )
        return None

    async def _lookup(self, request: web.Request) -> web.Response:
        if (busy := self._record(request)) is not None:
            return busy
        found = self.releases.get(request.match_info["mbid"])
        if found is None:
            return web.json_response(
                {
                    "error": "Not Found",
                    "help": "For usage, please see: https://musicbrainz.org/development/mmd",
                },
                status=404,
            )
        return web.json_response(release_json(found))

    async def _search(self, request: web.Request) -> web.Response:
        if (busy := self._record(request)) is not None:
            return busy
        query = request.query.get("query", "").lower()
        match = next(
            (r for r in self.releases.values() if f'release:"{r.title.lower()}"' in query), None
        )
        return web.json_response(search_json(match))

    async def _front(self, request: web.Request) -> web.Response:
        if (busy := self._record(request)) is not None:
            return busy
        found = self.releases.get(request.match_info["mbid"])
        if found is None or not found.front:
            return web.Response(status=404, text="No cover art found for release")
        # The real archive redirects to the image on its storage host.
        raise web.HTTPTemporaryRedirect(f"/caa/{found.mbid}.jpg")

    async def _image(self, request: web.Request) -> web.Response:
        return web.Response(body=self.cover, content_type="image/jpeg")

    def gaps(self, path_prefix: str = "") -> list[float]:
        times = [t for t, p in self.requests if p.startswith(path_prefix)]
        return [b - a for a, b in itertools.pairwise(times)]


class FakeServerThread:
    """Run the fake in a thread of its own, for tests driving real processes."""

    def __init__(self, fake: FakeMusicBrainz) -> None:
        self.fake = fake
        self.loop = asyncio.new_event_loop()
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> FakeServerThread:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(10)
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.fake.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    def __exit__(self, *_: object) -> None:
        assert self._runner is not None
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
