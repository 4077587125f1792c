"""A local stand-in for the Discord client's IPC socket, speaking its real framing.

Each frame: opcode and payload length as little-endian unsigned 32-bit integers, then that
many bytes of JSON. Opcodes: 0 handshake (`{"v": 1, "client_id"}`), 1 frame (commands and
their answers), 2 close, 3 ping, 4 pong. The socket is `$XDG_RUNTIME_DIR/discord-ipc-0`.
A handshake is answered with the READY dispatch, a SET_ACTIVITY command with an answer
echoing its `cmd` and `nonce` (`evt` null), as Discord does; an unknown application id
with a close frame (code 4000), as Discord does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HANDSHAKE, FRAME, CLOSE, PING, PONG = range(5)

READY = {
    "cmd": "DISPATCH",
    "evt": "READY",
    "nonce": None,
    "data": {
        "v": 1,
        "config": {"cdn_host": "cdn.discordapp.com", "api_endpoint": "//discord.com/api", "environment": "production"},
        "user": {"id": "80351110224678912", "username": "listener", "discriminator": "0", "avatar": None},
    },
}  # fmt: skip


def pack(op: int, payload: dict[str, Any]) -> bytes:
    data = json.dumps(payload).encode()
    return struct.pack("<II", op, len(data)) + data


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, dict[str, Any]]:
    op, length = struct.unpack("<II", await reader.readexactly(8))
    return op, json.loads(await reader.readexactly(length))


@dataclass
class Event:
    """What the fake saw: a handshake, a command frame, or a connection closing."""

    kind: str  # "handshake" | "command" | "closed"
    payload: dict[str, Any] = field(default_factory=dict)


class FakeDiscord:
    def __init__(self, runtime_dir: Path, client_ids: set[str] | None = None) -> None:
        self.path = runtime_dir / "discord-ipc-0"
        self.client_ids = client_ids  # None: any id is a known application
        self.events: asyncio.Queue[Event] = asyncio.Queue()
        self.log: list[Event] = []
        self.server: asyncio.AbstractServer | None = None
        self.writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.server = await asyncio.start_unix_server(self._serve, path=str(self.path))

    async def stop(self) -> None:
        """Discord quits: the socket goes, and every connection with it."""
        if self.server is not None:
            self.server.close()
            for writer in list(self.writers):
                writer.close()
            await self.server.wait_closed()
            self.server = None
        self.path.unlink(missing_ok=True)

    def _record(self, event: Event) -> None:
        self.log.append(event)
        self.events.put_nowait(event)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.add(writer)
        try:
            while True:
                op, payload = await read_frame(reader)
                if op == HANDSHAKE:
                    self._record(Event("handshake", payload))
                    if (
                        self.client_ids is not None
                        and payload.get("client_id") not in self.client_ids
                    ):
                        writer.write(pack(CLOSE, {"code": 4000, "message": "Invalid Client ID"}))
                        await writer.drain()
                        break
                    writer.write(pack(FRAME, READY))
                elif op == FRAME:
                    self._record(Event("command", payload))
                    args = payload.get("args") or {}
                    answer = {
                        "cmd": payload.get("cmd"),
                        "data": args.get("activity"),
                        "evt": None,
                        "nonce": payload.get("nonce"),
                    }
                    writer.write(pack(FRAME, answer))
                elif op == PING:
                    writer.write(pack(PONG, payload))
                elif op == CLOSE:
                    break
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.writers.discard(writer)
            self._record(Event("closed"))
            with contextlib.suppress(Exception):
                writer.close()

    async def next(self, kind: str | None = None, wait: float = 15) -> Event:
        """The next event (of this kind, skipping others), waiting at most `wait` seconds."""
        async with asyncio.timeout(wait):
            while True:
                event = await self.events.get()
                if kind is None or event.kind == kind:
                    return event

    async def activity(self, wait: float = 15) -> dict[str, Any] | None:
        """The activity of the next SET_ACTIVITY command (None: cleared)."""
        while True:
            event = await self.next("command", wait)
            if event.payload.get("cmd") == "SET_ACTIVITY":
                assert isinstance(event.payload.get("nonce"), str) and event.payload["nonce"]
                activity: dict[str, Any] | None = event.payload["args"].get("activity")
                return activity


class ThreadedFakeDiscord:
    """The fake on an event loop of its own, for tests that block (the desktop app's)."""

    def __init__(self, runtime_dir: Path, client_ids: set[str] | None = None) -> None:
        import threading

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.fake = self._call(self._make(runtime_dir, client_ids))

    async def _make(self, runtime_dir: Path, client_ids: set[str] | None) -> FakeDiscord:
        fake = FakeDiscord(runtime_dir, client_ids)
        await fake.start()
        return fake

    def _call(self, coro: Any, wait: float = 60) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(wait)

    def next(self, kind: str | None = None, wait: float = 30) -> Event:
        event: Event = self._call(self.fake.next(kind, wait), wait + 5)
        return event

    def activity(self, wait: float = 30) -> dict[str, Any] | None:
        activity: dict[str, Any] | None = self._call(self.fake.activity(wait), wait + 5)
        return activity

    def close(self) -> None:
        self._call(self.fake.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
