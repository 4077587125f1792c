"""Each party member's websocket on this replica, fed by the process's one LISTEN
connection (api/events.py): a party's change on any replica is one NOTIFY
(`{"type": "party", "party_id", "seq"}`); this replica loads the party once and sends each
of its members here the whole of it. The protocol is in README.md.

Presence: while this replica holds a member's socket to a party, it keeps a row
(party, member, this replica) fresh in the database, and every replica sweeps rows nobody
refreshes any more (a dead replica's) and ends parties whose host is gone (service.expire);
all of it announced on the same NOTIFY path, so every replica's members see it.

Every party message carries the whole state, so a socket keeps only the newest one not yet
sent (a slow member skips states, never ends on an old one); answers to the member's own
requests (pong, suggested, error) queue apart and go first, and a pong is stamped the
moment it is written, so the member's clock estimate is not skewed by the queue.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from api.context import SERVICES
from api.events import HEARTBEAT, USER_EVENTS, Coalesced, UserEvents
from api.party import clock, rules
from api.party.service import PartyService
from api.serialize import dumps
from store.parties import PartyStore
from tonearm import metrics
from tonearm.errors import AppError, Invalid

log = logging.getLogger(__name__)

MAX_CONTROL = 32  # answers waiting to be sent; a member flooding pings loses some
MAINTAIN_EVERY = 30.0  # seconds: the parties gauge, and the database clock re-measured
PRUNE_EVERY_ROUNDS = 20  # old wrong codes deleted every ten minutes or so
CLOCK_EXCHANGES = 5
MAX_MESSAGE = 4096
# A host reports its position every few seconds; more often than this is ignored, so a
# misbehaving client cannot turn its socket into a stream of database writes.
MIN_REPORT_GAP = 0.2


class ServerClock:
    """This replica's estimate of the database's clock. Party timelines are stamped by the
    database, and every replica answers pings on the same clock, so members on different
    replicas agree even when the replicas' own clocks do not."""

    def __init__(self, store: PartyStore) -> None:
        self.store = store
        self.offset_ms = 0.0
        self.error_ms: float | None = None  # None: not measured yet

    def now_ms(self) -> float:
        return time.time() * 1000 + self.offset_ms

    async def measure(self, exchanges: int = CLOCK_EXCHANGES) -> clock.Sample:
        samples = []
        for _ in range(exchanges):
            t0 = time.time() * 1000
            db = await self.store.clock_ms()
            t3 = time.time() * 1000
            samples.append(clock.sample(t0, db, db, t3))
        best = clock.best(samples)
        self.offset_ms, self.error_ms = best.offset_ms, best.error_ms
        return best


Reply = Callable[[], str]  # rendered when sent


class _Socket:
    def __init__(self, ws: web.WebSocketResponse, user_id: int) -> None:
        self.ws = ws
        self.user_id = user_id
        self.seq = -1
        self.state: str | None = None
        self.final = False
        self.control: deque[Reply] = deque()
        self.wake = asyncio.Event()
        self.reported = 0.0  # monotonic time of the last position report taken

    def offer(self, seq: int, text: str, *, final: bool = False) -> None:
        """The newest party state replaces one not yet sent; `final` closes after it."""
        if seq <= self.seq or self.final:
            return
        self.seq, self.state, self.final = seq, text, final
        self.wake.set()

    def reply(self, render: Reply) -> None:
        if len(self.control) < MAX_CONTROL:
            self.control.append(render)
            self.wake.set()

    async def pump(self) -> None:
        try:
            while True:
                await self.wake.wait()
                self.wake.clear()
                while self.control:
                    await self.ws.send_str(self.control.popleft()())
                if self.state is not None:
                    text, self.state = self.state, None
                    await self.ws.send_str(text)
                    if self.final:
                        await self.ws.close(code=WSCloseCode.OK, message=b"party over")
                        return
        except (ConnectionError, RuntimeError):
            pass  # the member went away; the handler's read loop ends too


