"""The queue panel's filter and multi-row selection, and dragging albums and tracks onto a
sidebar playlist and onto the queue, as a user does it in Chromium; the result is checked in
the server's state (/api/v1/me/player, /api/v1/playlists/{id}), not only on the page."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.web.conftest import Server
from tests.web.test_e2e import open_album, sign_in, wait_now
from tests.web.test_shortcuts import current_title, server_state

Page = Any  # playwright.async_api.Page, imported lazily by the fixtures

ENTRY = "[data-testid=queue-entry]"


def track_id(server: Server, title: str) -> int:
    found = server.api(f"/api/v1/tracks?q={title}")["items"]
    return int(next(t["id"] for t in found if t["title"] == title))


def queue_titles(state: dict[str, Any]) -> list[str]:
    return [e["track"]["title"] for e in state["queue"]]


async def wait_queue(server: Server, token: str, expected: list[str]) -> dict[str, Any]:
    """The user's play state once the server's queue holds `expected` (titles, in order)."""
    try:
        return await server_state(server, token, lambda s: queue_titles(s) == expected)
    except AssertionError as exc:
        raise AssertionError(f"queue {queue_titles(exc.args[0])}, expected {expected}") from None


async def user_with_queue(server: Server, name: str, titles: list[str]) -> tuple[str, str, str]:
    """A new user whose personal queue holds `titles`; (name, password, token)."""
    user, password = server.add_user(name)
    token = server.login(user, password)
    for title in titles:
        body = {"track_id": track_id(server, title), "mode": "last"}
        server.api("/api/v1/me/player/queue", body, token=token)
    return user, password, token


async def shown_titles(page: Page) -> list[str]:
    return list(
        await page.eval_on_selector_all(
            ENTRY, "rows => rows.map(r => r.querySelector('p').innerText)"
        )
    )


async def wait_shown(page: Page, expected: list[str]) -> None:
    for _ in range(100):
        if await shown_titles(page) == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(await shown_titles(page))


async def open_queue(page: Page) -> None:
    await page.get_by_test_id("queue-toggle").click()
    await page.get_by_test_id("queue-panel").wait_for()


async def test_filter_the_queue_and_act_on_filtered_entries(page: Page, server: Server) -> None:
    titles = ["Headlights", "Kite", "Driftwood", "Ember", "Salt"]
    name, password, token = await user_with_queue(server, "filterer", titles)
    await sign_in(page, server, name, password)
    await open_queue(page)
    await wait_shown(page, titles)

    # Accents and case do not matter, as in the server's search; only matches are shown.
    field = page.get_by_role("textbox", name="Filter the queue")
    await field.fill("MARRÓW")
    await wait_shown(page, ["Kite", "Ember"])
    hint = page.get_by_test_id("queue-filter-hint")
    assert "Clear the filter to reorder by dragging" in await hint.inner_text()

    # Remove acts on the entry shown, wherever it is in the queue.
    entries = page.get_by_test_id("queue-entry")
    await entries.filter(has_text="Ember").get_by_test_id("queue-remove").click()
    await wait_queue(server, token, ["Headlights", "Kite", "Driftwood", "Salt"])
    await wait_shown(page, ["Kite"])

    # Play: the filtered entry (second in the queue) plays now, the rest stay queued.
    await entries.filter(has_text="Kite").get_by_test_id("queue-entry-menu").click()
    await page.get_by_role("menuitem", name="Play", exact=True).click()
    await wait_now(page, "Kite")
    state = await server_state(server, token, lambda s: current_title(s) == "Kite")
    assert queue_titles(state) == ["Headlights", "Driftwood", "Salt"]

    # Play next on an entry shown first but third in the queue: offered, and moves it.
    await field.fill("salt")
    await wait_shown(page, ["Salt"])
    await entries.filter(has_text="Salt").get_by_test_id("queue-entry-menu").click()
    await page.get_by_role("menuitem", name="Play next").click()
    await wait_queue(server, token, ["Salt", "Headlights", "Driftwood"])

    # Escape clears the filter and the whole queue is back, reorderable again.
    await field.press("Escape")
    assert await field.input_value() == ""
    await wait_shown(page, ["Salt", "Headlights", "Driftwood"])
    assert await hint.count() == 0

    # The clear button does the same.
    await field.fill("nothing like this")
    await page.get_by_text("No queued track matches").wait_for()
    await page.get_by_role("button", name="Clear the filter").click()
    await wait_shown(page, ["Salt", "Headlights", "Driftwood"])


async def drag_row(page: Page, source: Any, target: Any) -> None:
    """Drag `source` by the pointer (dnd-kit) until it sits on top of `target`."""
    box = await source.bounding_box()
    goal = await target.bounding_box()
    x, y = box["x"] + 60, box["y"] + box["height"] / 2
    await page.mouse.move(x, y)
    await page.mouse.down()
    await page.mouse.move(x + 4, y - 6, steps=4)
    await page.mouse.move(x + 4, goal["y"] + 4, steps=12)
    await page.mouse.up()


async def test_select_rows_and_drag_them_together(page: Page, server: Server) -> None:
    titles = ["Kite", "Ember", "Hollow", "Headlights", "Driftwood"]
    name, password, token = await user_with_queue(server, "multidragger", titles)
    await sign_in(page, server, name, password)
    await open_queue(page)
    await wait_shown(page, titles)
    entries = page.get_by_test_id("queue-entry")

    # Click selects one row, Ctrl+click adds another; the selection is shown.
    await entries.filter(has_text="Headlights").click()
    await entries.filter(has_text="Driftwood").click(modifiers=["ControlOrMeta"])
    selected = await page.eval_on_selector_all(
        ENTRY, "rows => rows.map(r => r.hasAttribute('data-selected'))"
    )
    assert selected == [False, False, False, True, True]

    # Dragging one of them to the top takes both, in their order; the server agrees.
    await drag_row(page, entries.filter(has_text="Driftwood"), entries.first)
    expected = ["Headlights", "Driftwood", "Kite", "Ember", "Hollow"]
    await wait_queue(server, token, expected)
    await wait_shown(page, expected)

    # Shift+click selects a range; Delete removes it.
    await entries.filter(has_text="Kite").click()
    await entries.filter(has_text="Hollow").click(modifiers=["Shift"])
    await page.get_by_test_id("queue-remove-selected").filter(has_text="Remove 3").wait_for()
    await page.keyboard.press("Delete")
    await wait_queue(server, token, ["Headlights", "Driftwood"])
    await wait_shown(page, ["Headlights", "Driftwood"])


async def test_drag_an_album_and_a_track_onto_a_sidebar_playlist(
    page: Page, server: Server
) -> None:
    name, password = server.add_user("playlister")
    token = server.login(name, password)
    playlist = server.api("/api/v1/playlists", {"name": "Road trip"}, token=token)
    await sign_in(page, server, name, password)
    target = page.get_by_test_id("sidebar-playlist").filter(has_text="Road trip")
    await target.wait_for()

    await page.get_by_role("link", name="Albums").first.click()
    card = page.locator("[data-testid=album-card]", has_text="Night Drive").first
    await card.drag_to(target)
    await page.get_by_text("Added “Night Drive” (3 tracks) to Road trip").wait_for()
    tracks = server.api(f"/api/v1/playlists/{playlist['id']}", token=token)["tracks"]
    assert [t["title"] for t in tracks] == ["Headlights", "Overpass", "Neon Rain"]

    # A track row too, appended after the album.
    await open_album(page, "Paper Suns")
    await page.get_by_test_id("track-row").filter(has_text="Ember").drag_to(target)
    await page.get_by_text("Added “Ember” to Road trip").wait_for()
    tracks = server.api(f"/api/v1/playlists/{playlist['id']}", token=token)["tracks"]
    assert [t["title"] for t in tracks] == ["Headlights", "Overpass", "Neon Rain", "Ember"]


async def test_drag_a_track_and_an_album_onto_the_queue(page: Page, server: Server) -> None:
    name, password = server.add_user("queuedropper")
    token = server.login(name, password)
    # Something is playing, so drops append (onto an empty, idle queue they play instead:
    # tests/web/test_ui_polish.py).
    albums = server.api("/api/v1/albums?limit=100", token=token)["items"]
    signals = next(a for a in albums if a["title"] == "Signals")
    play = {"context": {"type": "album", "id": signals["id"]}}
    server.api("/api/v1/me/player/play", play, token=token)
    await sign_in(page, server, name, password)
    await open_queue(page)
    panel = page.get_by_test_id("queue-panel")

    # While a track is dragged over the panel, it lights up and says what a drop does.
    await open_album(page, "Paper Suns")
    row = page.get_by_test_id("track-row").filter(has_text="Hollow")
    await row.hover()
    await page.mouse.down()
    box = await panel.bounding_box()
    await page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=8)
    await page.get_by_test_id("queue-drop-hint").wait_for()
    assert await panel.get_attribute("data-drop-over") == "true"
    await page.mouse.up()
    await wait_queue(server, token, ["Hollow"])
    await page.get_by_text("Added “Hollow” to the queue").wait_for()
    assert await panel.get_attribute("data-drop-over") is None
    await wait_shown(page, ["Hollow"])

    # An album card: its tracks follow, in album order.
    await page.get_by_role("link", name="Albums").first.click()
    await page.locator("[data-testid=album-card]", has_text="Low Tide").first.drag_to(panel)
    await wait_queue(server, token, ["Hollow", "Driftwood", "Salt", "Lighthouse"])
    await page.get_by_text("Added “Low Tide” (3 tracks) to the queue").wait_for()
