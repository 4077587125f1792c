"""The presence companion as a process: a real Tonearm server's websocket on one side, a fake
Discord IPC socket (real framing) on the other; the activity payloads, the off switch, and
reconnecting when Discord quits and comes back."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from tests.clients.conftest import PRESENCE
from tests.clients.fake_discord import FakeDiscord

Client = TestClient  # type: ignore[type-arg]
APP_ID = "123456789012345678"


class CompanionProcess:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.stderr: list[str] = []
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.stderr.append(line.decode().rstrip())

    async def send(self, **message: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps({"type": "config", **message}) + "\n").encode())
        await self.process.stdin.drain()

    async def close(self) -> int:
        if self.process.stdin is not None and not self.process.stdin.is_closing():
            self.process.stdin.close()
        try:
            async with asyncio.timeout(15):
                code = await self.process.wait()
        except TimeoutError:
            raise AssertionError("the companion did not exit:\n" + "\n".join(self.stderr)) from None
        finally:
            if self.process.returncode is None:
                self.process.kill()
                await self.process.wait()
            await self._reader
        return code


@pytest.fixture
def runtime_dir(tmp_path: Path) -> Path:
    path = tmp_path / "run"
    path.mkdir()
    return path


@pytest.fixture
async def companion(runtime_dir: Path) -> AsyncIterator[CompanionProcess]:
    env = {
        **os.environ,
        "PYTHONPATH": str(PRESENCE),
        "XDG_RUNTIME_DIR": str(runtime_dir),
        "TONEARM_PRESENCE_MIN_INTERVAL": "0",
        "TONEARM_PRESENCE_RETRY": "0.2",
        "TONEARM_PRESENCE_RETRY_MAX": "0.5",
    }
    # The frozen sidecar when make desktop-test names it, else the package from source.
    frozen = os.environ.get("TONEARM_PRESENCE_BIN")
    command = [frozen] if frozen else [sys.executable, "-m", "tonearm_presence"]
    process = await asyncio.create_subprocess_exec(
        *command, stdin=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, env=env
    )
    proc = CompanionProcess(process)
    yield proc
    if process.returncode is None:
        await proc.close()


@pytest.fixture
async def discord(runtime_dir: Path) -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord(runtime_dir, client_ids={APP_ID})
    await fake.start()
    yield fake
    await fake.stop()


def server_url(client: Client) -> str:
    return str(client.make_url("")).rstrip("/")


async def play_album(client: Client, headers: dict[str, str]) -> dict[str, Any]:
    albums = (await (await client.get("/api/v1/albums?sort=name", headers=headers)).json())["items"]
    mezzanine = next(a for a in albums if a["title"] == "Mezzanine")
    resp = await client.post(
        "/api/v1/me/player/play",
        headers=headers,
        json={"context": {"type": "album", "id": mezzanine["id"]}},
    )
    assert resp.status == 200, await resp.text()
    track: dict[str, Any] = (await resp.json())["current"]["track"]
    return track


async def activity_until(
    discord: FakeDiscord, check: Any, wait: float = 20
) -> dict[str, Any] | None:
    """The first activity sent that passes `check` (earlier ones are transitional)."""
    async with asyncio.timeout(wait):
        while True:
            activity = await discord.activity(wait)
            if check(activity):
                return activity


async def test_the_playing_track_reaches_discord(
    client: Client,
    admin: dict[str, str],
    scanned: object,
    discord: FakeDiscord,
    companion: CompanionProcess,
) -> None:
    await companion.send(
        enabled=True, server=server_url(client), token=admin["Authorization"][7:], client_id=APP_ID
    )
    handshake = await discord.next("handshake")
    assert handshake.payload == {"v": 1, "client_id": APP_ID}
    assert await discord.activity() is None  # nothing plays yet: cleared

    track = await play_album(client, admin)
    activity = await activity_until(discord, lambda a: a is not None)
    assert activity is not None
    assert activity["type"] == 2  # Listening
    assert activity["status_display_type"] == 2  # "Listening to <title>"
    assert activity["details"] == track["title"]
    assert activity["state"] == track["artist"]
    assert activity["assets"] == {"large_image": "tonearm", "large_text": "Mezzanine"}
    start, end = activity["timestamps"]["start"], activity["timestamps"]["end"]
    assert end - start == round(track["duration"])

    # Paused at 1.5 s: said so, and no running clock.
    resp = await client.put(
        "/api/v1/me/player", headers=admin, json={"playing": False, "position_ms": 1500}
    )
    assert resp.status == 200
    paused = await activity_until(
        discord, lambda a: a is not None and a["state"].startswith("Paused")
    )
    assert paused is not None
    assert paused["details"] == track["title"] and "timestamps" not in paused

    # The next track.
    step = await (await client.post("/api/v1/me/player/next", headers=admin, json={})).json()
    following = await activity_until(
        discord, lambda a: a is not None and a["details"] == step["track"]["title"]
    )
    assert following is not None and "timestamps" in following

    assert await companion.close() == 0, companion.stderr
    assert await discord.activity() is None  # the app exits: cleared on the way out
    assert "Traceback" not in "\n".join(companion.stderr)


async def test_the_off_switch(
    client: Client,
    admin: dict[str, str],
    scanned: object,
    discord: FakeDiscord,
    companion: CompanionProcess,
) -> None:
    settings = {
        "server": server_url(client),
        "token": admin["Authorization"][7:],
        "client_id": APP_ID,
    }
    await companion.send(enabled=True, **settings)
    await discord.next("handshake")
    track = await play_album(client, admin)
    await activity_until(discord, lambda a: a is not None and a["details"] == track["title"])

    await companion.send(enabled=False)
    assert await discord.activity() is None  # cleared
    await discord.next("closed")  # and Discord let go of
    # While off, changes reach Discord no more.
    await client.post("/api/v1/me/player/next", headers=admin, json={})
    await asyncio.sleep(1.5)
    assert discord.events.empty(), discord.log[-3:]

    await companion.send(enabled=True)
    await discord.next("handshake")
    activity = await activity_until(discord, lambda a: a is not None)
    assert activity is not None and activity["details"] != track["title"]  # the current one


async def test_discord_quitting_and_coming_back(
    client: Client,
    admin: dict[str, str],
    scanned: object,
    discord: FakeDiscord,
    companion: CompanionProcess,
) -> None:
    track = await play_album(client, admin)
    await companion.send(
        enabled=True, server=server_url(client), token=admin["Authorization"][7:], client_id=APP_ID
    )
    await discord.next("handshake")
    await activity_until(discord, lambda a: a is not None and a["details"] == track["title"])

    await discord.stop()
    await discord.next("closed")
    await asyncio.sleep(2)  # several quiet retries against no socket at all
    await discord.start()
    await discord.next("handshake")
    again = await activity_until(discord, lambda a: a is not None)
    assert again is not None and again["details"] == track["title"]

    await discord.stop()
    await asyncio.sleep(2)
    await discord.start()
    await discord.next("handshake")
    assert await companion.close() == 0, "\n".join(companion.stderr)
    waiting = [line for line in companion.stderr if "waiting for it" in line]
    assert len(waiting) == 2, companion.stderr  # once per absence, not once per retry


async def test_no_discord_at_start_and_a_wrong_application_id(
    client: Client, admin: dict[str, str], runtime_dir: Path, companion: CompanionProcess
) -> None:
    await companion.send(
        enabled=True,
        server=server_url(client),
        token=admin["Authorization"][7:],
        client_id="999999999999999999",
    )
    await asyncio.sleep(1.5)
    assert companion.process.returncode is None  # waits quietly
    fake = FakeDiscord(runtime_dir, client_ids={APP_ID})
    await fake.start()
    try:
        refused = await fake.next("handshake")
        assert refused.payload["client_id"] == "999999999999999999"
        await fake.next("closed")
        # The app sends the right id: it connects and shows the (empty) state.
        await companion.send(client_id=APP_ID)
        accepted = await fake.next("handshake")
        assert accepted.payload["client_id"] == APP_ID
        assert await fake.activity() is None
    finally:
        with contextlib.suppress(Exception):
            await companion.close()
        await fake.stop()
    assert "Traceback" not in "\n".join(companion.stderr)
