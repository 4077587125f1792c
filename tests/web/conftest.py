"""Browser fixtures: a real `tonearm serve` on a generated library, and Debian's Chromium
driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.conftest import _with_db
from tests.web.library import build

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist" / "index.html"
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = os.environ.get("TONEARM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
ADMIN = ("admin", "a long password")


def _missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (make setup installs Debian's chromium)"
    if not DIST.exists():
        return "web/dist is not built (make setup builds it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (make setup installs it)"
    return None


@pytest.fixture(scope="session", autouse=True)
def _browser_prerequisites() -> None:
    reason = _missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def call(
    base: str, path: str, body: Any = None, token: str | None = None, method: str | None = None
) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as resp:
        text = resp.read()
        return json.loads(text) if text else None


@dataclass(frozen=True)
class Server:
    url: str
    token: str
    albums: dict[str, list[str]]

    def api(
        self, path: str, body: Any = None, method: str | None = None, token: str | None = None
    ) -> Any:
        return call(self.url, path, body, token or self.token, method)

    def add_user(self, name: str, password: str = "another long password") -> tuple[str, str]:
        self.api("/api/v1/users", {"name": name, "password": password})
        return name, password

    def login(self, name: str, password: str) -> str:
        """A bearer token of that user's own, for checking their state through the API."""
        return str(self.api("/api/v1/auth/login", {"name": name, "password": password})["token"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _sql(pg_url: str, statement: str) -> None:
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="module")
async def web_db(pg_url: str) -> AsyncIterator[str]:
    name = f"web_{uuid.uuid4().hex[:10]}"
    await _sql(pg_url, f"CREATE DATABASE {name}")
    yield _with_db(pg_url, name)
    await _sql(pg_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="module")
def server(web_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("web")
    roots = [tmp / "music" / "disk1", tmp / "music" / "disk2"]
    for r in roots:
        r.mkdir(parents=True)
    albums = build(roots, tmp / "covers")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONEARM_")} | {
        "TONEARM_DATABASE_URL": web_db,
        "TONEARM_LIBRARY": os.pathsep.join(map(str, roots)),
        "TONEARM_DATA_DIR": str(tmp / "data"),
        "TONEARM_HOST": "127.0.0.1",
        "TONEARM_PORT": str(port),
        "TONEARM_ENRICHMENT": "false",
        "TONEARM_SCAN_INTERVAL": "0",
        "TONEARM_LOG_LEVEL": "WARNING",
    }
    log = (tmp / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tonearm", "serve"], env=env, stderr=log, stdout=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if call(base, "/readyz")["status"] == "ready":
                    break
            except OSError:
                pass
            assert proc.poll() is None, (tmp / "serve.log").read_text()
            assert time.monotonic() < deadline, "server did not become ready"
            time.sleep(0.2)
        token = call(base, "/api/v1/auth/setup", {"name": ADMIN[0], "password": ADMIN[1]})["token"]
        for _ in range(300):
            state = call(base, "/api/v1/scan", token=token)
            if state["state"] == "idle" and state["last"]:
                break
            time.sleep(0.1)
        assert call(base, "/api/v1/albums", token=token)["total"] == len(albums)
        # The admin has some history (the home page's recent rows) and likes it dark.
        tracks = call(base, "/api/v1/tracks?limit=100", token=token)["items"]
        for track in tracks[::2]:
            listen = {"track_id": track["id"], "ms_played": 3000,
                      "context": {"type": "album", "id": track["album_id"]}}  # fmt: skip
            call(base, "/api/v1/me/listens", listen, token=token)
        call(base, "/api/v1/me/settings", {"theme": "dark"}, token=token, method="PUT")
        yield Server(base, token, albums)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
            log.close()


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    # Never let Playwright fetch a browser of its own.
    os.environ["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    async with async_playwright() as p:
        chromium = await p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


@contextlib.asynccontextmanager
async def new_page(browser: Any, width: int, height: int, who: str) -> AsyncIterator[Any]:
    """A page in a browser context of its own (own cookies, own storage); an uncaught error
    in it fails the test."""
    context = await browser.new_context(
        viewport={"width": width, "height": height}, device_scale_factor=1
    )
    context.set_default_timeout(15_000)
    pg = await context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    await context.close()
    assert not errors, f"uncaught errors in {who}: {errors}"


@pytest.fixture
async def page(browser: Any) -> AsyncIterator[Any]:
    async with new_page(browser, 1440, 900, "the page") as pg:
        yield pg


async def shot(page: Any, name: str) -> Path:
    """Save a screenshot under tests/web/artifacts (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path))
    return path


def copy_to_docs(path: Path) -> None:
    """With TONEARM_UPDATE_SCREENSHOTS=1, refresh the README's screenshots too."""
    if os.environ.get("TONEARM_UPDATE_SCREENSHOTS"):
        docs = ROOT / "docs" / "screenshots"
        docs.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, docs / path.name)
