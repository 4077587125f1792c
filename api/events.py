"""Each user's live events: a websocket per device, fed by PostgreSQL LISTEN/NOTIFY.

One listener connection per process, held while this replica has sockets open, hears
every replica's notifications (`{"type": "player", "user_id", "version"}`), loads what
changed once per user, and fans it out to that user's sockets on this replica. Other kinds
of event on the same channel (listen parties: api/party/hub.py) subscribe to this listener
rather than opening one of their own. Each socket has a bounded send queue; as every
message carries the whole state, a device that falls behind loses the oldest message,
never the newest. Whenever the listener (re)connects it resends every state, so nothing
that changed while it was not listening is missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Hashable
from typing import Any, Generic, TypeVar

import asyncpg
from aiohttp import WSCloseCode, WSMsgType, web

from api.context import SERVICES
from api.serialize import dumps
from store.player import EVENTS_CHANNEL

log = logging.getLogger(__name__)

SEND_QUEUE = 8
HEARTBEAT = 30.0
RECONNECT_MAX = 10.0

Loader = Callable[[int], Awaitable[tuple[int, dict[str, Any]]]]
EventHandler = Callable[[dict[str, Any]], None]


def _set_event(event: asyncio.Event, _conn: object) -> None:
    event.set()


K = TypeVar("K", bound=Hashable)


class Coalesced(Generic[K]):
    """Runs `push(key)` for a key on demand, at most one run per key at a time: a request
    while one runs makes exactly one more run after it, so a burst of changes costs one or
    two pushes and the last one sees the final state."""

    def __init__(
        self,
        push: Callable[[K], Coroutine[Any, Any, None]],
        spawn: Callable[[Coroutine[Any, Any, None]], object],
        what: str,
        name: Callable[[K], str] = str,
    ) -> None:
        self._push = push
        self._spawn = spawn
        self._what = what
        self._name = name
        self._running: set[K] = set()
        self._stale: set[K] = set()

    def __call__(self, key: K) -> None:
        if key in self._running:
            self._stale.add(key)
            return
        self._running.add(key)
        self._spawn(self._run(key))

    async def _run(self, key: K) -> None:
        try:
            while True:
                self._stale.discard(key)
                await self._push(key)
                if key not in self._stale:
                    return
        except Exception:
            log.exception("could not push the %s %s", self._what, self._name(key))
        finally:
            self._running.discard(key)


class _Socket:
    def __init__(self, ws: web.WebSocketResponse) -> None:
        self.ws = ws
        self.queue: asyncio.Queue[str] = asyncio.Queue(SEND_QUEUE)
        self.version = -1

    def offer(self, version: int, text: str) -> None:
        """Queue a state newer than the last one queued; drop the oldest when full."""
        if version <= self.version:
            return
        self.version = version
        if self.queue.full():
            self.queue.get_nowait()
        self.queue.put_nowait(text)

    async def pump(self) -> None:
        try:
            while True:
                await self.ws.send_str(await self.queue.get())
        except (ConnectionError, RuntimeError):
            pass  # the device went away; the handler's read loop ends too


class UserEvents:
    def __init__(self, pool: asyncpg.Pool, load: Loader) -> None:
        self.pool = pool
        self.load = load
        self._sockets: dict[int, set[_Socket]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._refresh: Coalesced[int] = Coalesced(self._push, self._spawn, "play state of user")
        self._listener: asyncio.Task[None] | None = None
        self._handlers: dict[str, EventHandler] = {}
        self._on_connect: list[Callable[[], None]] = []
        self._holds = 0

    def subscribe(self, kind: str, handler: EventHandler, on_connect: Callable[[], None]) -> None:
        """Hand events of another `type` to `handler`; `on_connect` runs whenever the
        listener (re)connects, so the subscriber can resend what it may have missed."""
        self._handlers[kind] = handler
        self._on_connect.append(on_connect)

    def hold(self) -> None:
        """Another hub has a socket open: keep listening."""
        self._holds += 1
        self._listen_while_needed()

    def release(self) -> None:
        self._holds -= 1
        self._listen_while_needed()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _listen_while_needed(self) -> None:
        """Listen while a socket is open here, and only then: an idle replica holds no
        connection, and one closing its pool is never kept waiting by this one."""
        needed = bool(self._sockets) or self._holds > 0
        if needed and self._listener is None:
            self._listener = self._spawn(self._listen())
        elif not needed and self._listener is not None:
            self._listener.cancel()
            self._listener = None

    async def close_sockets(self) -> None:
        sockets = [s for group in self._sockets.values() for s in group]
        for sock in sockets:
            await sock.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")

    async def stop(self) -> None:
        await self.close_sockets()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _listen(self) -> None:
        delay = 0.5
        while True:
            try:
                async with self.pool.acquire() as conn:
                    lost = asyncio.Event()
                    on_lost = functools.partial(_set_event, lost)
                    conn.add_termination_listener(on_lost)
                    await conn.add_listener(EVENTS_CHANNEL, self._notified)
                    try:
                        delay = 0.5
                        # Whatever changed while we were not listening reaches the devices now.
                        for user_id in list(self._sockets):
                            self._refresh(user_id)
                        for resync in self._on_connect:
                            resync()
                        await lost.wait()
                    finally:
                        conn.remove_termination_listener(on_lost)
                        if not conn.is_closed():
                            with contextlib.suppress(Exception):
                                await conn.remove_listener(EVENTS_CHANNEL, self._notified)
                log.warning("lost the user events connection; reconnecting")
            except Exception as exc:
                log.warning("cannot listen for user events (%s); retrying", exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX)

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            event = json.loads(payload)
            kind = event["type"]
            if kind == "player":
                user_id = int(event["user_id"])
                if user_id in self._sockets:
                    self._refresh(user_id)
            elif kind in self._handlers:
                self._handlers[kind](event)
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring a malformed event %r", payload[:200])

    async def _push(self, user_id: int) -> None:
        version, view = await self.load(user_id)
        text = dumps({"type": "player", "state": view})
        for sock in list(self._sockets.get(user_id, ())):
            sock.offer(version, text)

    async def serve(self, request: web.Request, user_id: int) -> web.WebSocketResponse:
        """One device's socket: the current state at once, then every change. Messages from
        the device are not needed and are ignored."""
        ws = web.WebSocketResponse(heartbeat=HEARTBEAT)
        await ws.prepare(request)
        sock = _Socket(ws)
        self._sockets.setdefault(user_id, set()).add(sock)
        self._listen_while_needed()
        pump = self._spawn(sock.pump())
        try:
            self._refresh(user_id)
            async for msg in ws:
                if msg.type == WSMsgType.ERROR:
                    break
        finally:
            group = self._sockets.get(user_id, set())
            group.discard(sock)
            if not group:
                self._sockets.pop(user_id, None)
            self._listen_while_needed()
            pump.cancel()
        return ws


USER_EVENTS = web.AppKey("user_events", UserEvents)


def setup_user_events(app: web.Application) -> None:
    """The hub of this app: sockets closed at shutdown, its tasks cancelled at cleanup."""
    services = app[SERVICES]
    hub = UserEvents(services.pool, services.player.current_view)
    app[USER_EVENTS] = hub

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        yield
        await hub.stop()

    async def close_sockets(_app: web.Application) -> None:
        await hub.close_sockets()

    app.cleanup_ctx.append(lifecycle)
    app.on_shutdown.append(close_sockets)
