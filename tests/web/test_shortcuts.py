"""The player from the keyboard and the mouse, as a user drives it: double-clicking a track row,
Space, the arrows (Previous restarting a track a few seconds in), volume, Shift+C, Mod+K, and
the help dialog. The server's play state (/api/v1/me/player) is checked, not only the page."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.web.conftest import Server
from tests.web.test_e2e import AUDIO, current_time, open_album, sign_in, wait_now, wait_playing

Page = Any  # playwright.async_api.Page, imported lazily by the fixtures


async def server_state(server: Server, token: str, check: Any) -> dict[str, Any]:
    """The user's play state once `check(state)` holds (it follows the page a little later)."""
    for _ in range(50):
        state: dict[str, Any] = server.api("/api/v1/me/player", token=token)
        if check(state):
            return state
        await asyncio.sleep(0.1)
    raise AssertionError(state)


def current_title(state: dict[str, Any]) -> str | None:
    title = (state.get("current") or {}).get("track", {}).get("title")
    return str(title) if title is not None else None


async def test_double_click_and_the_keyboard_drive_the_player(page: Page, server: Server) -> None:
    name, password = server.add_user("keyboardist")
    token = server.login(name, password)
    await sign_in(page, server, name, password)

    # Double-clicking a row plays it with the album queued after it.
    await open_album(page, "Night Drive")
    await (
        page.get_by_test_id("track-row")
        .filter(has_text="Overpass")
        .get_by_text("Overpass")
        .dblclick()
    )
    await wait_now(page, "Overpass")
    await wait_playing(page, past=0.1)
    state = await server_state(server, token, lambda s: current_title(s) == "Overpass")
    assert state["context"]["type"] == "album"
    assert [t["title"] for t in state["next_tracks"]][:1] == ["Neon Rain"]
    assert await page.title() == "Overpass - Aurora Lane"

    # Outside a text field, Space pauses and plays (and the server hears of it).
    await page.get_by_test_id("page-title").click()
    await page.keyboard.press(" ")
    await page.wait_for_function(f"{AUDIO}.paused")
    await server_state(server, token, lambda s: s["playing"] is False)
    await page.keyboard.press(" ")
    await wait_playing(page, past=0.1)
    await server_state(server, token, lambda s: s["playing"] is True)

    # → is the next track.
    await page.keyboard.press("ArrowRight")
    await wait_now(page, "Neon Rain")
    await server_state(server, token, lambda s: current_title(s) == "Neon Rain")

    # ← a few seconds in restarts the track; pressed again at once, it goes back.
    await page.wait_for_function(f"{AUDIO}.currentTime > 3.2")
    await page.keyboard.press("ArrowLeft")
    await page.wait_for_function(f"{AUDIO}.currentTime < 1.5")
    assert await page.get_by_test_id("now-title").inner_text() == "Neon Rain"
    assert await current_time(page) < 2
    await page.keyboard.press("ArrowLeft")
    await wait_now(page, "Overpass")
    await server_state(server, token, lambda s: current_title(s) == "Overpass")

    # = turns it up by ten.
    slider = page.get_by_role("slider", name="Volume")
    before = int(await slider.get_attribute("aria-valuenow"))
    await page.keyboard.press("=")
    assert int(await slider.get_attribute("aria-valuenow")) == min(100, before + 10)

    # Shift+C, from anywhere, opens the playing album.
    await page.get_by_role("link", name="Home").first.click()
    await page.get_by_test_id("album-card").first.wait_for()
    await page.keyboard.press("Shift+C")
    await page.get_by_test_id("page-title").filter(has_text="Night Drive").wait_for()

    # Shift+? lists the shortcuts.
    await page.keyboard.press("Shift+?")
    help_ = page.get_by_test_id("shortcut-help")
    await help_.wait_for()
    text = await help_.inner_text()
    for what in ("Play / pause", "Search", "Go to the playing album", "Volume up / down"):
        assert what in text, text
    await page.keyboard.press("Escape")
    await help_.wait_for(state="hidden")


async def test_mod_k_focuses_the_search_field(page: Page, server: Server) -> None:
    await sign_in(page, server)
    await page.get_by_test_id("album-card").first.wait_for()
    await page.keyboard.press("ControlOrMeta+K")
    await page.wait_for_url("**/search")
    field = page.get_by_role("textbox", name="Search")
    await page.wait_for_function("document.activeElement?.getAttribute('aria-label') === 'Search'")
    await page.keyboard.type("Kite")
    assert await field.input_value() == "Kite"
    await page.get_by_test_id("track-row").filter(has_text="Kite").first.wait_for()

    # Already on the search page, with the focus elsewhere: back into the field, text selected,
    # so typing starts a new search.
    await page.get_by_role("heading", name="Search", exact=True).click()
    await page.wait_for_function("document.activeElement?.getAttribute('aria-label') !== 'Search'")
    await page.keyboard.press("ControlOrMeta+K")
    await page.wait_for_function("document.activeElement?.getAttribute('aria-label') === 'Search'")
    await page.keyboard.type("Ember")
    assert await field.input_value() == "Ember"
    await page.get_by_test_id("track-row").filter(has_text="Ember").first.wait_for()


