"""Finishing touches a Feishin/Navidrome/Spotify user expects, driven in Chromium: a drop on an
empty queue plays, an open playlist shows what was dropped on it, rebindable shortcuts that
follow the user (/api/v1/me/settings), the full keyboard help, and a track's Info and Download."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import unquote

from tests.web.conftest import Server
from tests.web.test_e2e import open_album, sign_in, wait_now
from tests.web.test_queue_dnd import open_queue
from tests.web.test_shortcuts import current_title, server_state

Page = Any  # playwright.async_api.Page, imported lazily by the fixtures


async def test_a_drop_on_an_empty_queue_plays_the_album(page: Page, server: Server) -> None:
    name, password = server.add_user("emptydropper")
    token = server.login(name, password)
    await sign_in(page, server, name, password)
    await open_queue(page)
    panel = page.get_by_test_id("queue-panel")

    await page.get_by_role("link", name="Albums").first.click()
    await page.locator("[data-testid=album-card]", has_text="Low Tide").first.drag_to(panel)
    await wait_now(page, "Driftwood")
    state = await server_state(server, token, lambda s: current_title(s) == "Driftwood")
    assert state["context"]["type"] == "album"
    assert [t["title"] for t in state["next_tracks"]][:2] == ["Salt", "Lighthouse"]
    assert state["queue"] == []
    await page.get_by_text("Playing “Low Tide”").wait_for()

    # Now something plays: a drop appends.
    await open_album(page, "Paper Suns")
    await page.get_by_test_id("track-row").filter(has_text="Ember").drag_to(panel)
    state = await server_state(server, token, lambda s: len(s["queue"]) == 1)
    assert state["queue"][0]["track"]["title"] == "Ember"
    assert current_title(state) == "Driftwood"


async def test_an_open_playlist_shows_what_is_dropped_on_it(page: Page, server: Server) -> None:
    name, password = server.add_user("playlistwatcher")
    token = server.login(name, password)
    kite = _track_id(server, "Kite")
    playlist = server.api(
        "/api/v1/playlists", {"name": "Evening", "track_ids": [kite]}, token=token
    )
    await sign_in(page, server, name, password)
    target = page.get_by_test_id("sidebar-playlist").filter(has_text="Evening")
    await target.click()
    rows = page.get_by_test_id("track-row")
    await rows.first.wait_for()
    assert await rows.count() == 1

    # A row of the open playlist dropped on its own sidebar entry: shown at once, no reload.
    await rows.first.drag_to(target)
    await page.get_by_text("Added “Kite” to Evening").wait_for()
    await _rows(rows, 2)

    # The track menu's "Add to playlist" while the playlist itself is shown.
    await rows.first.get_by_test_id("track-menu").click()
    await page.get_by_role("menuitem", name="Evening").click()
    await _rows(rows, 3)
    tracks = server.api(f"/api/v1/playlists/{playlist['id']}", token=token)["tracks"]
    assert [t["id"] for t in tracks] == [kite, kite, kite]


async def _rows(rows: Any, count: int) -> None:
    for _ in range(100):
        if await rows.count() == count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(await rows.count())


def _track_id(server: Server, title: str) -> int:
    found = server.api(f"/api/v1/tracks?q={title}")["items"]
    return int(next(t["id"] for t in found if t["title"] == title))


async def help_open(page: Page) -> bool:
    await asyncio.sleep(0.3)
    return bool(await page.get_by_test_id("shortcut-help").is_visible())


async def test_rebind_a_shortcut_and_it_follows_the_user(page: Page, server: Server) -> None:
    name, password = server.add_user("rebinder")
    token = server.login(name, password)
    await sign_in(page, server, name, password)
    await page.get_by_role("link", name="Settings").first.click()
    row = page.locator("[data-testid=shortcut-settings] [data-shortcut=help]")
    await row.get_by_test_id("shortcut-record").click()
    await page.get_by_text("Press a key").wait_for()
    await page.keyboard.press("h")
    await row.get_by_text("H", exact=True).wait_for()

    # A key another action has is refused, naming that action.
    fav = page.locator("[data-testid=shortcut-settings] [data-shortcut=favourite]")
    await fav.get_by_test_id("shortcut-record").click()
    await page.keyboard.press("Shift+C")
    conflict = page.get_by_test_id("shortcut-conflict")
    assert "already used for “Go to the playing album”" in await conflict.inner_text()
    await conflict.get_by_role("button", name="Keep it as it was").click()

    for _ in range(50):
        saved = server.api("/api/v1/me/settings", token=token)["shortcuts"]
        if saved:
            break
        await asyncio.sleep(0.1)
    assert saved == {"help": "H"}

    await page.get_by_role("heading", name="Settings", exact=True).click()
    await page.keyboard.press("Shift+?")
    assert not await help_open(page)
    await page.keyboard.press("h")
    assert await help_open(page)
    await page.keyboard.press("Escape")

    # After a reload (its settings come from the server), still H, still not ?.
    await page.evaluate("localStorage.removeItem('tonearm.settings')")
    await page.reload()
    await page.get_by_role("link", name="Home").wait_for()
    await (
        page.locator("[data-testid=shortcut-settings] [data-shortcut=help]")
        .get_by_text("H", exact=True)
        .wait_for()
    )
    await page.get_by_role("heading", name="Settings", exact=True).click()
    await page.keyboard.press("Shift+?")
    assert not await help_open(page)
    await page.keyboard.press("h")
    assert await help_open(page)
    help_text = await page.get_by_test_id("shortcut-help").inner_text()
    # The queue's keys are listed, with what they do.
    for text in (
        "Queue: remove the selected tracks",
        "Delete",
        "Backspace",
        "Queue: select every track shown",
        "Ctrl",
        "Queue: clear the selection",
        "Escape",
        "Add the playing track to favourites, or remove it",
    ):
        assert text in help_text, (text, help_text)
    await page.keyboard.press("Escape")

    # Reset all: ? is help again.
    await page.get_by_test_id("shortcut-reset-all").click()
    for _ in range(50):
        if server.api("/api/v1/me/settings", token=token)["shortcuts"] == {}:
            break
        await asyncio.sleep(0.1)
    assert server.api("/api/v1/me/settings", token=token)["shortcuts"] == {}


async def test_track_info_and_download(page: Page, server: Server) -> None:
    await sign_in(page, server)
    await open_album(page, "Night Drive")
    row = page.get_by_test_id("track-row").filter(has_text="Headlights")

    await row.get_by_test_id("track-menu").click()
    await page.get_by_role("menuitem", name="Info").click()
    info = page.get_by_test_id("track-info")
    await info.wait_for()
    text = await info.inner_text()
    assert "FLAC" in text, text
    assert "Aurora Lane/Night Drive/01 Headlights.flac" in text, text
    assert "Sample rate" in text and "22.05 kHz" in text, text
    await page.keyboard.press("Escape")
    await info.wait_for(state="hidden")
    # A click in the dialog did not start the row playing.
    assert await page.get_by_test_id("now-title").count() == 0 or (
        await page.get_by_test_id("now-title").inner_text() != "Headlights"
    )

    await row.get_by_test_id("track-menu").click()
    link = page.get_by_role("menuitem", name="Download")
    href = await link.get_attribute("href")
    assert href.endswith("/stream?download=1"), href
    async with page.expect_download() as event:
        await link.click()
    download = await event.value
    assert download.suggested_filename == "01 Headlights.flac"
    resp = await page.request.get(server.url + href, headers={"Range": "bytes=0-3"})
    assert resp.status == 206
    disposition = resp.headers["content-disposition"]
    assert disposition.startswith("attachment;"), disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "01 Headlights.flac"
    assert await resp.body() == b"fLaC"
