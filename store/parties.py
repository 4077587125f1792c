"""Listen parties, their members and wrong join codes; every change is announced by NOTIFY."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import asyncpg

from store.player import EVENTS_CHANNEL

# Payloads are {"type": "party", "party_id", "seq"} (~80 bytes, far below NOTIFY's 8000):
# receivers load what changed from the table. The channel is the one the player's events
# use, so each replica's single listener hears both.
_ANNOUNCE = """
    SELECT id, seq, pg_notify($1, json_build_object('type', 'party', 'party_id', id,
                                                    'seq', seq)::text)
      FROM changed
"""
# Advisory-lock classes of join attempts and of suggestions (pg_advisory_xact_lock(int,
# int)): any constants unused by the rest of the schema.
_JOIN_LOCK = 0x7A47
_SUGGEST_LOCK = 0x7A48


@dataclass(frozen=True, slots=True)
class Party:
    """A party as stored. `code` is a secret: only the host's view shows it (api/party)."""

    id: str
    host_id: int
    code: str | None = field(repr=False)
    code_set_at: datetime
    code_rotated: bool
    allow_suggestions: bool
    track_id: int | None
    position_ms: int
    playing: bool
    anchor_at: datetime
    seq: int
    event: str
    created_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class Member:
    user_id: int
    name: str
    joined_at: datetime
    online: bool = False  # a party socket open on some replica right now


@dataclass(frozen=True, slots=True)
class Timeline:
    """Where the host's track is: `position_ms` at `at` (database time), moving if playing."""

    track_id: int | None
    position_ms: int
    playing: bool
    at: datetime


_COLS = """p.id, p.host_id, p.code, p.code_set_at, p.code_rotated, p.allow_suggestions,
           p.track_id, p.position_ms, p.playing, p.anchor_at, p.seq, p.event, p.created_at,
           p.ended_at"""


def _party(r: asyncpg.Record) -> Party:
    return Party(*(r[i] for i in range(14)))


class JoinAttempt:
    """One join attempt, inside a transaction that holds this user's and this address's
    join lock: concurrent attempts on any replica are counted one after the other."""

    def __init__(self, conn: asyncpg.Connection, party_id: str, user_id: int, client: str):
        self.conn = conn
        self.party_id = party_id
        self.user_id = user_id
        self.client = client

    async def failures(self, window: timedelta) -> tuple[list[datetime], list[datetime], datetime]:
        """Times of this user's and this address's wrong codes in the window, and now."""
        rows = await self.conn.fetch(
            """SELECT user_id = $1 AS by_user, client = $2 AS by_client, at
                 FROM party_join_failures
                WHERE at > now() - $3::interval AND (user_id = $1 OR client = $2)""",
            self.user_id,
            self.client,
            window,
        )
        now: datetime = await self.conn.fetchval("SELECT now()")
        return (
            [r["at"] for r in rows if r["by_user"]],
            [r["at"] for r in rows if r["by_client"]],
            now,
        )

    async def party(self) -> Party | None:
        """The running party, locked until the attempt ends (its failure count is exact)."""
        r = await self.conn.fetchrow(
            f"SELECT {_COLS} FROM parties p WHERE p.id = $1 AND p.ended_at IS NULL FOR UPDATE",
            self.party_id,
        )
        return _party(r) if r else None

    async def is_member(self) -> bool:
        return bool(
            await self.conn.fetchval(
                """SELECT EXISTS (SELECT 1 FROM party_members m JOIN parties p ON p.id = m.party_id
                                   WHERE m.party_id = $1 AND m.user_id = $2
                                     AND p.ended_at IS NULL)""",
                self.party_id,
                self.user_id,
            )
        )

    async def fail(self, party: Party | None) -> int:
        """Count a wrong code; the party's wrong codes since its code was set."""
        await self.conn.execute(
            "INSERT INTO party_join_failures (party_id, user_id, client) VALUES ($1, $2, $3)",
            None if party is None else party.id,
            self.user_id,
            self.client,
        )
        if party is None:
            return 0
        return int(
            await self.conn.fetchval(
                "SELECT count(*) FROM party_join_failures WHERE party_id = $1 AND at >= $2",
                party.id,
                party.code_set_at,
            )
        )

    async def rotate(self, party: Party, code: str) -> None:
        """Replace a code that took too many guesses, and tell the host."""
        await self.conn.fetch(
            """WITH changed AS (
                   UPDATE parties SET code = $2, code_set_at = clock_timestamp(),
                          code_rotated = true, seq = seq + 1, event = 'code'
                    WHERE id = $3 RETURNING id, seq)"""
            + _ANNOUNCE,
            EVENTS_CHANNEL,
            code,
            party.id,
        )

    async def admit(self) -> None:
        """Make the user a member, leaving any other party they were in."""
        await _leave_others(self.conn, self.user_id, self.party_id)
        await self.conn.execute(
            "INSERT INTO party_members (party_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            self.party_id,
            self.user_id,
        )
        await _bump(self.conn, self.party_id, "members")


