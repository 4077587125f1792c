"""The companion process: settings as JSON lines on stdin, the play state over the server's
websocket, the activity to Discord's local IPC socket through pypresence.

    app ──stdin {"type": "config", "enabled", "server", "token", "client_id"}──► companion
    server /api/v1/me/ws ──{"type": "player", "state"}──► companion ──SET_ACTIVITY──► Discord

- Discord not running (or quitting later): a line in the log once, then quiet retries with
  back-off (2 s doubling to 60 s); when it comes back the current activity is sent again.
- `enabled: false` (the app's switch, or signing out): the activity is cleared and the
  connection to Discord closed. The process stays, idle, for the next `enabled: true`.
- stdin closing (the app exited) ends the process, so it never outlives the app.
- At most one activity update every 4 s: Discord drops updates beyond 5 per 20 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import struct
import sys
import threading
import time
from dataclasses import dataclass, fields, replace
from typing import Any

import aiohttp
from pypresence.exceptions import PyPresenceException
from pypresence.presence import AioPresence

from tonearm_presence.activity import COVER_ART_ARCHIVE, activity

log = logging.getLogger("tonearm-presence")

# What talking to Discord's socket can raise: pypresence's own errors, and the socket's.
DISCORD_ERRORS = (PyPresenceException, OSError, TimeoutError, ValueError, struct.error)
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Settings:
    enabled: bool = False
    server: str | None = None
    token: str | None = None
    client_id: str | None = None
    coverart_url: str = COVER_ART_ARCHIVE

    def merged(self, message: dict[str, Any]) -> Settings:
        """These settings with the known keys of a control message applied."""
        known = {f.name for f in fields(self)}
        changes = {k: v for k, v in message.items() if k in known}
        if "server" in changes and isinstance(changes["server"], str):
            changes["server"] = changes["server"].rstrip("/") or None
        if "enabled" in changes:
            changes["enabled"] = bool(changes["enabled"])
        return replace(self, **changes)


@dataclass(frozen=True)
class Timing:
    min_interval: float = 4.0
    retry_first: float = 2.0
    retry_max: float = 60.0

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Timing:
        """Tests make the companion quicker through TONEARM_PRESENCE_{MIN_INTERVAL,RETRY,RETRY_MAX}."""
        return cls(
            min_interval=float(env.get("TONEARM_PRESENCE_MIN_INTERVAL", cls.min_interval)),
            retry_first=float(env.get("TONEARM_PRESENCE_RETRY", cls.retry_first)),
            retry_max=float(env.get("TONEARM_PRESENCE_RETRY_MAX", cls.retry_max)),
        )


class DiscordLink:
    """One connection to the Discord client's IPC socket for one application id."""

    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.rpc: AioPresence | None = None

    async def connect(self) -> None:
        # pypresence has no type hints on these two.
        rpc = AioPresence(self.client_id, connection_timeout=3, response_timeout=5)  # type: ignore[no-untyped-call]
        try:
            await rpc.connect()  # type: ignore[no-untyped-call]
        except BaseException:
            _close_writer(rpc)
            raise
        self.rpc = rpc

    @property
    def alive(self) -> bool:
        """False once Discord has closed the socket (it quit, or restarted)."""
        reader = self.rpc.sock_reader if self.rpc else None
        return reader is not None and not reader.at_eof()

    async def show(self, kwargs: dict[str, Any] | None) -> None:
        assert self.rpc is not None
        if kwargs is None:
            await self.rpc.clear(pid=os.getpid())
        else:
            await self.rpc.update(pid=os.getpid(), **kwargs)

    def close(self) -> None:
        if self.rpc is not None:
            _close_writer(self.rpc)
        self.rpc = None


def _close_writer(rpc: AioPresence) -> None:
    # Not rpc.close(): it closes the running event loop.
    if rpc.sock_writer is not None:
        with contextlib.suppress(Exception):
            rpc.sock_writer.close()


def _same(a: dict[str, Any] | None, b: dict[str, Any] | None) -> bool:
    """Equal but for a second of rounding in the timestamps."""
    if a is None or b is None:
        return a is b
    if {k: v for k, v in a.items() if k not in ("start", "end")} != {
        k: v for k, v in b.items() if k not in ("start", "end")
    }:
        return False
    return all(abs((a.get(k) or 0) - (b.get(k) or 0)) <= 2 for k in ("start", "end")) and (
        ("start" in a) == ("start" in b)
    )


_NOTHING_SENT = {"nothing": "sent"}


