"""A listen party in two browser contexts (two people) against a real `tonearm serve`: the
session menu, the "Require a 4-digit code" box, the code and link the host sees, joining
from the link with the code, and the member's player following the host's."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.web.conftest import Server, call, copy_to_docs, new_page, shot
from tests.web.test_e2e import AUDIO, open_album, sign_in, wait_now, wait_playing

Page = Any


@pytest.fixture
async def guest_page(browser: Any) -> AsyncIterator[Any]:
    """A second person, in a browser context of their own."""
    async with new_page(browser, 1280, 800, "the guest's page") as pg:
        yield pg


async def position(page: Page) -> tuple[float, float]:
    """(the element's position in ms, when it was read)."""
    value = float(await page.evaluate(f"{AUDIO}.currentTime")) * 1000
    return value, time.monotonic() * 1000


async def test_start_a_party_with_a_code_and_join_it_from_another_browser(
    page: Page, guest_page: Page, server: Server
) -> None:
    await sign_in(page, server)
    await open_album(page, "Field Notes")
    await page.get_by_test_id("play-album").click()
    await wait_playing(page)

    # The session menu: start a party that needs a code.
    await page.get_by_test_id("party-menu").click()
    box = page.get_by_label("Require a 4-digit code")
    assert not await box.is_checked()
    await box.check()
    await page.get_by_role("button", name="Start a listen party").click()
    code = (await page.get_by_test_id("party-code").inner_text()).strip()
    assert len(code) == 4 and code.isdigit()
    link = await page.get_by_test_id("party-link").input_value()
    assert link.startswith(server.url + "/party/") and code not in link
    await page.get_by_test_id("hosting").wait_for()
    await asyncio.sleep(0.4)  # the menu's opening transition
    copy_to_docs(await shot(page, "party-host"))

    # Someone else opens the link: a dialog asks for the code.
    guest, password = server.add_user("guest")
    await sign_in(guest_page, server, guest, password)
    await guest_page.goto(link)
    dialog = guest_page.get_by_test_id("join-dialog")
    await dialog.wait_for()
    pins = guest_page.get_by_test_id("join-code").locator("input")
    assert await pins.count() == 4
    wrong = f"{(int(code) + 1) % 10000:04d}"
    await pins.first.click()
    await guest_page.keyboard.type(wrong)
    error = guest_page.get_by_test_id("join-error")
    await error.wait_for()
    assert "not right" in (await error.inner_text())
    await shot(guest_page, "party-join")
    await pins.first.click()
    await guest_page.keyboard.type(code)
    await dialog.wait_for(state="hidden")

    # The member's player follows the host: same track, same place, and says so.
    following = guest_page.get_by_test_id("following-host")
    await following.wait_for()
    assert "admin" in await following.inner_text()
    host_title = await page.get_by_test_id("now-title").inner_text()
    await wait_now(guest_page, host_title)
    await wait_playing(guest_page, past=0.2)
    next_button = guest_page.get_by_test_id("player-bar").get_by_role("button", name="Next")
    assert await next_button.is_disabled()
    # Within a second, both play the same moment of the track (read back to back).
    await asyncio.sleep(1.5)
    (host_ms, host_at), (guest_ms, guest_at) = await position(page), await position(guest_page)
    drift = abs((guest_ms - (guest_at - host_at)) - host_ms)
    assert drift < 1000, (host_ms, guest_ms, guest_at - host_at)

    # Both see who is in and who hosts.
    await guest_page.get_by_test_id("party-menu").click()
    members = guest_page.get_by_test_id("party-member")
    await members.nth(1).wait_for()
    names = [await members.nth(i).inner_text() for i in range(await members.count())]
    assert names[0].startswith("admin") and "host" in names[0].lower() and names[1] == guest
    assert await guest_page.get_by_test_id("party-code").count() == 0
    await asyncio.sleep(0.4)
    copy_to_docs(await shot(guest_page, "party-member"))
    await guest_page.keyboard.press("Escape")
    await page.get_by_test_id("hosting").filter(has_text="1 listener").wait_for()

    # The host pauses; the member's music stops too. The host plays; it starts again.
    await page.get_by_test_id("play-pause").click()
    await guest_page.wait_for_function(f"{AUDIO}.paused")
    await page.get_by_test_id("play-pause").click()
    await guest_page.wait_for_function(f"!{AUDIO}.paused")

    # The host ends it; the member's player is theirs again.
    await page.get_by_test_id("party-menu").click()
    await page.get_by_test_id("end-party").click()
    await following.wait_for(state="detached")
    assert await next_button.is_enabled()


async def test_who_is_connected_the_host_away_and_too_many_suggestions(
    page: Page, guest_page: Page, server: Server
) -> None:
    """The member list marks who has the party open right now; a member sees when the host
    is away; the eleventh suggestion in a minute is refused with the wait shown."""
    await sign_in(page, server)
    await page.get_by_test_id("party-menu").click()
    await page.get_by_label("Let members suggest tracks").check()
    await page.get_by_role("button", name="Start a listen party").click()
    link = await page.get_by_test_id("party-link").input_value()
    party_id = link.rsplit("/", 1)[1]

    guest, password = server.add_user("listener")
    await sign_in(guest_page, server, guest, password)
    await guest_page.goto(link)  # no code: in at once
    await guest_page.get_by_test_id("following-host").wait_for()
    # The host sees the guest connected…
    row = page.get_by_test_id("party-member").filter(has_text=guest)
    await row.locator("[data-testid=member-presence][data-online=true]").wait_for()
    assert await row.get_by_test_id("member-away").count() == 0
    # …then away once the guest's page is gone, and back when it returns.
    await guest_page.goto("about:blank")
    await row.get_by_test_id("member-away").wait_for()
    assert await row.locator("[data-online=false]").count() == 1
    await shot(page, "party-member-away")
    await guest_page.goto(server.url + "/")
    await guest_page.get_by_test_id("following-host").wait_for()
    await row.get_by_test_id("member-away").wait_for(state="detached")

    # The host closes the page: the member is told the host is away (the party goes on
    # for `party_host_grace`); the host comes back and it is as before.
    await page.goto("about:blank")
    following = guest_page.get_by_test_id("following-host")
    await following.filter(has_text="(away)").wait_for()
    await guest_page.get_by_test_id("party-menu").click()
    assert "admin is away" in await guest_page.get_by_test_id("host-away").inner_text()
    await guest_page.keyboard.press("Escape")
    await page.goto(server.url + "/")
    await page.get_by_test_id("hosting").wait_for()
    await following.filter(has_not_text="(away)").wait_for()

    # Ten suggestions in a minute are all a member gets; the UI says how long to wait.
    token = call(server.url, "/api/v1/auth/login", {"name": guest, "password": password})["token"]
    track_id = server.api("/api/v1/tracks?limit=1")["items"][0]["id"]
    for _ in range(10):
        server.api(f"/api/v1/parties/{party_id}/suggestions", {"track_id": track_id}, token=token)
    await open_album(guest_page, "Field Notes")
    await guest_page.get_by_test_id("track-row").first.get_by_test_id("track-menu").click()
    await guest_page.get_by_role("menuitem", name="Suggest to the party").click()
    refused = guest_page.get_by_text("you can suggest again in")
    await refused.wait_for()
    assert "10 tracks in the last minute" in await refused.inner_text()
    await shot(guest_page, "party-suggestion-limit")

    await page.get_by_test_id("party-menu").click()
    await page.get_by_test_id("end-party").click()
    await following.wait_for(state="detached")
