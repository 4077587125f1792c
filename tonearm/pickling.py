"""Cheap pickling for the NamedTuple records that cross the scan's process pool.

A scanned track crosses the pool as a few records (the track, its tags, its covers). As frozen
dataclasses they cost ~5 µs to pickle, ~7 µs to unpickle and ~4 µs to construct per track:
`__init__` sets every field through `object.__setattr__`. NamedTuples are built by
`tuple.__new__` (~0.6 µs) and unpickle in ~2.7 µs; their default pickling goes through
`copyreg.__newobj__` and `__getnewargs__` in Python, which `tuple_pickle` replaces with the
class and a plain tuple (bench/RESULTS.md, session 4). The stream still only names the class.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T", bound=tuple[Any, ...])


def _reduce(self: tuple[Any, ...]) -> tuple[type, tuple[Any, ...]]:
    return type(self), tuple(self)


def tuple_pickle(cls: type[T]) -> type[T]:
    """Class decorator for a typing.NamedTuple."""
    cls.__reduce__ = _reduce  # type: ignore[method-assign,assignment]
    return cls
