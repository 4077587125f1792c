"""Walking library roots with os.scandir: audio files, folder images, and what could not be read."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# Folder art, best first (Navidrome's default order): cover, folder, front, album.
COVER_NAMES = (b"cover", b"folder", b"front", b"album")
IMAGE_EXTENSIONS = (b".jpg", b".jpeg", b".png", b".webp")


@dataclass(frozen=True, slots=True)
class FileEntry:
    rel_path: bytes
    size: int
    mtime_ns: int


@dataclass(slots=True)
class WalkResult:
    files: list[FileEntry] = field(default_factory=list)
    # directory (relative, b"" for the root) → its best folder image (relative path)
    folder_images: dict[bytes, bytes] = field(default_factory=dict)
    # directories we could not list: their tracks must be kept, not treated as deleted
    unreadable: list[bytes] = field(default_factory=list)
    skipped: int = 0  # symlink loops, zero-byte files, unreadable entries
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RootPlan:
    """One configured root as it will be scanned."""

    path: str  # as configured (the library's identity)
    real: str | None  # resolved path; None when it cannot be resolved
    duplicate_of: str | None  # another configured root with the same real path
    nested: tuple[str, ...]  # real paths of other roots inside this one: walked by those


def plan_roots(paths: Sequence[str]) -> list[RootPlan]:
    """Resolve roots; recognise duplicates and roots nested inside others so each file is
    scanned once, by the innermost root that holds it. Pure apart from realpath."""
    reals: dict[str, str | None] = {}
    for p in paths:
        try:
            reals[p] = os.path.realpath(p, strict=True)
        except OSError:
            reals[p] = None
    first: dict[str, str] = {}
    plans = []
    for p in paths:
        real = reals[p]
        dup = first.get(real) if real else None
        if real and dup is None:
            first[real] = p
        nested = tuple(
            sorted(
                {
                    r
                    for q, r in reals.items()
                    if r and real and r != real and r.startswith(real.rstrip(os.sep) + os.sep)
                }
            )
        )
        plans.append(RootPlan(p, real, dup, nested))
    return plans


def probe(root: str) -> tuple[bool, str | None]:
    """Is the root usable right now? (online, reason when not)."""
    try:
        st = os.stat(root)
    except FileNotFoundError:
        return False, "missing"
    except OSError as exc:
        return False, f"unreadable: {exc.strerror or exc}"
    if not stat.S_ISDIR(st.st_mode):
        return False, "not a directory"
    try:
        with os.scandir(root) as it:
            empty = next(it, None) is None
    except OSError as exc:
        return False, f"unreadable: {exc.strerror or exc}"
    if empty:
        return True, "empty"
    return True, None


def walk(
    root: str,
    audio_exts: frozenset[bytes],
    skip: Sequence[str] = (),
    *,
    prefixes: Sequence[bytes] = (b"",),
    flat_dirs: Sequence[bytes] = (),
) -> WalkResult:
    """List audio files under `root` (bytes paths, so any file name works): the sub-trees
    `prefixes` recursively and the folders `flat_dirs` without their sub-folders (a shard's
    units). Directory symlinks are followed once (loops cut by device and inode). A unit
    folder that does not exist is empty; one that cannot be read is `unreadable`."""
    result = WalkResult()
    root_b = os.fsencode(root).rstrip(b"/") or b"/"
    skip_b = {os.fsencode(s) for s in skip}
    seen_dirs: set[tuple[int, int]] = set()

    def absolute(rel: bytes) -> bytes:
        return os.path.join(root_b, rel) if rel else root_b

    for rel in prefixes:
        if absolute(rel) not in skip_b:
            _walk_dir(absolute(rel), root_b, audio_exts, skip_b, seen_dirs, result, recursive=True)
    for rel in flat_dirs:
        if absolute(rel) not in skip_b:
            _walk_dir(absolute(rel), root_b, audio_exts, skip_b, seen_dirs, result, recursive=False)
    return result


def _walk_dir(
    start: bytes,
    root: bytes,
    audio_exts: frozenset[bytes],
    skip: set[bytes],
    seen_dirs: set[tuple[int, int]],
    result: WalkResult,
    *,
    recursive: bool,
) -> None:
    cut = len(root) + 1 if root != b"/" else 1
    inside = root.rstrip(b"/") + b"/"
    try:
        st = os.stat(start)
    except FileNotFoundError:
        return
    except OSError as exc:
        result.unreadable.append(start[cut:])
        result.errors.append(f"{os.fsdecode(start)}: {exc.strerror or exc}")
        return
    if recursive:
        seen_dirs.add((st.st_dev, st.st_ino))
    stack = [start]
    files = result.files
    while stack:
        directory = stack.pop()
        rel_dir = directory[cut:]
        images: dict[bytes, bytes] = {}
        try:
            with os.scandir(directory) as it:
                entries = list(it)
        except OSError as exc:
            log.warning("cannot list %s: %s", os.fsdecode(directory), exc.strerror or exc)
            result.unreadable.append(rel_dir)
            result.errors.append(f"{os.fsdecode(directory)}: {exc.strerror or exc}")
            continue
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir():
                    path = entry.path
                    if not recursive or path in skip or name.startswith(b"."):
                        continue
                    if entry.is_symlink():
                        # A link to a folder inside this root is walked there, by whichever
                        # shard holds it (following it would scan files twice, or loop);
                        # a link to another disk is followed.
                        target = os.path.realpath(path)
                        if target == root or target.startswith(inside):
                            result.skipped += 1
                            continue
                    dst = entry.stat()  # loops through outside links show up as a seen inode
                    key = (dst.st_dev, dst.st_ino)
                    if key in seen_dirs:
                        log.info(
                            "skipping %s: folder already walked (symlink loop?)", os.fsdecode(path)
                        )
                        result.skipped += 1
                        continue
                    seen_dirs.add(key)
                    stack.append(path)
                    continue
                dot = name.rfind(b".")
                if dot <= 0:
                    continue
                ext = name[dot:].lower()
                if ext in audio_exts:
                    fst = entry.stat()
                    if fst.st_size == 0:
                        log.info("skipping empty file %s", os.fsdecode(entry.path))
                        result.skipped += 1
                        continue
                    files.append(FileEntry(entry.path[cut:], fst.st_size, fst.st_mtime_ns))
                elif ext in IMAGE_EXTENSIONS:
                    stem = name[:dot].lower()
                    if stem in COVER_NAMES:
                        images[stem] = entry.path[cut:]
            except OSError as exc:
                log.warning("skipping %s: %s", os.fsdecode(entry.path), exc.strerror or exc)
                result.skipped += 1
        for stem in COVER_NAMES:
            if stem in images:
                result.folder_images[rel_dir] = images[stem]
                break


def list_subdirs(root: str, skip: Sequence[str], rel: bytes) -> list[bytes]:
    """Sub-folders of one folder of a root, relative to the root (for shard planning):
    not hidden ones, not links (walked where they point inside the root) and not nested
    roots in `skip` (walked as roots of their own)."""
    root_b = os.fsencode(root)
    base = os.path.join(root_b, rel) if rel else root_b
    skip_b = {os.fsencode(s) for s in skip}
    try:
        with os.scandir(base) as it:
            return sorted(
                (os.path.join(rel, e.name) if rel else e.name)
                for e in it
                if not e.name.startswith(b".")
                and e.is_dir(follow_symlinks=False)
                and e.path not in skip_b
            )
    except OSError:
        return []