async def test_right_click_on_a_track_opens_its_menu(page: Page, server: Server) -> None:
    name, password = server.add_user("rightclicker")
    token = server.login(name, password)
    await sign_in(page, server, name, password)
    await open_album(page, "Field Notes")
    await (
        page.get_by_test_id("track-row")
        .filter(has_text="Fencepost")
        .get_by_text("Fencepost")
        .click(button="right")
    )
    await page.get_by_role("menuitem", name="Add to queue").click()
    state = await server_state(server, token, lambda s: len(s["queue"]) == 1)
    assert state["queue"][0]["track"]["title"] == "Fencepost"
    await page.get_by_role("menuitem", name="Add to queue").wait_for(state="hidden")


async def focused_card(page: Page) -> tuple[str | None, str | None]:
    """(the region of the focused card, its title)."""
    region, title = await page.evaluate(
        """(() => {
            const el = document.activeElement;
            if (!el?.closest('[data-card-row]')) return [null, null];
            return [el.closest('section')?.getAttribute('aria-label') ?? null,
                    el.getAttribute('aria-label')];
        })()"""
    )
    return region, title


async def test_arrow_keys_move_between_home_cards(page: Page, server: Server) -> None:
    # Something paused is loaded: ←/→ on a card must not change it.
    albums = server.api("/api/v1/albums?limit=100")["items"]
    signals = next(a for a in albums if a["title"] == "Signals")
    server.api("/api/v1/me/player/play", {"context": {"type": "album", "id": signals["id"]}})
    server.api("/api/v1/me/player", {"playing": False}, method="PUT")
    await sign_in(page, server)
    await wait_now(page, "Carrier")

    added = [a["title"] for a in server.api("/api/v1/me/home?limit=30")["recently_added_albums"]]
    row = page.get_by_role("region", name="Recently added")
    await row.get_by_test_id("album-card").first.wait_for()
    cols = await row.get_by_test_id("album-card").count()
    assert 1 < cols < len(added), (cols, added)  # more than a page: → turns it

    await row.get_by_test_id("album-card").first.get_by_role("link").first.focus()
    assert await focused_card(page) == ("Recently added", added[0])
    await page.keyboard.press("ArrowRight")
    assert await focused_card(page) == ("Recently added", added[1])
    await page.keyboard.press("ArrowLeft")
    await page.keyboard.press("ArrowLeft")  # at the edge: stays, and no "previous track"
    assert await focused_card(page) == ("Recently added", added[0])
    for _ in range(cols):
        await page.keyboard.press("ArrowRight")
    await page.wait_for_function(
        f"document.activeElement?.getAttribute('aria-label') === {added[cols]!r}"
    )
    assert await focused_card(page) == ("Recently added", added[cols])
    await page.keyboard.press("End")
    assert await focused_card(page) == ("Recently added", added[-1])
    await page.keyboard.press("Home")
    await page.wait_for_function(
        f"document.activeElement?.getAttribute('aria-label') === {added[0]!r}"
    )

    # ↑ goes to the row above, ↓ back.
    above = await page.evaluate(
        """(() => {
            const rows = [...document.querySelectorAll('[data-card-row]')];
            const here = rows.findIndex((r) => r.closest('section')?.getAttribute('aria-label') === 'Recently added');
            const row = rows[here - 1];
            return [row.closest('section').getAttribute('aria-label'),
                    row.querySelector('a[aria-label]').getAttribute('aria-label')];
        })()"""
    )
    await page.keyboard.press("ArrowUp")
    assert await focused_card(page) == tuple(above)
    await page.keyboard.press("ArrowDown")
    assert await focused_card(page) == ("Recently added", added[0])

    # None of it touched the player.
    assert await page.get_by_test_id("now-title").inner_text() == "Carrier"
    state = await server_state(server, server.token, lambda s: True)
    assert current_title(state) == "Carrier"

    # Enter opens the focused card.
    await page.keyboard.press("Enter")
    await page.get_by_test_id("page-title").filter(has_text=added[0]).wait_for()
