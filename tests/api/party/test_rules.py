"""The party rules without I/O: codes, the lock-out, which player change is which event."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.party import rules
from api.player.state import Context, Item, PlayerState, QueueEntry

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def ago(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def test_codes_are_four_zero_padded_digits_from_the_whole_range() -> None:
    draws = iter([7, 9999, 0, 42])
    codes = [rules.new_code(draw=lambda n: next(draws)) for _ in range(4)]
    assert codes == ["0007", "9999", "0000", "0042"]
    # The real draw is a CSPRNG over 0..9999: over many draws every leading digit turns up.
    seen = Counter(rules.new_code()[0] for _ in range(2000))
    assert set(seen) == set("0123456789")


def test_a_new_code_never_repeats_the_one_it_replaces() -> None:
    draws = iter([1234, 1234, 1234, 5678])
    assert rules.new_code("1234", draw=lambda n: next(draws)) == "5678"


@pytest.mark.parametrize(
    ("text", "ok"),
    [("0427", True), ("0000", True), ("427", False), ("04270", False), ("04a7", False),
     ("٠٤٢٧", False), (" 427", False), (427, False), (None, False)],
)  # fmt: skip
def test_valid_code(text: object, ok: bool) -> None:
    assert rules.valid_code(text) is ok


def test_code_matches_only_the_stored_code() -> None:
    assert rules.code_matches("0427", "0427")
    assert not rules.code_matches("0427", "0428")
    # No code to compare with (unknown party, or one without a code): nothing matches,
    # not even the filler it is compared against.
    assert not rules.code_matches(None, "0427")
    assert not rules.code_matches(None, "\0\0\0\0")


def test_no_wait_below_the_limit() -> None:
    four = [ago(1), ago(2), ago(3), ago(4)]
    assert rules.retry_after(four, 5, NOW) is None
    # Failures older than the window do not count.
    assert rules.retry_after([*four, ago(16)], 5, NOW) is None


def test_the_wait_ends_when_the_oldest_counted_failure_leaves_the_window() -> None:
    five = [ago(10), ago(1), ago(2), ago(3), ago(4)]
    assert rules.retry_after(five, 5, NOW) == timedelta(minutes=5)
    # With more than the limit, every one over it must age out too: here the three oldest
    # (12, 10 and 4 minutes ago), so 11 minutes.
    seven = [*five, ago(12), ago(0.5)]
    assert rules.retry_after(seven, 5, NOW) == timedelta(minutes=11)
    # Never less than a second (a header of 0 would invite an immediate retry).
    assert rules.retry_after([ago(15) + timedelta(milliseconds=1)] * 5, 5, NOW) == timedelta(
        seconds=1
    )


@given(st.lists(st.floats(min_value=0, max_value=30), max_size=30), st.integers(1, 10))
def test_after_the_wait_the_limit_is_met(minutes: list[float], limit: int) -> None:
    times = [ago(m) for m in minutes]
    wait = rules.retry_after(times, limit, NOW)
    if wait is None:
        assert sum(t > NOW - rules.FAILURE_WINDOW for t in times) < limit
        return
    later = NOW + wait
    assert sum(t > later - rules.FAILURE_WINDOW for t in times) < limit
    if wait > timedelta(seconds=1):
        # …and not a moment sooner.
        sooner = later - timedelta(milliseconds=1)
        assert sum(t > sooner - rules.FAILURE_WINDOW for t in times) >= limit


def test_lockout_takes_the_longer_of_the_user_and_the_address() -> None:
    user = [ago(m) for m in (1, 2, 3, 4, 14)]  # 5 for one user: locked for a minute
    address = [ago(m / 2) for m in range(20)]  # 20 from one address: locked for 5.5 minutes
    assert rules.lockout(user, [], NOW) == timedelta(minutes=1)
    assert rules.lockout(user[:4], address, NOW) == timedelta(minutes=5.5)
    assert rules.lockout(user, address, NOW) == timedelta(minutes=5.5)
    assert rules.lockout(user[:4], address[:19], NOW) is None
    assert rules.retry_seconds(timedelta(seconds=61.2)) == 62


def test_the_code_is_replaced_after_ten_wrong_guesses() -> None:
    assert not rules.should_rotate(rules.ROTATE_AFTER - 1)
    assert rules.should_rotate(rules.ROTATE_AFTER)
    # However many accounts and addresses guess, a code sees at most ten guesses:
    # the chance that one lands is at most 0.1 %.
    assert rules.ROTATE_AFTER / rules.CODE_SPACE <= 0.001


def test_a_position_report_must_be_recent() -> None:
    assert rules.report_usable(10_000, 10_000)
    assert rules.report_usable(5_000, 10_000)
    assert not rules.report_usable(4_999, 10_000)
    assert rules.report_usable(11_000, 10_000)
    assert not rules.report_usable(11_001, 10_000)


PLAYING = PlayerState(
    context=Context("album", 1, (10, 11, 12)),
    order=(0, 1, 2),
    position=0,
    current=Item(10, "context", None, 0),
    position_ms=0,
    playing=True,
)


@pytest.mark.parametrize(
    ("after", "event", "moves"),
    [
        (replace(PLAYING, current=Item(11, "context", None, 1), position=1), "track", True),
        # The same track again from the queue is another item: a new start.
        (replace(PLAYING, current=Item(10, "queue", 4, 0)), "track", True),
        (replace(PLAYING, playing=False, position_ms=5000), "pause", True),
        (replace(PLAYING, position_ms=90_000), "seek", True),
        (replace(PLAYING, queue=(QueueEntry(1, 12),), next_entry_id=2), "queue", False),
        (replace(PLAYING, shuffle=True, order=(0, 2, 1)), "queue", False),
        (replace(PLAYING, repeat="all"), "queue", False),
        (replace(PLAYING, volume=20), None, False),
    ],
)
def test_which_change_of_the_hosts_player_is_which_party_event(
    after: PlayerState, event: str | None, moves: bool
) -> None:
    change = rules.party_change(PLAYING, after)
    if event is None:
        assert change is None
    else:
        assert change == rules.Change(event, moves)


def test_resuming_is_play() -> None:
    paused = replace(PLAYING, playing=False, position_ms=5000)
    assert rules.party_change(paused, replace(paused, playing=True)) == rules.Change("play", True)


def test_ten_suggestions_a_minute_then_a_wait_until_the_oldest_leaves_the_window() -> None:
    seconds_ago = [55.0, 40.0, 30.0, 20.0, 10.0, 8.0, 6.0, 4.0, 2.0]
    times = [NOW - timedelta(seconds=s) for s in seconds_ago]
    assert rules.suggestion_wait(times, NOW) is None  # nine
    times.append(NOW - timedelta(seconds=1))
    assert rules.suggestion_wait(times, NOW) == timedelta(seconds=5)  # 55 s ago leaves at 60
    # Older ones do not count at all.
    assert rules.suggestion_wait([NOW - timedelta(minutes=2)] * 50, NOW) is None


def test_the_sweep_runs_often_enough_for_the_grace() -> None:
    assert rules.sweep_every(600) == rules.PRESENCE_EVERY.total_seconds()
    assert rules.sweep_every(0) == rules.PRESENCE_EVERY.total_seconds()  # presence only
    assert rules.sweep_every(4) == 2
    assert rules.sweep_every(1) == 0.5
    # A row is refreshed several times before it could expire.
    assert rules.PRESENCE_TTL >= 3 * rules.PRESENCE_EVERY