class Companion:
    def __init__(self, settings: Settings, timing: Timing) -> None:
        self.settings = settings
        self.timing = timing
        self.player: dict[str, Any] | None = None
        self.dirty = asyncio.Event()
        self.stopping = asyncio.Event()
        self.follower: asyncio.Task[None] | None = None
        self.link: DiscordLink | None = None

    # Settings

    def configure(self, message: dict[str, Any]) -> None:
        before = self.settings
        self.settings = before.merged(message)
        after = self.settings
        following = (before.enabled, before.server, before.token)
        if (after.enabled, after.server, after.token) != following or self.follower is None:
            self._restart_follower()
        self.dirty.set()

    def _restart_follower(self) -> None:
        if self.follower is not None:
            self.follower.cancel()
            self.follower = None
        s = self.settings
        if s.enabled and s.server and s.token:
            self.follower = asyncio.get_running_loop().create_task(self.follow(s.server, s.token))
        else:
            self.player = None

    # The play state, from the server

    async def follow(self, server: str, token: str) -> None:
        retry, down_since = 0.5, None
        url = f"{server}/api/v1/me/ws"
        async with aiohttp.ClientSession() as http:
            while True:
                try:
                    async with http.ws_connect(
                        url, headers={"Authorization": f"Bearer {token}"}, heartbeat=30
                    ) as ws:
                        log.info("following the play state on %s", server)
                        retry, down_since = 0.5, None
                        async for message in ws:
                            if message.type == aiohttp.WSMsgType.TEXT:
                                self._take(message.data)
                except aiohttp.WSServerHandshakeError as exc:
                    if exc.status in (401, 403):
                        log.warning(
                            "the server refused the session (%s); waiting for a new one", exc.status
                        )
                        self.player = None
                        self.dirty.set()
                        return
                    down_since = self._down(server, exc, down_since)
                except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                    down_since = self._down(server, exc, down_since)
                await asyncio.sleep(retry)
                retry = min(retry * 2, 30.0)

    def _down(self, server: str, exc: BaseException, since: float | None) -> float:
        if since is None:
            log.info("lost %s (%s); reconnecting", server, exc.__class__.__name__)
            return time.monotonic()
        return since

    def _take(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            return
        if isinstance(message, dict) and message.get("type") == "player":
            state = message.get("state")
            self.player = state if isinstance(state, dict) else None
            self.dirty.set()

    # The activity, to Discord

    async def present(self) -> None:
        sent: dict[str, Any] | None = _NOTHING_SENT
        retry, next_try, waiting_said = self.timing.retry_first, 0.0, False
        last_send = -1e9
        while not self.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.dirty.wait(), POLL_SECONDS)
            self.dirty.clear()
            s = self.settings
            if self.link is not None and (
                not self.link.alive or self.link.client_id != s.client_id
            ):
                if not self.link.alive:
                    log.info("Discord went away; waiting for it to come back")
                    waiting_said = True
                self.link.close()
                self.link, sent = None, _NOTHING_SENT
            if not (s.enabled and s.client_id):
                if self.link is not None:
                    await self._switch_off()
                    sent = _NOTHING_SENT
                continue
            if self.link is None:
                if time.monotonic() < next_try:
                    continue
                link = DiscordLink(s.client_id)
                try:
                    await link.connect()
                except DISCORD_ERRORS as exc:
                    if not waiting_said:
                        log.info("Discord is not running (%s); waiting for it", exc)
                        waiting_said = True
                    next_try = time.monotonic() + retry
                    retry = min(retry * 2, self.timing.retry_max)
                    continue
                log.info("connected to Discord")
                self.link, retry, waiting_said = link, self.timing.retry_first, False
            pause = last_send + self.timing.min_interval - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
                if self.settings != s:  # switched off or changed meanwhile: start over
                    self.dirty.set()
                    continue
            wanted = activity(self.player, time.time(), s.coverart_url)
            if sent is not _NOTHING_SENT and _same(wanted, sent):
                continue
            try:
                await self.link.show(wanted)
            except DISCORD_ERRORS as exc:
                log.info("Discord stopped answering (%s); reconnecting", exc.__class__.__name__)
                self.link.close()
                self.link, sent = None, _NOTHING_SENT
                self.dirty.set()
                continue
            sent, last_send = wanted, time.monotonic()

    async def _switch_off(self) -> None:
        """Clear the activity and let go of Discord."""
        assert self.link is not None
        with contextlib.suppress(*DISCORD_ERRORS):
            await self.link.show(None)
        self.link.close()
        self.link = None
        log.info("presence off")

    async def stop(self) -> None:
        self.stopping.set()
        if self.follower is not None:
            self.follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.follower
        if self.link is not None:
            await self._switch_off()


def _read_stdin(loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None]) -> None:
    """A thread: stdin lines into the loop (portable, unlike pipes on Windows' event loop)."""
    for raw in sys.stdin:
        loop.call_soon_threadsafe(lines.put_nowait, raw)
    loop.call_soon_threadsafe(lines.put_nowait, None)


async def run(settings: Settings, timing: Timing, control: bool) -> None:
    companion = Companion(settings, timing)
    companion.configure({})
    presenter = asyncio.create_task(companion.present())
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    with contextlib.suppress(NotImplementedError):  # no signal handlers on Windows
        loop.add_signal_handler(signal.SIGTERM, done.set)
        loop.add_signal_handler(signal.SIGINT, done.set)
    lines: asyncio.Queue[str | None] = asyncio.Queue(maxsize=100)
    if control:
        threading.Thread(target=_read_stdin, args=(loop, lines), daemon=True).start()

    async def read_control() -> None:
        while (line := await lines.get()) is not None:
            try:
                message = json.loads(line)
            except ValueError:
                log.warning("ignored a control line that is not JSON")
                continue
            if isinstance(message, dict) and message.get("type") == "config":
                companion.configure(message)
        done.set()  # the app has gone

    reader = asyncio.create_task(read_control())
    await done.wait()
    reader.cancel()
    # The presenter first, so that only stop() touches the Discord link from here on. The
    # flag as well as the cancel: Python 3.11's wait_for can swallow a cancellation.
    companion.stopping.set()
    companion.dirty.set()
    presenter.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await presenter
    await companion.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tonearm-presence",
        description="Show what you play on a Tonearm server in Discord. Settings come as JSON"
        " lines on stdin from the desktop app, or from these flags (the token from"
        " TONEARM_TOKEN).",
    )
    parser.add_argument("--server", help="the Tonearm server, e.g. http://music.lan:8080")
    parser.add_argument("--client-id", help="the Discord application id")
    parser.add_argument(
        "--no-stdin", action="store_true", help="run from the flags alone until stopped"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    token = os.environ.get("TONEARM_TOKEN")
    settings = Settings(
        enabled=bool(args.server and token and args.client_id),
        server=args.server.rstrip("/") if args.server else None,
        token=token,
        client_id=args.client_id,
    )
    asyncio.run(run(settings, Timing.from_env(dict(os.environ)), control=not args.no_stdin))
    return 0
