"""Clock arithmetic: NTP-style offsets, their error bound, and where the music is."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.party import clock


def exchange(offset: float, up: float, down: float, server: float = 3.0, t0: float = 1000.0):  # type: ignore[no-untyped-def]
    """One exchange with the server's clock `offset` ahead: `up` and `down` ms on the way,
    `server` ms of handling."""
    t1 = t0 + up + offset
    t2 = t1 + server
    t3 = t0 + up + server + down
    return clock.sample(t0, t1, t2, t3)


def test_symmetric_paths_give_the_exact_offset() -> None:
    s = exchange(offset=5000, up=20, down=20)
    assert s.offset_ms == 5000
    assert s.rtt_ms == 40
    assert exchange(offset=-123.5, up=2, down=2).offset_ms == -123.5


@given(
    st.floats(-1e9, 1e9),
    st.floats(0, 2000),
    st.floats(0, 2000),
    st.floats(0, 100),
)
def test_the_error_is_at_most_half_the_round_trip(
    offset: float, up: float, down: float, server: float
) -> None:
    s = exchange(offset, up, down, server)
    assert abs(s.offset_ms - offset) <= s.error_ms + 1e-6 * max(1.0, abs(offset))


def test_the_shortest_round_trip_wins() -> None:
    samples = [exchange(100, 80, 10), exchange(100, 3, 4), exchange(100, 40, 40)]
    best = clock.best(samples)
    assert best.rtt_ms == 7
    assert abs(best.offset_ms - 100) <= 0.5
    with pytest.raises(ValueError):
        clock.best([])


def test_position_moves_on_only_while_playing() -> None:
    assert clock.position_at(10_000, True, anchor_ms=5_000, now_ms=7_500) == 12_500
    assert clock.position_at(10_000, False, anchor_ms=5_000, now_ms=7_500) == 10_000
    # Asked about a moment before the anchor (a member's clock a little behind): never < 0.
    assert clock.position_at(100, True, anchor_ms=5_000, now_ms=4_000) == 0