class SuggestionSlot:
    """One member's suggestion, inside a transaction holding that user's suggestion lock:
    concurrent suggestions on any replica are counted one after the other."""

    def __init__(self, conn: asyncpg.Connection, user_id: int) -> None:
        self.conn = conn
        self.user_id = user_id

    async def recent(self, window: timedelta) -> tuple[list[datetime], datetime]:
        """Times of this user's suggestions in the window, and now."""
        rows = await self.conn.fetch(
            "SELECT at FROM party_suggestions WHERE user_id = $1 AND at > now() - $2::interval",
            self.user_id,
            window,
        )
        now: datetime = await self.conn.fetchval("SELECT now()")
        return [r["at"] for r in rows], now

    async def record(self, party_id: str) -> None:
        await self.conn.execute(
            "INSERT INTO party_suggestions (party_id, user_id) VALUES ($1, $2)",
            party_id,
            self.user_id,
        )


async def _bump(conn: asyncpg.Connection | asyncpg.Pool, party_id: str, event: str) -> bool:
    rows = await conn.fetch(
        """WITH changed AS (
               UPDATE parties SET seq = seq + 1, event = $2
                WHERE id = $3 AND ended_at IS NULL RETURNING id, seq)"""
        + _ANNOUNCE,
        EVENTS_CHANNEL,
        event,
        party_id,
    )
    return bool(rows)


async def _leave_others(conn: asyncpg.Connection, user_id: int, keep: str | None) -> None:
    """The user leaves every running party but `keep` (one party at a time)."""
    await conn.fetch(
        """WITH gone AS (
               DELETE FROM party_members m USING parties p
                WHERE m.user_id = $2 AND p.id = m.party_id AND p.ended_at IS NULL
                  AND p.host_id <> $2 AND p.id IS DISTINCT FROM $3
               RETURNING m.party_id),
           changed AS (
               UPDATE parties SET seq = seq + 1, event = 'members'
                WHERE id IN (SELECT party_id FROM gone) RETURNING id, seq)"""
        + _ANNOUNCE,
        EVENTS_CHANNEL,
        user_id,
        keep,
    )


class PartyStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def create(
        self,
        party_id: str,
        host_id: int,
        code: str | None,
        allow_suggestions: bool,
        timeline: Timeline,
        version: int,
    ) -> Party | None:
        """A new party hosted by `host_id`, who leaves any party they were a member of;
        None when they already host one."""
        async with self.pool.acquire() as conn, conn.transaction():
            r = await conn.fetchrow(
                f"""INSERT INTO parties AS p (id, host_id, code, allow_suggestions, track_id,
                                              position_ms, playing, anchor_at, anchor_version)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                    ON CONFLICT (host_id) WHERE ended_at IS NULL DO NOTHING
                    RETURNING {_COLS}""",
                party_id,
                host_id,
                code,
                allow_suggestions,
                timeline.track_id,
                timeline.position_ms,
                timeline.playing,
                timeline.at,
                version,
            )
            if r is None:
                return None
            await _leave_others(conn, host_id, party_id)
            await conn.execute(
                "INSERT INTO party_members (party_id, user_id) VALUES ($1, $2)", party_id, host_id
            )
        return _party(r)

    async def get(self, party_id: str) -> Party | None:
        """The party, running or ended."""
        r = await self.pool.fetchrow(f"SELECT {_COLS} FROM parties p WHERE p.id = $1", party_id)
        return _party(r) if r else None

    async def running_for(self, user_id: int) -> Party | None:
        """The running party the user hosts or is a member of."""
        r = await self.pool.fetchrow(
            f"""SELECT {_COLS} FROM parties p JOIN party_members m ON m.party_id = p.id
                 WHERE m.user_id = $1 AND p.ended_at IS NULL
                 ORDER BY (p.host_id = $1) DESC, m.joined_at DESC LIMIT 1""",
            user_id,
        )
        return _party(r) if r else None

    async def hosted_by(self, user_id: int) -> Party | None:
        r = await self.pool.fetchrow(
            f"SELECT {_COLS} FROM parties p WHERE p.host_id = $1 AND p.ended_at IS NULL", user_id
        )
        return _party(r) if r else None

    async def members(self, party_id: str, fresh: timedelta) -> list[Member]:
        """The members, each online when a presence row of theirs is younger than `fresh`."""
        rows = await self.pool.fetch(
            """SELECT u.id, u.name, m.joined_at,
                      EXISTS (SELECT 1 FROM party_presence pr
                               WHERE pr.party_id = m.party_id AND pr.user_id = m.user_id
                                 AND pr.seen_at > now() - $2::interval) AS online
                 FROM party_members m JOIN users u ON u.id = m.user_id
                WHERE m.party_id = $1 ORDER BY m.joined_at, u.id""",
            party_id,
            fresh,
        )
        return [Member(r["id"], r["name"], r["joined_at"], r["online"]) for r in rows]

    async def is_member(self, party_id: str, user_id: int) -> bool:
        return bool(
            await self.pool.fetchval(
                "SELECT EXISTS (SELECT 1 FROM party_members WHERE party_id = $1 AND user_id = $2)",
                party_id,
                user_id,
            )
        )

    @asynccontextmanager
    async def join_attempt(
        self, party_id: str, user_id: int, client: str
    ) -> AsyncIterator[JoinAttempt]:
        """A transaction holding the user's and then the address's join lock (always in
        that order, then the party row: no two attempts can wait on each other in a cycle)."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext($2))", _JOIN_LOCK, f"user:{user_id}"
            )
            await conn.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext($2))", _JOIN_LOCK, f"client:{client}"
            )
            yield JoinAttempt(conn, party_id, user_id, client)

    async def leave(self, party_id: str, user_id: int) -> bool:
        """A member (not the host) leaves; False when they were not in it."""
        async with self.pool.acquire() as conn, conn.transaction():
            gone = await conn.fetchval(
                """DELETE FROM party_members m USING parties p
                    WHERE m.party_id = $1 AND m.user_id = $2 AND p.id = m.party_id
                      AND p.host_id <> $2 RETURNING m.user_id""",
                party_id,
                user_id,
            )
            if gone is None:
                return False
            await _bump(conn, party_id, "members")
        return True

    async def end(self, party_id: str, host_id: int) -> bool:
        rows = await self.pool.fetch(
            """WITH changed AS (
                   UPDATE parties SET ended_at = now(), playing = false, seq = seq + 1,
                          event = 'ended'
                    WHERE id = $2 AND host_id = $3 AND ended_at IS NULL RETURNING id, seq)"""
            + _ANNOUNCE,
            EVENTS_CHANNEL,
            party_id,
            host_id,
        )
        return bool(rows)

    async def hand_over(self, party_id: str, host_id: int, to_user_id: int, *, leave: bool) -> bool:
        """Make a member the host; with `leave` the old host leaves too. False when the
        caller is not the host or the other is not a member. The timeline is taken from the
        new host's player from now on, whose versions count from their own."""
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                """WITH changed AS (
                       UPDATE parties p SET host_id = $4, anchor_version = 0, seq = seq + 1,
                              event = 'host', host_seen_at = now()
                        WHERE p.id = $2 AND p.host_id = $3 AND p.ended_at IS NULL AND $4 <> $3
                          AND EXISTS (SELECT 1 FROM party_members m
                                       WHERE m.party_id = p.id AND m.user_id = $4)
                       RETURNING id, seq)"""
                + _ANNOUNCE,
                EVENTS_CHANNEL,
                party_id,
                host_id,
                to_user_id,
            )
            if not rows:
                return False
            if leave:
                await conn.execute(
                    "DELETE FROM party_members WHERE party_id = $1 AND user_id = $2",
                    party_id,
                    host_id,
                )
        return True

    async def set_code(self, party_id: str, host_id: int, code: str | None) -> Party | None:
        """The host's new code (None: no code needed any more)."""
        async with self.pool.acquire() as conn, conn.transaction():
            r = await conn.fetchrow(
                f"""UPDATE parties p SET code = $1, code_set_at = clock_timestamp(),
                           code_rotated = false, seq = seq + 1, event = 'code'
                     WHERE p.id = $2 AND p.host_id = $3 AND p.ended_at IS NULL
                     RETURNING {_COLS}""",
                code,
                party_id,
                host_id,
            )
            if r is None:
                return None
            await conn.execute(
                """SELECT pg_notify($1, json_build_object('type', 'party', 'party_id', $2::text,
                                                          'seq', $3::bigint)::text)""",
                EVENTS_CHANNEL,
                r["id"],
                r["seq"],
            )
        return _party(r)

    async def set_suggestions(self, party_id: str, host_id: int, allow: bool) -> bool:
        rows = await self.pool.fetch(
            """WITH changed AS (
                   UPDATE parties SET allow_suggestions = $2, seq = seq + 1, event = 'settings'
                    WHERE id = $3 AND host_id = $4 AND ended_at IS NULL RETURNING id, seq)"""
            + _ANNOUNCE,
            EVENTS_CHANNEL,
            allow,
            party_id,
            host_id,
        )
        return bool(rows)

    async def host_changed(
        self, host_id: int, event: str, timeline: Timeline | None, version: int
    ) -> None:
        """The host's player changed: announce `event` to their running party, and move its
        timeline (unless None) if `version` is newer than the one it was taken from."""
        moves = timeline is not None
        t = timeline or Timeline(None, 0, False, datetime.now().astimezone())
        await self.pool.fetch(
            """WITH changed AS (
                   UPDATE parties SET
                       track_id = CASE WHEN $3 AND anchor_version < $4 THEN $5 ELSE track_id END,
                       position_ms = CASE WHEN $3 AND anchor_version < $4 THEN $6
                                          ELSE position_ms END,
                       playing = CASE WHEN $3 AND anchor_version < $4 THEN $7 ELSE playing END,
                       anchor_at = CASE WHEN $3 AND anchor_version < $4 THEN $8 ELSE anchor_at END,
                       anchor_version = CASE WHEN $3 AND anchor_version < $4 THEN $4
                                             ELSE anchor_version END,
                       seq = seq + 1, event = $9
                    WHERE host_id = $2 AND ended_at IS NULL RETURNING id, seq)"""
            + _ANNOUNCE,
            EVENTS_CHANNEL,
            host_id,
            moves,
            version,
            t.track_id,
            t.position_ms,
            t.playing,
            t.at,
            event,
        )

    async def host_position(
        self, party_id: str, host_id: int, track_id: int, position_ms: int, at_ms: float
    ) -> bool:
        """The host's own measurement: its track was at `position_ms` at server time
        `at_ms`. Ignored unless that track is still playing and the report is newer."""
        rows = await self.pool.fetch(
            """WITH changed AS (
                   UPDATE parties SET position_ms = $5, anchor_at = to_timestamp($6 / 1000.0),
                          seq = seq + 1, event = 'position'
                    WHERE id = $2 AND host_id = $3 AND ended_at IS NULL AND playing
                      AND track_id = $4 AND anchor_at < to_timestamp($6 / 1000.0)
                   RETURNING id, seq)"""
            + _ANNOUNCE,
            EVENTS_CHANNEL,
            party_id,
            host_id,
            track_id,
            position_ms,
            at_ms,
        )
        return bool(rows)

    # Presence: which replica holds whose sockets. `replica` is the serving process's id.

    async def present(self, replica: str, held: list[tuple[str, int]]) -> int:
        """This replica holds sockets of these (party, user): their rows are (re)written
        as seen now, and a host among them is seen now. A row that was not there (a new
        socket owner, or one swept while this replica was frozen) announces `members`.
        Returns how many parties were announced."""
        if not held:
            return 0
        rows = await self.pool.fetch(
            """WITH held AS (
                   SELECT h.party_id, h.user_id
                     FROM unnest($2::text[], $3::bigint[]) AS h(party_id, user_id)
                     JOIN parties p ON p.id = h.party_id AND p.ended_at IS NULL),
               up AS (
                   INSERT INTO party_presence (party_id, user_id, replica)
                   SELECT party_id, user_id, $4 FROM held
                   ON CONFLICT (party_id, user_id, replica) DO UPDATE SET seen_at = now()
                   RETURNING party_id, user_id, (xmax = 0) AS inserted),
               touched AS (
                   SELECT p.id, bool_or(up.inserted) AS announce,
                          bool_or(up.user_id = p.host_id) AS host
                     FROM up JOIN parties p ON p.id = up.party_id GROUP BY p.id),
               changed AS (
                   UPDATE parties p
                      SET host_seen_at = CASE WHEN t.host THEN now() ELSE p.host_seen_at END,
                          seq = CASE WHEN t.announce THEN p.seq + 1 ELSE p.seq END,
                          event = CASE WHEN t.announce THEN 'members' ELSE p.event END
                     FROM touched t
                    WHERE p.id = t.id AND (t.announce OR t.host) AND p.ended_at IS NULL
                   RETURNING p.id, p.seq, t.announce)
               SELECT id, seq, pg_notify($1, json_build_object('type', 'party', 'party_id', id,
                                                               'seq', seq)::text)
                 FROM changed WHERE announce""",
            EVENTS_CHANNEL,
            [party_id for party_id, _ in held],
            [user_id for _, user_id in held],
            replica,
        )
        return len(rows)

    async def absent(self, replica: str, held: list[tuple[str, int]] | None = None) -> int:
        """This replica no longer holds sockets of these (party, user) (None: of anyone):
        their rows go, a host among them was last seen now, and each party announces
        `members`. Returns how many parties were announced."""
        parties = None if held is None else [party_id for party_id, _ in held]
        users = None if held is None else [user_id for _, user_id in held]
        rows = await self.pool.fetch(
            """WITH gone AS (
                   DELETE FROM party_presence pr
                    WHERE pr.replica = $2
                      AND ($3::text[] IS NULL
                           OR (pr.party_id, pr.user_id) IN
                              (SELECT * FROM unnest($3::text[], $4::bigint[])))
                   RETURNING pr.party_id, pr.user_id),
               changed AS (
                   UPDATE parties p
                      SET seq = p.seq + 1, event = 'members',
                          host_seen_at = CASE WHEN EXISTS (
                                             SELECT 1 FROM gone g
                                              WHERE g.party_id = p.id AND g.user_id = p.host_id)
                                         THEN now() ELSE p.host_seen_at END
                    WHERE p.id IN (SELECT party_id FROM gone) AND p.ended_at IS NULL
                   RETURNING p.id, p.seq)"""
            + _ANNOUNCE,
            EVENTS_CHANNEL,
            replica,
            parties,
            users,
        )
        return len(rows)

    async def sweep_presence(self, ttl: timedelta) -> int:
        """Delete the rows no replica refreshed for `ttl` (their replica died or froze) and
        announce `members` in their parties. Any replica may run it, at any time: each
        row is deleted, and announced, once. Returns how many parties were announced."""
        rows = await self.pool.fetch(
            """WITH gone AS (
                   DELETE FROM party_presence WHERE seen_at < now() - $2::interval
                   RETURNING party_id),
               changed AS (
                   UPDATE parties SET seq = seq + 1, event = 'members'
                    WHERE id IN (SELECT party_id FROM gone) AND ended_at IS NULL
                   RETURNING id, seq)"""
            + _ANNOUNCE,
            EVENTS_CHANNEL,
            ttl,
        )
        return len(rows)

    async def end_abandoned(self, grace: timedelta, ttl: timedelta) -> list[str]:
        """End every running party whose host was last seen longer than `grace` ago and
        has no fresh presence row: `ended` for everyone. Guarded by `ended_at IS NULL`, so
        any replica may run it, concurrently or not: each party ends, and is announced,
        once; a host reconnecting meanwhile (host_seen_at moves) keeps it going."""
        rows = await self.pool.fetch(
            """WITH changed AS (
                   UPDATE parties p SET ended_at = now(), playing = false, seq = seq + 1,
                          event = 'ended'
                    WHERE p.ended_at IS NULL AND p.host_seen_at < now() - $2::interval
                      AND NOT EXISTS (SELECT 1 FROM party_presence pr
                                       WHERE pr.party_id = p.id AND pr.user_id = p.host_id
                                         AND pr.seen_at >= now() - $3::interval)
                   RETURNING id, seq)"""
            + _ANNOUNCE,
            EVENTS_CHANNEL,
            grace,
            ttl,
        )
        return [r["id"] for r in rows]

    # Suggestions

    @asynccontextmanager
    async def suggestion(self, user_id: int) -> AsyncIterator[SuggestionSlot]:
        """A transaction holding the user's suggestion lock."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "SELECT pg_advisory_xact_lock($1, hashtext($2))", _SUGGEST_LOCK, f"user:{user_id}"
            )
            yield SuggestionSlot(conn, user_id)

    async def prune_suggestions(self, older_than: timedelta) -> int:
        status: str = await self.pool.execute(
            "DELETE FROM party_suggestions WHERE at < now() - $1::interval", older_than
        )
        return int(status.split()[-1])

    async def prune_failures(self, older_than: timedelta) -> int:
        """Forget wrong codes no limit looks at any more (they hold client addresses)."""
        status: str = await self.pool.execute(
            "DELETE FROM party_join_failures WHERE at < now() - $1::interval", older_than
        )
        return int(status.split()[-1])

    async def count_running(self) -> int:
        return int(await self.pool.fetchval("SELECT count(*) FROM parties WHERE ended_at IS NULL"))

    async def clock_ms(self) -> float:
        """The database's clock now, in milliseconds since the epoch."""
        value: float = await self.pool.fetchval(
            "SELECT extract(epoch FROM clock_timestamp())::float8 * 1000"
        )
        return value
