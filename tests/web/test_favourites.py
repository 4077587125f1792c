"""Favourites in the web UI, as a user makes them: the player bar's heart for the playing
track, an album's heart on its page, the Favourites page, the track menu, and taking them
back. The server's state (/api/v1/me/favourites) is checked, not only the page."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.web.conftest import Server, shot
from tests.web.test_e2e import open_album, sign_in, wait_now

Page = Any  # playwright.async_api.Page, imported lazily by the fixtures


async def favourites(
    server: Server, token: str, kind: str, check: Callable[[list[str]], bool]
) -> list[str]:
    """The names of the user's favourites of a kind once `check(names)` holds (the server
    hears of a click a moment after the page shows it)."""
    for _ in range(50):
        items = server.api(f"/api/v1/me/favourites/{kind}", token=token)["items"]
        names = [item.get("title") or item["name"] for item in items]
        if check(names):
            return names
        await asyncio.sleep(0.1)
    raise AssertionError(f"{kind}: {names}")


async def pressed(locator: Any, value: bool) -> None:
    await locator.and_(locator.page.locator(f"[aria-pressed={str(value).lower()}]")).wait_for()


async def test_favourite_from_the_player_bar_and_an_album_page(page: Page, server: Server) -> None:
    name, password = server.add_user("liker")
    token = server.login(name, password)
    await sign_in(page, server, name, password)

    # The playing track: the player bar's heart.
    await open_album(page, "Night Drive")
    await page.get_by_test_id("play-album").click()
    await wait_now(page, "Headlights")
    heart = page.get_by_test_id("favourite-track")
    await pressed(heart, False)
    await heart.click()
    await pressed(heart, True)
    assert await favourites(server, token, "tracks", lambda n: n == ["Headlights"])

    # The same track's menu on the album page knows it.
    row = page.get_by_test_id("track-row").filter(has_text="Headlights")
    await row.get_by_text("Headlights").click(button="right")
    await page.get_by_role("menuitem", name="Remove from favourites").wait_for()
    await page.keyboard.press("Escape")
    await page.get_by_role("menuitem", name="Remove from favourites").wait_for(state="hidden")

    # The album's own heart.
    album_heart = page.get_by_test_id("favourite-album")
    await pressed(album_heart, False)
    await album_heart.click()
    await pressed(album_heart, True)
    await shot(page, "favourites-album")
    assert await favourites(server, token, "albums", lambda n: n == ["Night Drive"])
    album_id = next(
        a["id"]
        for a in server.api("/api/v1/albums?limit=100", token=token)["items"]
        if a["title"] == "Night Drive"
    )
    album = server.api(f"/api/v1/albums/{album_id}", token=token)
    assert album["favourite"] is True
    assert {t["title"]: t["favourite"] for t in album["tracks"]} == {
        "Headlights": True,
        "Overpass": False,
        "Neon Rain": False,
    }
    # Another user's view of the same album is their own.
    assert server.api(f"/api/v1/albums/{album_id}")["favourite"] is False

    # A reload: the hearts come from the server.
    await page.reload()
    await pressed(page.get_by_test_id("favourite-album"), True)
    await pressed(page.get_by_test_id("favourite-track"), True)

    # The Favourites page, from the sidebar: the track, then the album.
    await page.get_by_role("link", name="Favourites").click()
    await page.get_by_role("heading", name="Favourites").wait_for()
    rows = page.get_by_test_id("track-row")
    await rows.filter(has_text="Headlights").wait_for()
    assert await rows.count() == 1
    await page.get_by_role("tab", name="Albums").click()
    cards = page.get_by_test_id("album-card")
    await cards.filter(has_text="Night Drive").wait_for()
    assert await cards.count() == 1
    await shot(page, "favourites")

    # Unfavourite the track from its menu on the Favourites page: it leaves the list, and
    # the player bar's heart empties with it.
    await page.get_by_role("tab", name="Tracks").click()
    await rows.filter(has_text="Headlights").get_by_text("Headlights").click(button="right")
    await page.get_by_role("menuitem", name="Remove from favourites").click()
    await page.get_by_text("No favourite tracks yet").wait_for()
    await pressed(page.get_by_test_id("favourite-track"), False)
    assert await favourites(server, token, "tracks", lambda n: n == []) == []

    # L favourites the playing track, and again takes it back.
    await page.get_by_role("heading", name="Favourites").click()
    await page.keyboard.press("l")
    await pressed(page.get_by_test_id("favourite-track"), True)
    await rows.filter(has_text="Headlights").wait_for()  # the page follows
    assert await favourites(server, token, "tracks", lambda n: n == ["Headlights"])
    await page.keyboard.press("l")
    await pressed(page.get_by_test_id("favourite-track"), False)
    assert await favourites(server, token, "tracks", lambda n: n == []) == []

    # Unfavourite the album on its page: the Favourites page has no albums left.
    await open_album(page, "Night Drive")
    await page.get_by_test_id("favourite-album").click()
    await pressed(page.get_by_test_id("favourite-album"), False)
    assert await favourites(server, token, "albums", lambda n: n == []) == []
    await page.get_by_role("link", name="Favourites").click()
    await page.get_by_role("tab", name="Albums").click()
    await page.get_by_text("No favourite albums yet").wait_for()
