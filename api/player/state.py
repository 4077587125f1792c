"""The play state as plain frozen data, and its JSON form for the database. No I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, cast

Repeat = Literal["off", "all", "one"]
Source = Literal["queue", "context", "autoplay"]
REPEAT_MODES: tuple[Repeat, ...] = ("off", "all", "one")
CONTEXT_TYPES = ("album", "playlist", "artist", "mix", "tracks")
QUEUE_MODES = ("next", "last")

# Bumped when the JSON shape changes; from_json reads every version it has known.
FORMAT = 1


@dataclass(frozen=True, slots=True)
class Context:
    """What the user chose to play: an album, playlist, artist, mix or explicit track list.
    `track_ids` is in its own (album or playlist) order and may hold a track twice."""

    type: str
    id: int | str | None
    track_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """A track the user queued; `entry_id` tells two queued copies of one track apart."""

    entry_id: int
    track_id: int


@dataclass(frozen=True, slots=True)
class Item:
    """A track that is or was playing, and where it came from.

    `left_at` is the context index the context had been left at while this item played
    (for a context item, its own index; None before the context started): going back to
    the item restores it, so the context carries on from there again.
    """

    track_id: int
    source: Source
    entry_id: int | None = None
    left_at: int | None = None


@dataclass(frozen=True, slots=True)
class PlayerState:
    """One user's player, shared by all their devices.

    `order` is the play order of the context as indexes into `context.track_ids` (the
    identity, or a shuffled permutation); `position` indexes `order` and marks the context
    track the context was left at (-1: none yet). The next context track is
    `order[position + 1]`, whatever played from the queue or autoplay in between.
    `seed` drives every shuffle, so orders are reproducible and survive restarts.
    """

    context: Context | None = None
    order: tuple[int, ...] = ()
    position: int = -1
    shuffle: bool = False
    repeat: Repeat = "off"
    queue: tuple[QueueEntry, ...] = ()
    history: tuple[Item, ...] = ()
    current: Item | None = None
    seed: int = 0
    next_entry_id: int = 1
    position_ms: int = 0
    volume: int = 100
    playing: bool = False

    @property
    def left_at(self) -> int | None:
        """The context index the context was left at, or None before it started."""
        return self.order[self.position] if 0 <= self.position < len(self.order) else None

    def context_track(self, index: int | None) -> int | None:
        if index is None or self.context is None:
            return None
        return self.context.track_ids[index]


def _item_json(item: Item) -> list[Any]:
    return [item.track_id, item.source, item.entry_id, item.left_at]


def _item(data: list[Any]) -> Item:
    track_id, source, entry_id, left_at = data
    return Item(int(track_id), cast(Source, source), entry_id, left_at)


def to_json(state: PlayerState) -> dict[str, Any]:
    ctx = state.context
    return {
        "format": FORMAT,
        "context": None
        if ctx is None
        else {"type": ctx.type, "id": ctx.id, "track_ids": list(ctx.track_ids)},
        "order": list(state.order),
        "position": state.position,
        "shuffle": state.shuffle,
        "repeat": state.repeat,
        "queue": [[e.entry_id, e.track_id] for e in state.queue],
        "history": [_item_json(i) for i in state.history],
        "current": None if state.current is None else _item_json(state.current),
        "seed": state.seed,
        "next_entry_id": state.next_entry_id,
        "position_ms": state.position_ms,
        "volume": state.volume,
        "playing": state.playing,
    }


def from_json(data: dict[str, Any]) -> PlayerState:
    """The state stored by to_json; KeyError, TypeError or ValueError when it is not one."""
    if data.get("format") != FORMAT:
        raise ValueError(f"unknown play state format {data.get('format')!r}")
    ctx = data["context"]
    repeat = data["repeat"]
    if repeat not in REPEAT_MODES:
        raise ValueError(f"unknown repeat mode {repeat!r}")
    return PlayerState(
        context=None
        if ctx is None
        else Context(ctx["type"], ctx["id"], tuple(int(t) for t in ctx["track_ids"])),
        order=tuple(int(i) for i in data["order"]),
        position=int(data["position"]),
        shuffle=bool(data["shuffle"]),
        repeat=repeat,
        queue=tuple(QueueEntry(int(e), int(t)) for e, t in data["queue"]),
        history=tuple(_item(i) for i in data["history"]),
        current=None if data["current"] is None else _item(data["current"]),
        seed=int(data["seed"]),
        next_entry_id=int(data["next_entry_id"]),
        position_ms=int(data["position_ms"]),
        volume=int(data["volume"]),
        playing=bool(data["playing"]),
    )
