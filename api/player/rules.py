"""What plays next: pure functions from one play state to the next. No I/O, no clock.

Next = repeat one (unless skipped) → the personal queue → the context after the track it
was left at (in shuffled order when shuffle is on) → at its end a new pass (repeat all)
or autoplay (repeat off). "Previous" walks back along what actually played.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import replace

from api.player.state import (
    QUEUE_MODES,
    REPEAT_MODES,
    Context,
    Item,
    PlayerState,
    QueueEntry,
)
from tonearm.errors import Conflict, Invalid, NotFound

# "Previous" before this point of a track goes back to the one before; from here on it
# restarts the track (what most players do; 3 s is long enough to press twice on purpose).
PREVIOUS_RESTART_MS = 3_000
# Tracks remembered for "previous" (and kept out of autoplay), oldest dropped first.
HISTORY_SIZE = 50
MAX_QUEUE = 1_000

NO_TRACKS: frozenset[int] = frozenset()


def _shuffled(items: Sequence[int], seed: int) -> tuple[tuple[int, ...], int]:
    """`items` shuffled by `seed`, and the seed for the next shuffle."""
    rng = random.Random(seed)
    out = list(items)
    rng.shuffle(out)
    return tuple(out), rng.getrandbits(63)


def _moved_to(state: PlayerState, item: Item) -> PlayerState:
    """`item` starts playing; what played before it goes into the history."""
    history = state.history
    if state.current is not None:
        history = (*history, state.current)[-HISTORY_SIZE:]
    return replace(state, history=history, current=item, position_ms=0, playing=True)


def _position_of(state: PlayerState, left_at: int | None) -> int:
    if left_at is None:
        return -1
    if 0 <= left_at < len(state.order):
        return state.order.index(left_at)
    return state.position


def play(
    state: PlayerState, context: Context, start: int | None = None, *, shuffle: bool
) -> PlayerState:
    """Play `context` from its index `start` (or its beginning; a random track when
    shuffled). The queue, repeat mode and volume stay; the history starts again, so
    "previous" never leaves the context just chosen."""
    n = len(context.track_ids)
    if n == 0:
        raise Invalid("there is nothing to play in this context", code="empty_context")
    if start is not None and not 0 <= start < n:
        raise Invalid("the start track is not in the context", code="start_not_in_context")
    seed = state.seed
    if shuffle:
        rest, seed = _shuffled([i for i in range(n) if i != start], seed)
        order = rest if start is None else (start, *rest)
        position = 0
    else:
        order = tuple(range(n))
        position = start or 0
    first = order[position]
    item = Item(context.track_ids[first], "context", left_at=first)
    return replace(
        state,
        context=context,
        order=order,
        position=position,
        shuffle=shuffle,
        seed=seed,
        history=(),
        current=item,
        position_ms=0,
        playing=True,
    )


def _new_pass(state: PlayerState) -> tuple[tuple[int, ...], int]:
    """The order of the next pass over the context (repeat all): a fresh shuffle when
    shuffled, never starting with the track the last pass ended on."""
    assert state.context is not None
    ids = state.context.track_ids
    if not state.shuffle:
        return tuple(range(len(ids))), state.seed
    order, seed = _shuffled(range(len(ids)), state.seed)
    last = state.context_track(state.left_at)
    if ids[order[0]] == last:
        swap = next((k for k in range(1, len(order)) if ids[order[k]] != last), None)
        if swap is not None:
            lst = list(order)
            lst[0], lst[swap] = lst[swap], lst[0]
            order = tuple(lst)
    return order, seed


def _next_in_context(
    state: PlayerState, unplayable: Collection[int]
) -> tuple[PlayerState, Item | None]:
    ctx = state.context
    if ctx is None:
        return state, None
    for p in range(state.position + 1, len(state.order)):
        i = state.order[p]
        if ctx.track_ids[i] not in unplayable:
            item = Item(ctx.track_ids[i], "context", left_at=i)
            return _moved_to(replace(state, position=p), item), item
    end = replace(state, position=len(state.order) - 1)
    # Repeat one is "repeat all, and hold each track": a skip past the end wraps around.
    if state.repeat == "off" or not state.order:
        return end, None
    order, seed = _new_pass(state)
    for p, i in enumerate(order):
        if ctx.track_ids[i] not in unplayable:
            item = Item(ctx.track_ids[i], "context", left_at=i)
            return _moved_to(replace(state, order=order, seed=seed, position=p), item), item
    return end, None


def next_track(
    state: PlayerState,
    *,
    explicit: bool,
    autoplay: Sequence[int] = (),
    unplayable: Collection[int] = NO_TRACKS,
) -> tuple[PlayerState, Item | None]:
    """The state after "next" and the item now playing (None: nothing is left).

    `explicit` is a user's skip (False: the track ended on its own, which repeat one
    answers with the same track). `autoplay` are the candidates that continue once the
    context has run out with repeat off, best first; `unplayable` tracks (deleted, or on
    an offline disk) are passed over.
    """
    if state.repeat == "one" and not explicit and state.current is not None:
        return replace(state, position_ms=0, playing=True), state.current
    queue = state.queue
    while queue:
        entry, queue = queue[0], queue[1:]
        if entry.track_id not in unplayable:
            item = Item(entry.track_id, "queue", entry.entry_id, state.left_at)
            return _moved_to(replace(state, queue=queue), item), item
    state, found = _next_in_context(replace(state, queue=queue), unplayable)
    if found is not None:
        return state, found
    for track_id in autoplay:
        if track_id not in unplayable:
            item = Item(track_id, "autoplay", left_at=state.left_at)
            return _moved_to(state, item), item
    return replace(state, playing=False, position_ms=0), None


def needs_autoplay(
    state: PlayerState, *, explicit: bool, unplayable: Collection[int] = NO_TRACKS
) -> bool:
    """Whether "next" would run out without autoplay candidates (so fetch them)."""
    return next_track(state, explicit=explicit, unplayable=unplayable)[1] is None


def previous_track(state: PlayerState, position_ms: int) -> tuple[PlayerState, Item | None]:
    """Within the first PREVIOUS_RESTART_MS of a track, go back to what played before it
    (the context then continues from there again, and a queued track goes back to the
    queue's front); later, or with no history, restart the current track."""
    current = state.current
    if current is None:
        return state, None
    if position_ms >= PREVIOUS_RESTART_MS or not state.history:
        return replace(state, position_ms=0, playing=True), current
    back = state.history[-1]
    queue = state.queue
    if current.source == "queue" and current.entry_id is not None:
        queue = (QueueEntry(current.entry_id, current.track_id), *queue)
    position = _position_of(state, back.left_at)
    here = _position_of(state, current.left_at)
    if current.source == "context" and position >= here:
        # `back` played in the pass before this one (repeat all): stay in this pass, just
        # before the current track, so that "next" plays it again.
        position = max(here - 1, -1)
    return replace(
        state,
        history=state.history[:-1],
        current=back,
        queue=queue,
        position=position,
        position_ms=0,
        playing=True,
    ), back


def queue_add(state: PlayerState, track_id: int, mode: str) -> tuple[PlayerState, QueueEntry]:
    """Mode "next" puts the track at the queue's front (play next), "last" at its end."""
    if mode not in QUEUE_MODES:
        raise Invalid(f"mode must be one of {', '.join(QUEUE_MODES)}", code="invalid_field")
    if len(state.queue) >= MAX_QUEUE:
        raise Conflict(f"the queue is full ({MAX_QUEUE} tracks)", code="queue_full")
    entry = QueueEntry(state.next_entry_id, track_id)
    queue = (entry, *state.queue) if mode == "next" else (*state.queue, entry)
    return replace(state, queue=queue, next_entry_id=state.next_entry_id + 1), entry


def _find(state: PlayerState, entry_id: int) -> int:
    for k, entry in enumerate(state.queue):
        if entry.entry_id == entry_id:
            return k
    raise NotFound(f"no queue entry with id {entry_id}")


def queue_remove(state: PlayerState, entry_id: int) -> PlayerState:
    k = _find(state, entry_id)
    return replace(state, queue=state.queue[:k] + state.queue[k + 1 :])


def queue_move(state: PlayerState, entry_id: int, index: int) -> PlayerState:
    """Move an entry so that it ends up at `index` (0 = plays next)."""
    k = _find(state, entry_id)
    if not 0 <= index < len(state.queue):
        raise Invalid(f"index must be between 0 and {len(state.queue) - 1}", code="invalid_field")
    rest = list(state.queue[:k] + state.queue[k + 1 :])
    rest.insert(index, state.queue[k])
    return replace(state, queue=tuple(rest))


def set_shuffle(state: PlayerState, on: bool) -> PlayerState:
    """On: the current track plays on and only what is left of this pass is shuffled.
    Off: the context continues in its own order after the track it was left at."""
    if on == state.shuffle:
        return state
    if state.context is None:
        return replace(state, shuffle=on)
    if on:
        done = state.order[: state.position + 1]
        rest, seed = _shuffled(state.order[state.position + 1 :], state.seed)
        return replace(state, shuffle=True, order=(*done, *rest), seed=seed)
    left = state.left_at
    return replace(
        state,
        shuffle=False,
        order=tuple(range(len(state.context.track_ids))),
        position=-1 if left is None else left,
    )


def set_repeat(state: PlayerState, mode: str) -> PlayerState:
    if mode not in REPEAT_MODES:
        raise Invalid(f"repeat must be one of {', '.join(REPEAT_MODES)}", code="invalid_field")
    return replace(state, repeat=mode)


def set_playback(
    state: PlayerState,
    *,
    position_ms: int | None = None,
    volume: int | None = None,
    playing: bool | None = None,
) -> PlayerState:
    if volume is not None and not 0 <= volume <= 100:
        raise Invalid("volume must be between 0 and 100", code="invalid_field")
    if position_ms is not None and not 0 <= position_ms <= 24 * 3600 * 1000:
        raise Invalid("position_ms must be between 0 and a day", code="invalid_field")
    if playing and state.current is None:
        raise Conflict("nothing to play: start a context or queue a track", code="nothing_playing")
    return replace(
        state,
        position_ms=state.position_ms if position_ms is None else position_ms,
        volume=state.volume if volume is None else volume,
        playing=state.playing if playing is None else playing,
    )


def upcoming(state: PlayerState, limit: int) -> list[int]:
    """The next context tracks of this pass (after whatever is queued)."""
    if state.context is None:
        return []
    ids = state.context.track_ids
    return [ids[i] for i in state.order[state.position + 1 : state.position + 1 + limit]]
