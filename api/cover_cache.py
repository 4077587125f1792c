"""Resized covers on disk: one file per variant, written atomically, least recently used evicted.

Blocking file I/O: call from threads. Each process keeps its own index of the files (sizes in
least-recently-used order), rebuilt from the directory on first use, with the file mtimes as
the order a restart starts from. Several processes may share the directory: writes are
atomic (temp file + rename), and a file another process evicted is just a miss.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

log = logging.getLogger(__name__)

_TOUCH_AFTER = 3600.0  # seconds; refresh a hit's mtime at most this often (its LRU age on disk)
_STALE_TEMP = 3600.0  # a temp file this old was left by a crashed writer
_LOW_WATER = 0.9  # evict down to this share of the cap, so not every write evicts


class CoverCache:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._index: OrderedDict[str, int] | None = None  # key → size, least recent first
        self._total = 0
        self.evictions = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @property
    def total_bytes(self) -> int:
        return self._total

    def path(self, key: str) -> Path:
        return self.root / key

    def get(self, key: str) -> bytes | None:
        """The cached bytes of `key`, or None; a hit becomes the most recently used."""
        if not self.enabled:
            return None
        path = self.path(key)
        try:
            with open(path, "rb") as f:
                data = f.read()
                mtime = os.fstat(f.fileno()).st_mtime
        except FileNotFoundError:
            self._forget(key)
            return None
        if not data:  # a crash between rename and writeback can leave an empty file
            self._drop(key, path)
            return None
        if time.time() - mtime > _TOUCH_AFTER:
            with contextlib.suppress(OSError):
                os.utime(path)
        with self._lock:
            index = self._load_locked()
            if key in index:
                index.move_to_end(key)
            else:  # written by another process sharing the directory
                index[key] = len(data)
                self._total += len(data)
        return data

    def put(self, key: str, data: bytes) -> None:
        """Store `data` as `key`: written to a private temp file, then renamed into place, so a
        reader sees the old file, no file or the whole new one, never a part."""
        if not self.enabled or len(data) > self.max_bytes * _LOW_WATER:
            return
        path = self.path(key)
        temp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(temp, "wb") as f:
                f.write(data)
            os.replace(temp, path)
        except OSError as exc:  # a full or read-only disk costs the cache, not the request
            log.warning("cannot write cover cache file %s: %s", path, exc)
            temp.unlink(missing_ok=True)
            return
        with self._lock:
            # The size on disk, not len(data): another writer of the same key may have renamed
            # its file over ours since, and the last one to take the lock must see the winner.
            try:
                size = path.stat().st_size
            except FileNotFoundError:  # evicted by another process sharing the directory
                size = 0
            index = self._load_locked()
            self._total += size - index.pop(key, 0)
            if size:
                index[key] = size
            self._evict_locked()

    def clear(self) -> None:
        """Remove every cached file."""
        with self._lock:
            index = self._load_locked()
            for key in list(index):
                self.path(key).unlink(missing_ok=True)
            index.clear()
            self._total = 0

    def load(self) -> None:
        """Build the index now rather than on first use."""
        with self._lock:
            self._load_locked()

    def _load_locked(self) -> OrderedDict[str, int]:
        if self._index is not None:
            return self._index
        found: list[tuple[float, str, int]] = []
        now = time.time()
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                full = os.path.join(folder, name)
                try:
                    st = os.stat(full)
                except OSError:
                    continue
                if name.endswith(".tmp"):
                    if now - st.st_mtime > _STALE_TEMP:
                        Path(full).unlink(missing_ok=True)
                    continue
                found.append((st.st_mtime, os.path.relpath(full, self.root), st.st_size))
        found.sort()
        self._index = OrderedDict((key, size) for _mtime, key, size in found)
        self._total = sum(size for _mtime, _key, size in found)
        self._evict_locked()
        return self._index

    def _evict_locked(self) -> None:
        if self._total <= self.max_bytes:
            return
        assert self._index is not None
        target = self.max_bytes * _LOW_WATER
        while self._index and self._total > target:
            key, size = self._index.popitem(last=False)
            self.path(key).unlink(missing_ok=True)
            self._total -= size
            self.evictions += 1

    def _forget(self, key: str) -> None:
        with self._lock:
            if self._index is not None and key in self._index:
                self._total -= self._index.pop(key)

    def _drop(self, key: str, path: Path) -> None:
        path.unlink(missing_ok=True)
        self._forget(key)
