"""The web UI's files: index.html for page paths, immutable assets, never in place of the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from api.routes import web as web_ui

Client = TestClient  # type: ignore[type-arg]


@pytest.fixture
def dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>Tonearm</title><div id=root>")
    (root / "assets" / "index-abc123.js").write_text("console.log(1)")
    (root / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("not for you")
    monkeypatch.setattr(web_ui, "DIST", root)
    return root


async def test_pages_get_the_app(client: Client, dist: Path) -> None:
    for path in ("/", "/albums/12", "/settings", "/search?q=x"):
        resp = await client.get(path)
        assert resp.status == 200, path
        assert "<title>Tonearm</title>" in await resp.text()
        assert resp.headers["Cache-Control"] == "no-cache"
    asset = await client.get("/assets/index-abc123.js")
    assert asset.status == 200
    assert "immutable" in asset.headers["Cache-Control"]
    assert (await client.get("/favicon.svg")).headers["Cache-Control"] == "public, max-age=3600"


async def test_missing_files_and_the_api_are_not_the_app(client: Client, dist: Path) -> None:
    assert (await client.get("/assets/gone-123.js")).status == 404
    assert (await client.get("/robots.txt")).status == 404
    assert (await client.get("/../secret.txt")).status in (403, 404)
    resp = await client.get("/api/v1/no/such/thing")
    assert resp.status == 404
    assert (await resp.json())["error"]["code"] == "not_found"
    assert (await client.post("/api/v1/no/such/thing")).status == 404
    assert (await client.get("/api/v1/albums")).status == 401  # still the API, still private


async def test_without_a_build_the_page_says_what_to_do(
    client: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_ui, "DIST", tmp_path / "nothing")
    resp = await client.get("/")
    assert resp.status == 200
    assert "make setup" in await resp.text()