class PartyEvents:
    def __init__(
        self,
        listener: UserEvents,
        service: PartyService,
        server_clock: ServerClock,
        host_grace: int = 0,
    ):
        self.listener = listener
        self.service = service
        self.clock = server_clock
        self.host_grace = host_grace
        # This process's presence rows: random, so a restarted replica never mistakes the
        # rows of its previous life for its own.
        self.replica = secrets.token_hex(8)
        self._sockets: dict[str, set[_Socket]] = {}
        # Sockets held here per (party, user), and one writer of this replica's rows at a
        # time: each write stores what is true when it runs, so a quick close and reopen
        # never leaves a member marked away.
        self._present: dict[tuple[str, int], int] = {}
        self._presence_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        # a party id is its invite: logs name only its start
        self._refresh: Coalesced[str] = Coalesced(
            self._send_state, self._spawn, "state of party", lambda pid: f"{pid[:6]}…"
        )
        listener.subscribe("party", self._notified, self._resync)

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _notified(self, event: dict[str, Any]) -> None:
        party_id = str(event["party_id"])
        if party_id in self._sockets:
            self._refresh(party_id)

    def _resync(self) -> None:
        """The listener (re)connected: anything may have changed meanwhile."""
        for party_id in list(self._sockets):
            self._refresh(party_id)

    async def _send_state(self, party_id: str) -> None:
        sockets = list(self._sockets.get(party_id, ()))
        if not sockets:
            return
        s = self.service
        party = await s.store.get(party_id)
        if party is None:
            return
        members = await s.store.members(party_id, rules.PRESENCE_TTL)
        inside = {m.user_id for m in members}
        body: dict[str, Any] = {"seq": party.seq, **s.timeline(party)}
        view = await s.player.view(await s.player.load(party.host_id))
        current = (view["current"] or {}).get("track")
        if party.track_id is None:
            current = None
        elif current is None or current.id != party.track_id:
            found = await s.catalog.get_tracks([party.track_id])
            current = found[0] if found else None
        body["track"] = current
        body["queue"] = [e["track"] for e in view["queue"] if e["track"] is not None]
        body["next_tracks"] = view["next_tracks"]
        rendered: dict[tuple[str, int], str] = {}
        for sock in sockets:
            ended = party.ended_at is not None
            gone = not ended and sock.user_id not in inside
            kind = "ended" if ended else "left" if gone else party.event
            if sock.seq < 0 and not (ended or gone):
                kind = "sync"  # the first message of a socket: everything, from scratch
            elif kind == "code" and sock.user_id != party.host_id:
                sock.seq = party.seq
                continue  # only the host hears about its code
            key = (kind, sock.user_id if sock.user_id == party.host_id else 0)
            if key not in rendered:
                message = {"type": kind, **body, "party": s.view(party, members, sock.user_id)}
                rendered[key] = dumps(message)
            sock.offer(party.seq, rendered[key], final=ended or gone)

    async def serve(self, request: web.Request, user_id: int, party_id: str) -> web.StreamResponse:
        """A member's socket: the party at once (`sync`), then every change."""
        await self.service.get(user_id, party_id)  # not in it: a plain 404, no upgrade
        if self.clock.error_ms is None:
            await self.clock.measure()
        ws = web.WebSocketResponse(heartbeat=HEARTBEAT, max_msg_size=MAX_MESSAGE)
        await ws.prepare(request)
        sock = _Socket(ws, user_id)
        key = (party_id, user_id)
        self._present[key] = self._present.get(key, 0) + 1
        metrics.PARTY_SOCKETS.inc()
        self.listener.hold()
        pump = self._spawn(sock.pump())
        try:
            # Stored before the socket can be sent anything (the listener's resync may
            # push at any moment from now): its first message shows us online.
            await self._sync_presence(key)
            self._sockets.setdefault(party_id, set()).add(sock)
            self._refresh(party_id)
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._handle(sock, party_id, msg.data)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            group = self._sockets.get(party_id, set())
            group.discard(sock)
            if not group:
                self._sockets.pop(party_id, None)
            self._present[key] -= 1
            if not self._present[key]:
                del self._present[key]
                self._spawn(self._sync_presence(key))
            metrics.PARTY_SOCKETS.dec()
            self.listener.release()
            pump.cancel()
        return ws

    async def _handle(self, sock: _Socket, party_id: str, text: str) -> None:
        received = self.clock.now_ms()
        try:
            msg = json.loads(text)
            if not isinstance(msg, dict):
                raise ValueError
        except ValueError:
            sock.reply(_error(Invalid("messages are JSON objects", code="invalid_json")))
            return
        kind = msg.get("type")
        try:
            if kind == "ping":
                sock.reply(self._pong(msg, received))
            elif kind == "position":
                if time.monotonic() - sock.reported < MIN_REPORT_GAP:
                    return
                if await self.service.host_position(
                    sock.user_id,
                    party_id,
                    _int(msg, "track_id"),
                    _int(msg, "position_ms"),
                    _number(msg, "at_ms"),
                    received,
                ):
                    sock.reported = time.monotonic()
            else:
                await self._request(sock.user_id, party_id, kind, msg)
                if kind == "suggest":
                    track_id = msg["track_id"]
                    sock.reply(lambda: dumps({"type": "suggested", "track_id": track_id}))
        except AppError as exc:
            sock.reply(_error(exc))
        except Exception:
            log.exception("party message %r failed", kind)
            sock.reply(
                _error(AppError("something went wrong on the server", code="internal_error"))
            )

    def _pong(self, msg: dict[str, Any], received: float) -> Reply:
        ping_id, t0 = msg.get("id"), msg.get("t0")
        if not isinstance(t0, int | float) or isinstance(t0, bool):
            raise Invalid("ping needs t0, the client's clock in ms", code="invalid_field")
        return lambda: dumps(
            {"type": "pong", "id": ping_id, "t0": t0, "t1": received, "t2": self.clock.now_ms()}
        )

    async def _request(self, user_id: int, party_id: str, kind: Any, msg: dict[str, Any]) -> None:
        s = self.service
        if kind == "suggest":
            await s.suggest(user_id, party_id, _int(msg, "track_id"))
        elif kind == "handover":
            await s.hand_over(
                user_id, party_id, _int(msg, "user_id"), leave=msg.get("leave") is True
            )
        elif kind == "end":
            await s.end(user_id, party_id)
        elif kind == "leave":
            await s.leave(user_id, party_id)
        else:
            raise Invalid(f"unknown message type {kind!r}", code="unknown_type")

    async def _sync_presence(self, key: tuple[str, int]) -> None:
        """Store whether this replica holds a socket of (party, user), as of now."""
        try:
            async with self._presence_lock:
                store = self.service.store
                if key in self._present:
                    await store.present(self.replica, [key])
                else:
                    await store.absent(self.replica, [key])
        except Exception as exc:
            # The next round of keep_presence writes it again (or the row expires).
            log.warning("could not store party presence (%s)", exc)

    async def keep_presence(self) -> None:
        """Every few seconds: refresh this replica's presence rows, then sweep everyone's
        stale rows and end the parties whose host is gone (guarded in the database, so
        every replica may do it)."""
        every = rules.sweep_every(self.host_grace)
        while True:
            try:
                async with self._presence_lock:
                    await self.service.store.present(self.replica, list(self._present))
                await self.service.expire(self.host_grace)
            except Exception as exc:
                log.warning("party presence upkeep failed (%s); trying again later", exc)
            await asyncio.sleep(every)

    async def close_sockets(self) -> None:
        for group in list(self._sockets.values()):
            for sock in list(group):
                await sock.ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")

    async def maintain(self) -> None:
        """The gauge of running parties, the database clock while members are here, and
        now and then the wrong codes that have left every window."""
        rounds = 0
        while True:
            try:
                store = self.service.store
                metrics.PARTIES_ACTIVE.set(await store.count_running())
                if self._sockets:
                    await self.clock.measure()
                if rounds % PRUNE_EVERY_ROUNDS == 0:
                    await store.prune_failures(rules.FAILURE_WINDOW * 2)
                    await store.prune_suggestions(rules.SUGGESTION_WINDOW * 2)
            except Exception as exc:
                log.warning("party upkeep failed (%s); trying again later", exc)
            rounds += 1
            await asyncio.sleep(MAINTAIN_EVERY)

    async def stop(self) -> None:
        await self.close_sockets()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            # Gone at once, rather than after the expiry (and announced).
            await self.service.store.absent(self.replica)
        except Exception as exc:
            log.warning("could not clear this replica's party presence (%s)", exc)


