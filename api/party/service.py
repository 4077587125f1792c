"""The listen-party service: create, join under the code limits, leave, hand over, and the
party's timeline, taken from every change of the host's own player."""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from api.party import clock, rules
from api.player.service import PlayerService, Snapshot
from store.catalog import CatalogStore
from store.parties import Member, Party, PartyStore, Timeline
from tonearm import metrics
from tonearm.errors import Conflict, Forbidden, Invalid, NotFound, TooManyRequests

log = logging.getLogger(__name__)

ID_BYTES = 16  # 128 random bits: the invite link cannot be guessed
MAX_ID_LENGTH = 64
REFUSED = "no listen party at this link, or the code is wrong"


def _timeline(snap: Snapshot) -> Timeline:
    """The host's player as a timeline, as of its last write."""
    s = snap.state
    return Timeline(
        s.current.track_id if s.current else None,
        s.position_ms,
        s.playing and s.current is not None,
        snap.updated_at or datetime.now(UTC),
    )


def epoch_ms(at: datetime) -> float:
    return at.timestamp() * 1000


class PartyService:
    def __init__(self, store: PartyStore, player: PlayerService, catalog: CatalogStore) -> None:
        self.store = store
        self.player = player
        self.catalog = catalog
        player.observers.append(self.player_changed)

    # Finding parties

    async def running_for(self, user_id: int) -> Party | None:
        return await self.store.running_for(user_id)

    async def get(self, user_id: int, party_id: str) -> Party:
        """A running party the user is in. Anyone else, and any other id, hears the same."""
        if len(party_id) <= MAX_ID_LENGTH:
            party = await self.store.get(party_id)
            if (
                party is not None
                and party.ended_at is None
                and await self.store.is_member(party_id, user_id)
            ):
                return party
        raise NotFound("no listen party at this link", code="party_not_found")

    async def hosted(self, user_id: int, party_id: str) -> Party:
        party = await self.get(user_id, party_id)
        if party.host_id != user_id:
            raise Forbidden("only the host can do this", code="host_only")
        return party

    # Starting, joining, leaving

    async def create(self, user_id: int, *, require_code: bool, allow_suggestions: bool) -> Party:
        snap = await self.player.load(user_id)
        code = rules.new_code() if require_code else None
        party = await self.store.create(
            secrets.token_urlsafe(ID_BYTES),
            user_id,
            code,
            allow_suggestions,
            _timeline(snap),
            snap.version,
        )
        if party is None:
            raise Conflict(
                "you are hosting a listen party already: end it or hand it over first",
                code="already_hosting",
            )
        metrics.PARTIES_ACTIVE.set(await self.store.count_running())
        return party

    async def join(self, user_id: int, party_id: str, code: str | None, client: str) -> Party:
        """Join with the party's code (when it has one), under the lock-out limits. An
        unknown party, an ended one and a wrong or missing code all get one answer."""
        if code is not None and not rules.valid_code(code):
            raise Invalid("the code is four digits", code="invalid_code")
        hosted = await self.store.hosted_by(user_id)
        if hosted is not None and hosted.id != party_id:
            raise Conflict(
                "you are hosting a listen party: end it or hand it over before joining another",
                code="already_hosting",
            )
        result, wait = await self._attempt(user_id, party_id[: MAX_ID_LENGTH + 1], code, client)
        metrics.PARTY_JOINS.labels(result).inc()
        if result == "locked_out":
            assert wait is not None
            raise TooManyRequests(
                "too many wrong codes; try again later",
                code="join_locked_out",
                headers={"Retry-After": str(wait)},
            )
        if result == "refused":
            raise Forbidden(REFUSED, code="join_refused")
        return await self.get(user_id, party_id)

    async def _attempt(
        self, user_id: int, party_id: str, code: str | None, client: str
    ) -> tuple[str, int | None]:
        """(ok | member | refused | locked_out, seconds to wait). Decided inside the
        attempt's transaction; nothing is raised there, so a counted failure commits."""
        async with self.store.join_attempt(party_id, user_id, client) as attempt:
            if await attempt.is_member():
                return "member", None  # coming back (a lost connection): no code again
            by_user, by_client, now = await attempt.failures(rules.FAILURE_WINDOW)
            wait = rules.lockout(by_user, by_client, now)
            if wait is not None:
                return "locked_out", rules.retry_seconds(wait)
            party = await attempt.party()
            if party is not None and party.code is None:
                await attempt.admit()
                return "ok", None
            if code is None:
                return "refused", None  # not a guess: nothing to count
            if rules.code_matches(party.code if party else None, code):
                await attempt.admit()
                return "ok", None
            failures = await attempt.fail(party)
            if party is not None and rules.should_rotate(failures):
                await attempt.rotate(party, rules.new_code(party.code))
                metrics.PARTY_CODE_ROTATIONS.inc()
                log.info("party %s…: code replaced after %d wrong guesses", party.id[:6], failures)
            return "refused", None

    async def leave(
        self, user_id: int, party_id: str, *, hand_to: int | None = None, end: bool = False
    ) -> None:
        """A member leaves; the host leaves by ending the party or handing it over."""
        party = await self.get(user_id, party_id)
        if party.host_id != user_id:
            await self.store.leave(party_id, user_id)
        elif hand_to is not None:
            await self.hand_over(user_id, party_id, hand_to, leave=True)
        elif end:
            await self.end(user_id, party_id)
        else:
            raise Invalid(
                "the host leaves by ending the party (end) or handing it to a member (hand_to)",
                code="host_must_choose",
            )

    async def end(self, user_id: int, party_id: str) -> None:
        await self.hosted(user_id, party_id)
        await self.store.end(party_id, user_id)
        metrics.PARTIES_ACTIVE.set(await self.store.count_running())

    async def hand_over(self, user_id: int, party_id: str, to_user_id: int, *, leave: bool) -> None:
        """Make a member the host. Their player takes over the old host's, at the point
        the party's music has reached, so nobody hears a jump."""
        party = await self.hosted(user_id, party_id)
        if to_user_id == user_id or not await self.store.is_member(party_id, to_user_id):
            raise Invalid("hand the party to one of its other members", code="not_a_member")
        old = await self.player.load(user_id)
        now = await self.store.clock_ms()
        position = clock.position_at(
            party.position_ms, party.playing, epoch_ms(party.anchor_at), now
        )
        state = replace(old.state, position_ms=int(position), playing=party.playing)
        if not await self.store.hand_over(party_id, user_id, to_user_id, leave=leave):
            raise Conflict("the party changed meanwhile; try again", code="party_changed")
        await self.player.adopt(to_user_id, state)

    # What the host controls

    async def set_code(self, user_id: int, party_id: str, *, require: bool) -> Party:
        """A new code (require) or none at all."""
        party = await self.hosted(user_id, party_id)
        code = rules.new_code(party.code) if require else None
        updated = await self.store.set_code(party_id, user_id, code)
        if updated is None:
            raise Conflict("the party changed meanwhile; try again", code="party_changed")
        return updated

    async def set_suggestions(self, user_id: int, party_id: str, allow: bool) -> Party:
        await self.hosted(user_id, party_id)
        await self.store.set_suggestions(party_id, user_id, allow)
        return await self.get(user_id, party_id)

    async def suggest(self, user_id: int, party_id: str, track_id: int) -> None:
        """A member's track goes to the end of the host's queue, when the host allows it,
        and at most MAX_SUGGESTIONS a SUGGESTION_WINDOW per member (counted in the database,
        so the limit holds however the member's requests spread over replicas). Every
        suggestion taken counts, one of a track that turns out not to exist too."""
        party = await self.get(user_id, party_id)
        if party.host_id != user_id:
            if not party.allow_suggestions:
                raise Forbidden("the host does not take suggestions", code="suggestions_off")
            async with self.store.suggestion(user_id) as slot:
                times, now = await slot.recent(rules.SUGGESTION_WINDOW)
                wait = rules.suggestion_wait(times, now)
                if wait is None:
                    await slot.record(party_id)
            if wait is not None:
                metrics.PARTY_SUGGESTIONS.labels("rate_limited").inc()
                seconds = rules.retry_seconds(wait)
                raise TooManyRequests(
                    f"you have suggested {rules.MAX_SUGGESTIONS} tracks in the last minute;"
                    f" you can suggest again in {seconds} s",
                    code="suggestions_rate_limited",
                    headers={"Retry-After": str(seconds)},
                )
            metrics.PARTY_SUGGESTIONS.labels("ok").inc()
        await self.player.queue_add(party.host_id, track_id, "last")

    # Presence and the host's absence

    async def expire(self, host_grace_s: int) -> list[str]:
        """Sweep presence rows no replica refreshes any more, and end the parties whose
        host has had no socket open for `host_grace_s` (0: never). Safe on every replica at
        once: each statement is guarded in the database. The parties ended, by id."""
        await self.store.sweep_presence(rules.PRESENCE_TTL)
        if host_grace_s <= 0:
            return []
        ended = await self.store.end_abandoned(timedelta(seconds=host_grace_s), rules.PRESENCE_TTL)
        if ended:
            metrics.PARTIES_HOST_GONE.inc(len(ended))
            metrics.PARTIES_ACTIVE.set(await self.store.count_running())
            for party_id in ended:
                log.info(
                    "party %s…: ended, no socket of its host for %d s", party_id[:6], host_grace_s
                )
        return ended

    async def host_position(
        self,
        user_id: int,
        party_id: str,
        track_id: int,
        position_ms: int,
        at_ms: float,
        now_ms: float,
    ) -> bool:
        """The host's own player says where it is: the timeline follows it exactly."""
        if not rules.report_usable(at_ms, now_ms) or not 0 <= position_ms <= 86_400_000:
            return False
        return await self.store.host_position(party_id, user_id, track_id, position_ms, at_ms)

    # The host's player drives the party

    async def player_changed(self, user_id: int, before: Snapshot, after: Snapshot) -> None:
        """Every stored change of any user's player: a host's becomes their party's event."""
        change = rules.party_change(before.state, after.state)
        if change is None:
            return
        timeline = _timeline(after) if change.moves else None
        await self.store.host_changed(user_id, change.event, timeline, after.version)

    # What clients see

    @staticmethod
    def view(party: Party, members: list[Member], user_id: int) -> dict[str, Any]:
        """The party as `user_id` sees it: only its host sees the code."""
        host = next((m for m in members if m.user_id == party.host_id), None)
        out: dict[str, Any] = {
            "id": party.id,
            "link": f"/party/{party.id}",
            "host": {"id": party.host_id, "name": host.name if host else None},
            "members": [
                {
                    "id": m.user_id,
                    "name": m.name,
                    "host": m.user_id == party.host_id,
                    "online": m.online,
                }
                for m in members
            ],
            "require_code": party.code is not None,
            "allow_suggestions": party.allow_suggestions,
            "you_are_host": party.host_id == user_id,
            "created_at": party.created_at,
            "ended": party.ended_at is not None,
        }
        if party.host_id == user_id:
            out["code"] = party.code
            out["code_rotated"] = party.code_rotated
        return out

    async def view_for(self, party: Party, user_id: int) -> dict[str, Any]:
        return self.view(party, await self.store.members(party.id, rules.PRESENCE_TTL), user_id)

    @staticmethod
    def timeline(party: Party) -> dict[str, Any]:
        """The fields every party event carries: schedule `track_id` so that it is at
        `position_ms` at server time `server_time_ms`, moving on from there if `playing`."""
        return {
            "track_id": party.track_id,
            "position_ms": party.position_ms,
            "playing": party.playing,
            "server_time_ms": round(epoch_ms(party.anchor_at)),
        }
