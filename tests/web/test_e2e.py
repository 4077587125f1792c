"""The web UI in a real Chromium against a real `tonearm serve`: signing in, uniform cards,
playback, the queue rule, visualizers that stay where they are put, waveform, volume."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.web.conftest import ADMIN, Server, copy_to_docs, shot

Page = Any  # playwright.async_api.Page, imported lazily by the fixtures

AUDIO = "document.querySelector('audio[data-tonearm]')"


async def sign_in(
    page: Page, server: Server, name: str = ADMIN[0], password: str = ADMIN[1]
) -> None:
    await page.goto(server.url + "/")
    await page.get_by_label("User name").fill(name)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("link", name="Home").wait_for()


async def current_time(page: Page) -> float:
    return float(await page.evaluate(f"{AUDIO}.currentTime"))


async def wait_playing(page: Page, past: float = 0.4) -> None:
    """currentTime advances while the element says it is playing."""
    await page.wait_for_function(
        f"(() => {{ const a = {AUDIO}; return a && !a.paused && a.currentTime > {past}; }})()"
    )
    # The test tracks last ~6 s: if one ends between the two readings, the next starts at 0,
    # so compare two readings of the same track.
    read = f"[{AUDIO}.currentSrc, {AUDIO}.currentTime]"
    for _ in range(3):
        src, first = await page.evaluate(read)
        await asyncio.sleep(0.4)
        src_after, now = await page.evaluate(read)
        if src_after == src:
            break
    assert now > first


async def open_album(page: Page, title: str) -> None:
    await page.get_by_role("link", name="Albums").first.click()
    card = page.locator("[data-testid=album-card]", has_text=title).first
    await card.get_by_role("link").first.click()
    await page.get_by_test_id("page-title").filter(has_text=title).wait_for()


async def wait_now(page: Page, title: str) -> None:
    await page.wait_for_function(
        f"document.querySelector('[data-testid=now-title]')?.innerText === {title!r}"
    )


async def painted(page: Page, canvases_js: str) -> bool:
    return bool(
        await page.evaluate(
            f"""(() => [...{canvases_js}].some(c => {{
                  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
                  return false;
                }}))()"""
        )
    )


async def test_sign_in_and_uniform_home_cards(page: Page, server: Server) -> None:
    await page.goto(server.url + "/")
    await page.get_by_label("User name").fill("admin")
    await page.get_by_label("Password").fill("wrong password")
    await page.get_by_role("button", name="Sign in").click()
    error = await page.get_by_test_id("login-error").inner_text()
    assert "wrong user name or password" in error.lower()
    await shot(page, "sign-in")

    await sign_in(page, server)
    await page.locator("[data-testid=album-card]").first.wait_for()
    await page.locator("[data-testid=mix-card]").first.wait_for()  # "Your mixes" loads apart
    cards = "[...document.querySelectorAll('[data-testid=album-card], [data-testid=track-card], [data-testid=mix-card]')]"
    await page.wait_for_function(
        f"{cards}.every(c => {{ const i = c.querySelector('img'); return i.complete && i.naturalWidth > 0; }})"
    )
    boxes = await page.evaluate(
        f"""{cards}.map(c => {{
             const card = c.getBoundingClientRect();
             const img = c.querySelector('img').getBoundingClientRect();
             return [card.width, card.height, img.width, img.height];
           }})"""
    )
    assert len(boxes) >= 14, boxes  # rows of 7 at 1440 px: recent albums, tracks, added
    assert len({tuple(round(v, 1) for v in b) for b in boxes}) == 1, boxes  # all identical
    assert abs(boxes[0][2] - boxes[0][3]) < 0.5  # square covers
    copy_to_docs(await shot(page, "home"))

    # Settings: the libraries are online, the last scan is reported, admins may scan.
    await page.get_by_role("link", name="Settings").click()
    statuses = page.get_by_test_id("library-status")
    await statuses.first.wait_for()
    texts = {await statuses.nth(i).inner_text() for i in range(await statuses.count())}
    assert {t.lower() for t in texts} == {"online"}
    await page.get_by_test_id("scan-button").wait_for()
    await shot(page, "settings")


async def test_play_waveform_and_visualizers_survive_a_reload(page: Page, server: Server) -> None:
    await sign_in(page, server)
    await open_album(page, "Night Drive")
    await page.get_by_test_id("play-album").click()
    await wait_playing(page)
    assert await page.title() == "Headlights - Aurora Lane"
    copy_to_docs(await shot(page, "album"))

    # Turn the three visualizers on.
    await page.get_by_test_id("visualizer-menu").click()
    for widget in ("spectrum", "waveform", "scope"):
        await page.get_by_test_id(f"toggle-{widget}").click()
    await page.keyboard.press("Escape")
    for widget in ("spectrum", "waveform", "scope"):
        await page.get_by_test_id(f"visualizer-{widget}").wait_for()

    # The waveform is drawn from the server's peaks: its canvas has painted pixels.
    await page.wait_for_selector("[data-testid=waveform][data-drawn=true]")
    host = "document.querySelector('[data-testid=waveform] > div')"
    assert await painted(page, f"({host}.shadowRoot ?? {host}).querySelectorAll('canvas')")
    # The spectrum analyser and the scope hear the audio (they tap the playing graph).
    for selector in ("[data-testid=spectrum-canvas] canvas", "[data-testid=scope-canvas]"):
        for _ in range(50):
            if await painted(page, f"document.querySelectorAll({selector!r})"):
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(f"{selector} never drew")
    copy_to_docs(await shot(page, "player-visualizers"))

    # Drag the spectrum by its title bar.
    widget = page.get_by_test_id("visualizer-spectrum")
    before = await widget.bounding_box()
    handle = await page.get_by_test_id("handle-spectrum").bounding_box()
    x, y = handle["x"] + 40, handle["y"] + handle["height"] / 2
    await page.mouse.move(x, y)
    await page.mouse.down()
    await page.mouse.move(x - 300, y - 180, steps=12)
    await page.mouse.up()
    moved = await widget.bounding_box()
    assert abs(moved["x"] - (before["x"] - 300)) <= 2, (before, moved)
    assert abs(moved["y"] - (before["y"] - 180)) <= 2, (before, moved)

    # Saved on the server: after a reload it is back where it was put, still on.
    await page.wait_for_function(
        f"""fetch('/api/v1/me/settings').then(r => r.json()).then(s =>
             s.visualizers.spectrum && Math.abs(s.visualizers.spectrum.x - {moved["x"]}) <= 2)"""
    )
    await page.reload()
    await page.get_by_test_id("visualizer-spectrum").wait_for()
    again = await page.get_by_test_id("visualizer-spectrum").bounding_box()
    assert abs(again["x"] - moved["x"]) <= 2 and abs(again["y"] - moved["y"]) <= 2
    assert await page.get_by_test_id("visualizer-scope").is_visible()

    # It stays inside a window that shrinks.
    await page.set_viewport_size({"width": 700, "height": 500})
    await asyncio.sleep(0.3)
    small = await page.get_by_test_id("visualizer-spectrum").bounding_box()
    assert small["x"] >= 0 and small["x"] + small["width"] <= 701, small
    assert small["y"] >= 0 and small["y"] + small["height"] <= 501, small

    server.api("/api/v1/me/settings", {"visualizers": None}, method="PUT")  # tidy up


async def test_queue_rule_through_the_ui(page: Page, server: Server) -> None:
    name, password = server.add_user("queuer")
    await sign_in(page, server, name, password)
    await page.get_by_test_id("queue-toggle").click()

    await open_album(page, "Low Tide")
    await page.get_by_test_id("play-album").click()
    await wait_playing(page, past=0.1)
    await wait_now(page, "Driftwood")

    # Play next / add to queue: tracks of another album jump in before the album continues.
    await open_album(page, "Paper Suns")
    rows = page.get_by_test_id("track-row")
    for title, item in (("Ember", "Play next"), ("Hollow", "Add to queue")):
        await rows.filter(has_text=title).hover()
        await rows.filter(has_text=title).get_by_test_id("track-menu").click()
        await page.get_by_role("menuitem", name=item).click()
    entries = page.get_by_test_id("queue-entry")
    await page.wait_for_function(
        "document.querySelectorAll('[data-testid=queue-entry]').length === 2"
    )
    assert [await entries.nth(i).get_attribute("data-track-id") for i in range(2)] == [
        str(t["id"]) for t in _tracks(server, "Ember", "Hollow")
    ]

    # Reorder by drag: Hollow above Ember.
    grip = await entries.nth(1).locator("span").first.bounding_box()
    target = await entries.nth(0).bounding_box()
    await page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    await page.mouse.down()
    await page.mouse.move(grip["x"] + 4, grip["y"] - 6, steps=4)
    await page.mouse.move(grip["x"] + 4, target["y"] + 4, steps=12)
    await page.mouse.up()
    await page.wait_for_function(
        "document.querySelector('[data-testid=queue-entry]').innerText.includes('Hollow')"
    )
    token = server.login(name, password)
    for _ in range(50):
        state = server.api("/api/v1/me/player", token=token)
        if [e["track"]["title"] for e in state["queue"]] == ["Hollow", "Ember"]:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError(state["queue"])

    # Remove Ember again; Hollow stays.
    await entries.filter(has_text="Ember").get_by_test_id("queue-remove").click()
    await page.wait_for_function(
        "document.querySelectorAll('[data-testid=queue-entry]').length === 1"
    )

    # Driftwood ends by itself → the queued track plays, then the album carries on.
    await wait_now(page, "Hollow")
    await wait_playing(page, past=0.1)
    assert await page.get_by_test_id("queue-entry").count() == 0
    await page.get_by_role("button", name="Next").click()
    await wait_now(page, "Salt")
    await wait_playing(page, past=0.1)


async def test_queue_entry_menu_plays_next_and_moves_to_the_bottom(
    page: Page, server: Server
) -> None:
    name, password = server.add_user("rearranger")
    token = server.login(name, password)
    await sign_in(page, server, name, password)
    await page.get_by_test_id("queue-toggle").click()

    async def server_queue(expected: list[str]) -> None:
        for _ in range(50):
            state = server.api("/api/v1/me/player", token=token)
            if [e["track"]["title"] for e in state["queue"]] == expected:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(state["queue"])

    await open_album(page, "Paper Suns")
    rows = page.get_by_test_id("track-row")
    for title in ("Kite", "Ember", "Hollow"):
        await rows.filter(has_text=title).hover()
        await rows.filter(has_text=title).get_by_test_id("track-menu").click()
        await page.get_by_role("menuitem", name="Add to queue").click()
        await page.get_by_role("menuitem", name="Add to queue").wait_for(state="hidden")
    await server_queue(["Kite", "Ember", "Hollow"])
    entries = page.get_by_test_id("queue-entry")
    await page.wait_for_function(
        "document.querySelectorAll('[data-testid=queue-entry]').length === 3"
    )

    # The last entry plays next: it moves to the front of the queue, here and on the server.
    await entries.filter(has_text="Hollow").get_by_test_id("queue-entry-menu").click()
    play_next = page.get_by_role("menuitem", name="Play next")
    await play_next.wait_for()
    assert await page.get_by_role("menuitem", name="Move to bottom").count() == 0
    await play_next.click()
    await server_queue(["Hollow", "Kite", "Ember"])
    await page.wait_for_function(
        "document.querySelector('[data-testid=queue-entry]').innerText.includes('Hollow')"
    )

    # …and back to the bottom.
    await play_next.wait_for(state="hidden")
    await entries.filter(has_text="Hollow").get_by_test_id("queue-entry-menu").click()
    to_bottom = page.get_by_role("menuitem", name="Move to bottom")
    await to_bottom.wait_for()
    assert await play_next.count() == 0
    await to_bottom.click()
    await server_queue(["Kite", "Ember", "Hollow"])


def _tracks(server: Server, *titles: str) -> list[dict[str, Any]]:
    out = []
    for title in titles:
        found = server.api(f"/api/v1/tracks?q={title}")["items"]
        out.append(next(t for t in found if t["title"] == title))
    return out


async def test_volume_survives_a_reload_and_matches_the_audio(page: Page, server: Server) -> None:
    name, password = server.add_user("listener")
    await sign_in(page, server, name, password)
    slider = page.get_by_role("slider", name="Volume")
    assert await slider.get_attribute("aria-valuenow") == "50"
    for _ in range(3):
        await page.keyboard.press("-")
    assert await slider.get_attribute("aria-valuenow") == "20"
    await page.wait_for_function(
        "fetch('/api/v1/me/settings').then(r => r.json()).then(s => s.volume === 20)"
    )
    await page.reload()
    await page.wait_for_function(
        "document.querySelector('[role=slider][aria-label=Volume]')?.getAttribute('aria-valuenow') === '20'"
    )
    # What reaches the speakers agrees with the slider, (20 / 100)², before and while playing.
    assert abs(await page.evaluate("window.__tonearm.engine.outputLevel()") - 0.04) < 1e-6
    await open_album(page, "Lanterns")
    await page.get_by_test_id("play-album").click()
    await wait_playing(page, past=0.1)
    assert abs(await page.evaluate("window.__tonearm.engine.outputLevel()") - 0.04) < 1e-6
    # Space pauses (the keyboard shortcuts work outside text fields).
    await page.get_by_test_id("page-title").click()
    await page.keyboard.press(" ")
    await page.wait_for_function(f"{AUDIO}.paused")