def _int(msg: dict[str, Any], name: str) -> int:
    value = msg.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise Invalid(f"{name} must be a whole number", code="invalid_field")
    return value


def _number(msg: dict[str, Any], name: str) -> float:
    value = msg.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{name} must be a number", code="invalid_field")
    return float(value)


def _error(exc: AppError) -> Reply:
    error: dict[str, Any] = {"code": exc.code, "message": exc.message}
    if "Retry-After" in exc.headers:
        error["retry_after"] = int(exc.headers["Retry-After"])
    text = dumps({"type": "error", "error": error})
    return lambda: text


PARTY_EVENTS = web.AppKey("party_events", PartyEvents)


def setup_party_events(app: web.Application) -> None:
    """After setup_user_events: the party hub rides on its listener."""
    services = app[SERVICES]
    hub = PartyEvents(
        app[USER_EVENTS],
        services.parties,
        ServerClock(services.parties.store),
        host_grace=services.config.party_host_grace,
    )
    app[PARTY_EVENTS] = hub

    async def lifecycle(_app: web.Application) -> AsyncIterator[None]:
        upkeep = [asyncio.create_task(hub.maintain()), asyncio.create_task(hub.keep_presence())]
        yield
        for task in upkeep:
            task.cancel()
        await asyncio.gather(*upkeep, return_exceptions=True)
        await hub.stop()

    async def close_sockets(_app: web.Application) -> None:
        await hub.close_sockets()

    app.cleanup_ctx.append(lifecycle)
    app.on_shutdown.append(close_sockets)
