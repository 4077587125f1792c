"""Listen-party rules, pure: join codes, the lock-out after wrong ones, and which change of
the host's play state becomes which party event. No I/O."""

from __future__ import annotations

import hmac
import math
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from api.player.state import Item, PlayerState

CODE_DIGITS = 4
CODE_SPACE = 10**CODE_DIGITS
FAILURE_WINDOW = timedelta(minutes=15)
# Wrong codes allowed per window before that user, or that address, must wait. An address
# may be a household behind one router, so it gets more room than one account (the same
# five and twenty as sign-ins).
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20
# Wrong codes a party takes in all (from anyone) before its code is replaced: whatever the
# number of accounts and addresses guessing, one code never sees more than this many guesses,
# so the chance a guess ever lands stays below ROTATE_AFTER / CODE_SPACE (0.1 %).
ROTATE_AFTER = 10
# Presence: each replica refreshes the rows of the sockets it holds this often; a row not
# refreshed for PRESENCE_TTL (its replica died or froze) no longer counts, and is swept.
PRESENCE_EVERY = timedelta(seconds=10)
PRESENCE_TTL = timedelta(seconds=30)
# Suggestions a member may make per window, counted in the database (all replicas) and per
# user: a host's queue should not fill faster than anybody can listen to it.
MAX_SUGGESTIONS = 10
SUGGESTION_WINDOW = timedelta(minutes=1)
# A host's position report older than this, or this far ahead, is a clock gone wrong.
MAX_REPORT_AGE_MS = 5_000
MAX_REPORT_AHEAD_MS = 1_000

# Compared against when there is no code to compare with, so an unknown party, a party
# without a code and a wrong code all take the same path.
_NO_CODE = "\0" * CODE_DIGITS


def new_code(previous: str | None = None, draw: Callable[[int], int] = secrets.randbelow) -> str:
    """A uniformly random zero-padded code from a CSPRNG, never the one it replaces."""
    while True:
        code = f"{draw(CODE_SPACE):0{CODE_DIGITS}d}"
        if code != previous:
            return code


def valid_code(text: object) -> bool:
    """Exactly four ASCII digits ("٣" is a digit to str.isdigit, not to us)."""
    return isinstance(text, str) and len(text) == CODE_DIGITS and all("0" <= c <= "9" for c in text)


def code_matches(stored: str | None, given: str) -> bool:
    """Constant-time comparison; a party without a code matches nothing here."""
    same = hmac.compare_digest(given.encode(), (stored or _NO_CODE).encode())
    return same and stored is not None


def retry_after(
    times: Iterable[datetime], limit: int, now: datetime, window: timedelta = FAILURE_WINDOW
) -> timedelta | None:
    """How long until fewer than `limit` of these failures are inside the window; None when
    that is already so."""
    recent = sorted(t for t in times if t > now - window)
    if len(recent) < limit:
        return None
    # Once this one ages out, limit - 1 remain.
    free_at = recent[len(recent) - limit] + window
    return max(free_at - now, timedelta(seconds=1))


def lockout(
    by_user: Iterable[datetime], by_client: Iterable[datetime], now: datetime
) -> timedelta | None:
    """The wait before this user, from this address, may try a code again (None: now)."""
    waits = [
        w
        for w in (
            retry_after(by_user, MAX_FAILURES_PER_USER, now),
            retry_after(by_client, MAX_FAILURES_PER_CLIENT, now),
        )
        if w is not None
    ]
    return max(waits) if waits else None


def retry_seconds(wait: timedelta) -> int:
    """For the Retry-After header: whole seconds, rounded up, at least one."""
    return max(1, math.ceil(wait.total_seconds()))


def suggestion_wait(times: Iterable[datetime], now: datetime) -> timedelta | None:
    """How long this member must wait before the next suggestion (None: not at all)."""
    return retry_after(times, MAX_SUGGESTIONS, now, SUGGESTION_WINDOW)


def sweep_every(host_grace_s: int) -> float:
    """Seconds between a replica's presence refreshes and sweeps: the refresh cadence, or
    sooner for a short grace, so a party outlives its absent host by at most about half
    the grace more (or one expiry, when the host's replica died)."""
    every = PRESENCE_EVERY.total_seconds()
    if host_grace_s <= 0:
        return every
    return min(every, max(0.5, host_grace_s / 2))


def should_rotate(failures_since_code_set: int) -> bool:
    return failures_since_code_set >= ROTATE_AFTER


def report_usable(at_ms: float, now_ms: float) -> bool:
    """A host's "I was at this position at this server time" is recent and not ahead."""
    return now_ms - MAX_REPORT_AGE_MS <= at_ms <= now_ms + MAX_REPORT_AHEAD_MS


@dataclass(frozen=True, slots=True)
class Change:
    """What a change of the host's play state means to the party. `moves`: the timeline
    is set to the new state's position and playing, as of the moment it was written."""

    event: str  # track | play | pause | seek | queue
    moves: bool


def _key(item: Item | None) -> tuple[int, str, int | None] | None:
    return None if item is None else (item.track_id, item.source, item.entry_id)


def party_change(before: PlayerState, after: PlayerState) -> Change | None:
    """The party event a write of the host's player makes, or None (the volume is the host's
    own). A state that only changed its queue or order keeps the timeline where it was: its
    `position_ms` is where the host last paused or sought, not where the music is now."""
    if _key(before.current) != _key(after.current):
        return Change("track", True)
    if before.playing != after.playing:
        return Change("play" if after.playing else "pause", True)
    if before.position_ms != after.position_ms:
        return Change("seek", True)
    if (
        before.queue != after.queue
        or before.context != after.context
        or before.order != after.order
        or before.position != after.position
        or before.shuffle != after.shuffle
        or before.repeat != after.repeat
    ):
        return Change("queue", False)
    return None
