"""A playing playlist was edited: carry the play state over to its new track list. Pure."""

from __future__ import annotations

import difflib
import random
from collections.abc import Sequence
from dataclasses import replace

from api.player.state import Item, PlayerState


def _match(old: Sequence[int], new: Sequence[int]) -> list[int | None]:
    """For each index of `old`, its index in `new` (None: removed). Runs that stayed in
    place match first, so a duplicate keeps its own place; moved tracks match after."""
    out: list[int | None] = [None] * len(old)
    taken = [False] * len(new)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            out[a + k] = b + k
            taken[b + k] = True
    free: dict[int, list[int]] = {}
    for j in range(len(new) - 1, -1, -1):
        if not taken[j]:
            free.setdefault(new[j], []).append(j)
    for i, track_id in enumerate(old):
        if out[i] is None and free.get(track_id):
            out[i] = free[track_id].pop()
    return out


def context_changed(state: PlayerState, track_ids: Sequence[int]) -> PlayerState:
    """The playing playlist was edited. The track the context was left at keeps its place
    if it is still there; if not, the context goes on with the next track that survived
    (or was added after it). New tracks join what is left to play, shuffled in when
    shuffle is on. The current track plays on either way."""
    ctx = state.context
    new_ids = tuple(track_ids)
    if ctx is None or new_ids == ctx.track_ids:
        return state
    mapping = _match(ctx.track_ids, new_ids)
    # survivor[p]: the new index of the last track at or before order position p that survived.
    survivor: list[int | None] = []
    last: int | None = None
    for i in state.order:
        last = mapping[i] if mapping[i] is not None else last
        survivor.append(last)
    order_pos = {i: p for p, i in enumerate(state.order)}

    def remap(index: int | None) -> int | None:
        return None if index is None else survivor[order_pos[index]]

    seed = state.seed
    if state.shuffle:
        kept = {j for j in mapping if j is not None}
        added = [j for j in range(len(new_ids)) if j not in kept]
        done = [j for i in state.order[: state.position + 1] if (j := mapping[i]) is not None]
        rest = [j for i in state.order[state.position + 1 :] if (j := mapping[i]) is not None]
        if added:
            rng = random.Random(seed)
            for j in added:
                rest.insert(rng.randint(0, len(rest)), j)
            seed = rng.getrandbits(63)
        order = (*done, *rest)
        position = len(done) - 1
    else:
        order = tuple(range(len(new_ids)))
        anchor = remap(state.left_at)
        position = -1 if anchor is None else anchor

    def moved(item: Item) -> Item:
        return replace(item, left_at=remap(item.left_at))

    return replace(
        state,
        context=replace(ctx, track_ids=new_ids),
        order=order,
        position=position,
        seed=seed,
        history=tuple(moved(i) for i in state.history),
        current=None if state.current is None else moved(state.current),
    )
