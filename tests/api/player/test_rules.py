"""The play-order rules, checked on random contexts, queues and sequences of actions."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from api.player import edits, rules
from api.player.state import Context, Item, PlayerState, from_json, to_json
from tonearm.errors import AppError

seeds = st.integers(min_value=0, max_value=2**63 - 1)
# Few distinct ids, so contexts often hold a track twice.
track_lists = st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=12)


@st.composite
def started(draw: st.DrawFn, shuffle: bool | None = None) -> PlayerState:
    ids = draw(track_lists)
    start = draw(st.none() | st.integers(min_value=0, max_value=len(ids) - 1))
    on = draw(st.booleans()) if shuffle is None else shuffle
    fresh = PlayerState(seed=draw(seeds), repeat=draw(st.sampled_from(["off", "all"])))
    return rules.play(fresh, Context("tracks", None, tuple(ids)), start, shuffle=on)


def context_len(state: PlayerState) -> int:
    assert state.context is not None
    return len(state.context.track_ids)


def check_invariants(state: PlayerState) -> None:
    n = len(state.context.track_ids) if state.context else 0
    assert sorted(state.order) == list(range(n))
    assert -1 <= state.position < max(n, 1)
    assert len(state.history) <= rules.HISTORY_SIZE
    entry_ids = [e.entry_id for e in state.queue]
    if state.current is not None and state.current.entry_id is not None:
        entry_ids.append(state.current.entry_id)
    assert len(entry_ids) == len(set(entry_ids))
    assert all(e < state.next_entry_id for e in entry_ids)
    for item in (*state.history, state.current):
        if item is not None and item.left_at is not None:
            assert 0 <= item.left_at < n


@given(started(shuffle=True), st.integers(min_value=1, max_value=3))
def test_each_context_track_plays_once_per_shuffled_pass(state: PlayerState, passes: int) -> None:
    state = rules.set_repeat(state, "all")
    n = context_len(state)
    played = [state.left_at]
    for _ in range(passes * n - 1):
        state, item = rules.next_track(state, explicit=True)
        assert item is not None and item.source == "context"
        played.append(item.left_at)
    for k in range(passes):
        assert sorted(played[k * n : (k + 1) * n]) == list(range(n))  # type: ignore[type-var]


@given(started(), st.lists(st.integers(min_value=100, max_value=120), max_size=4))
def test_at_the_end_repeat_off_hands_over_to_autoplay(
    state: PlayerState, candidates: list[int]
) -> None:
    state = rules.set_repeat(state, "off")
    for _ in range(context_len(state) - state.position - 1):
        state, item = rules.next_track(state, explicit=True, autoplay=candidates)
        assert item is not None and item.source == "context"
    assert rules.needs_autoplay(state, explicit=True)
    state, item = rules.next_track(state, explicit=True, autoplay=candidates)
    if candidates:
        assert item == Item(candidates[0], "autoplay", left_at=state.left_at)
        assert state.playing
    else:
        assert item is None and not state.playing


actions = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(min_value=50, max_value=60), st.sampled_from(["next", "last"])),
        st.tuples(st.just("next")),
    ),
    max_size=25,
)  # fmt: skip


@given(started(), actions)
def test_queue_first_then_the_context_resumes_after_where_it_was_left(
    state: PlayerState, steps: list[tuple[Any, ...]]
) -> None:
    """A model: a plain list for the queue, a pointer into the order for the context."""
    assert state.context is not None
    queue: list[int] = []
    pointer = state.position
    for step in steps:
        if step[0] == "add":
            state, entry = rules.queue_add(state, step[1], step[2])
            queue.insert(0 if step[2] == "next" else len(queue), entry.entry_id)
        else:
            state, item = rules.next_track(state, explicit=True, autoplay=[99])
            assert item is not None
            if queue:
                assert (item.source, item.entry_id) == ("queue", queue.pop(0))
            elif pointer + 1 < len(state.order):
                pointer += 1
                assert item.source == "context" and item.left_at == state.order[pointer]
            elif state.repeat == "all":
                pointer = 0
                assert item.source == "context" and item.left_at == state.order[0]
            else:
                assert item.source == "autoplay"
        assert [e.entry_id for e in state.queue] == queue
        assert state.position == pointer
        check_invariants(state)


@given(started(), st.lists(st.booleans(), min_size=1, max_size=6), st.integers(0, 5))
def test_shuffle_toggles_keep_the_current_track(
    state: PlayerState, toggles: list[bool], skips: int
) -> None:
    for _ in range(min(skips, context_len(state) - state.position - 1)):
        state, _ = rules.next_track(state, explicit=True)
    for on in toggles:
        before = state
        state = rules.set_shuffle(state, on)
        assert state.current == before.current and state.left_at == before.left_at
        check_invariants(state)
        if on and not before.shuffle:
            # Only what is left is shuffled; what played stays played.
            assert state.order[: state.position + 1] == before.order[: before.position + 1]
            assert sorted(state.order[state.position + 1 :]) == sorted(
                before.order[before.position + 1 :]
            )
        if not on:
            # Album order from the current track on.
            assert state.order == tuple(range(context_len(state)))
            assert rules.upcoming(state, 100) == list(
                state.context.track_ids[state.position + 1 :]  # type: ignore[union-attr]
            )


@given(started())
def test_repeat_one_holds_the_track_until_a_skip(state: PlayerState) -> None:
    state = rules.set_repeat(state, "one")
    current = state.current
    for _ in range(3):
        state, item = rules.next_track(state, explicit=False)
        assert item == current and state.current == current
    state, item = rules.next_track(state, explicit=True)
    assert item is not None and item.source == "context"
    n = context_len(state)
    # A skip moves on through the context, wrapping around at its end.
    if current is not None and current.left_at is not None and n > 1:
        assert item.left_at != current.left_at or state.shuffle


@given(started(shuffle=False))
def test_repeat_all_in_order_starts_again_from_the_top(state: PlayerState) -> None:
    state = rules.set_repeat(state, "all")
    for _ in range(context_len(state) - state.position - 1):
        state, _ = rules.next_track(state, explicit=True)
    state, item = rules.next_track(state, explicit=True)
    assert item is not None and item.left_at == 0


@given(started(), st.integers(min_value=1, max_value=5), st.integers(0, 10_000))
def test_previous_goes_back_then_next_returns(state: PlayerState, steps: int, at: int) -> None:
    state = rules.set_repeat(state, "all")
    state, _ = rules.queue_add(state, 77, "next")
    trail = [state.current]
    for _ in range(steps):
        state, item = rules.next_track(state, explicit=True)
        trail.append(item)
    back, item = rules.previous_track(state, at)
    if at >= rules.PREVIOUS_RESTART_MS:
        assert item == state.current and back.position_ms == 0
        return
    assert item == trail[-2]
    check_invariants(back)
    # Going forward again retraces the step that was undone.
    _, again = rules.next_track(back, explicit=True)
    assert again == trail[-1]


@given(started())
def test_previous_on_the_first_track_restarts_it(state: PlayerState) -> None:
    back, item = rules.previous_track(state, 0)
    assert item == state.current and back.current == state.current


queue_ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(min_value=1, max_value=5), st.sampled_from(["next", "last"])),
        st.tuples(st.just("remove"), st.integers(min_value=0, max_value=12)),
        st.tuples(st.just("move"), st.integers(min_value=0, max_value=12), st.integers(min_value=-1, max_value=12)),
    ),
    max_size=30,
)  # fmt: skip


@given(queue_ops)
def test_queue_edits_match_a_list(ops: list[tuple[Any, ...]]) -> None:
    state = PlayerState()
    model: list[tuple[int, int]] = []  # (entry id, track id)
    for op in ops:
        if op[0] == "add":
            state, entry = rules.queue_add(state, op[1], op[2])
            model.insert(0 if op[2] == "next" else len(model), (entry.entry_id, op[1]))
        elif op[0] == "remove":
            known = any(e == op[1] for e, _ in model)
            try:
                state = rules.queue_remove(state, op[1])
                model = [m for m in model if m[0] != op[1]]
            except AppError as exc:
                assert not known and exc.status == 404
        else:
            k = next((k for k, m in enumerate(model) if m[0] == op[1]), None)
            try:
                state = rules.queue_move(state, op[1], op[2])
                assert k is not None
                model.insert(op[2], model.pop(k))
            except AppError as exc:
                assert k is None or not 0 <= op[2] < len(model)
                assert exc.status in (400, 404)
        assert [(e.entry_id, e.track_id) for e in state.queue] == model
        check_invariants(state)


@st.composite
def edited(draw: st.DrawFn) -> tuple[PlayerState, list[int]]:
    """A started context of distinct tracks, and the same list with some removed and
    some new ones inserted (the order of the rest kept)."""
    n = draw(st.integers(min_value=1, max_value=10))
    ids = list(range(1, n + 1))
    fresh = PlayerState(seed=draw(seeds))
    start = draw(st.integers(min_value=0, max_value=n - 1))
    state = rules.play(
        fresh, Context("playlist", 1, tuple(ids)), start, shuffle=draw(st.booleans())
    )
    for _ in range(draw(st.integers(0, n))):
        state, _ = rules.next_track(state, explicit=True)
    kept = [t for t in ids if draw(st.booleans())]
    for new in range(100, 100 + draw(st.integers(0, 3))):
        kept.insert(draw(st.integers(0, len(kept))), new)
    return state, kept


@given(edited())
def test_editing_the_playing_playlist_keeps_the_position_sane(
    case: tuple[PlayerState, list[int]],
) -> None:
    state, new_ids = case
    assert state.context is not None
    old_ids = state.context.track_ids
    left = state.context_track(state.left_at)
    old_upcoming = rules.upcoming(state, 100)
    played = [t for t in old_ids if t not in old_upcoming]
    after = edits.context_changed(state, new_ids)
    check_invariants(after)
    assert after.current == state.current or (
        after.current is not None and after.current.track_id == state.current.track_id  # type: ignore[union-attr]
    )
    upcoming = rules.upcoming(after, 100)
    if left in new_ids:
        assert after.context_track(after.left_at) == left
    # Nothing still to come is lost, nothing played comes again.
    assert [t for t in old_upcoming if t in new_ids] == [t for t in upcoming if t < 100]
    assert not set(played) & set(upcoming)
    added = [t for t in new_ids if t >= 100]
    if after.shuffle:
        assert set(added) <= set(upcoming)
    if not added and upcoming:
        # Without additions the context goes on with the next track that survived.
        assert upcoming[0] == next(t for t in old_upcoming if t in new_ids)


all_ops = st.lists(
    st.one_of(
        st.tuples(st.just("next"), st.booleans()),
        st.tuples(st.just("previous"), st.integers(0, 5000)),
        st.tuples(st.just("add"), st.integers(1, 9), st.sampled_from(["next", "last"])),
        st.tuples(st.just("shuffle"), st.booleans()),
        st.tuples(st.just("repeat"), st.sampled_from(["off", "all", "one"])),
        st.tuples(st.just("edit"), track_lists),
        st.tuples(st.just("play"), track_lists, st.booleans()),
    ),
    max_size=40,
)  # fmt: skip


@given(started(), all_ops)
def test_any_sequence_keeps_the_state_well_formed_and_storable(
    state: PlayerState, ops: list[tuple[Any, ...]]
) -> None:
    for op in ops:
        match op:
            case ("next", explicit):
                state, _ = rules.next_track(state, explicit=explicit, autoplay=[42])
            case ("previous", at):
                state, _ = rules.previous_track(state, at)
            case ("add", track_id, mode):
                state, _ = rules.queue_add(state, track_id, mode)
            case ("shuffle", on):
                state = rules.set_shuffle(state, on)
            case ("repeat", mode):
                state = rules.set_repeat(state, mode)
            case ("edit", ids):
                state = edits.context_changed(state, ids)
            case ("play", ids, on):
                state = rules.play(state, Context("tracks", None, tuple(ids)), shuffle=on)
        check_invariants(state)
        assert from_json(json.loads(json.dumps(to_json(state)))) == state
