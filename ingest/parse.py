"""The CPU-bound step, run in worker processes: tags and cover hashes for a chunk of files."""

from __future__ import annotations

import hashlib
import logging
import os
from typing import NamedTuple

from ingest.tags import TagError, read_tags
from store.ingest import CoverSource, TrackWrite
from tonearm.pickling import tuple_pickle

log = logging.getLogger(__name__)

_IMAGE_MIME = {
    b".jpg": "image/jpeg",
    b".jpeg": "image/jpeg",
    b".png": "image/png",
    b".webp": "image/webp",
}


@tuple_pickle
class Job(NamedTuple):
    rel_path: bytes
    size: int
    mtime_ns: int
    folder_image: bytes | None


@tuple_pickle
class Failure(NamedTuple):
    rel_path: bytes
    reason: str


def _hash_file(path: bytes) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.file_digest(f, "sha1").hexdigest()
    except OSError as exc:
        log.warning("cannot read cover %s: %s", os.fsdecode(path), exc)
        return None


def parse_chunk(root: bytes, jobs: list[Job]) -> list[TrackWrite | Failure]:
    """Parse every job; a bad file becomes a Failure, never an exception."""
    folder_hashes: dict[bytes, CoverSource | None] = {}
    out: list[TrackWrite | Failure] = []
    for job in jobs:
        folder_cover = None
        if job.folder_image is not None:
            if job.folder_image not in folder_hashes:
                sha1 = _hash_file(os.path.join(root, job.folder_image))
                ext = job.folder_image[job.folder_image.rfind(b".") :].lower()
                folder_hashes[job.folder_image] = (
                    CoverSource(sha1, _IMAGE_MIME.get(ext, "image/jpeg"), "file", job.folder_image)
                    if sha1
                    else None
                )
            folder_cover = folder_hashes[job.folder_image]
        try:
            tags = read_tags(os.path.join(root, job.rel_path), job.rel_path)
        except TagError as exc:
            out.append(Failure(job.rel_path, str(exc)))
            continue
        except Exception as exc:  # a parser bug must cost one file, not the scan
            log.exception("unexpected error reading %s", os.fsdecode(job.rel_path))
            out.append(Failure(job.rel_path, f"unexpected {type(exc).__name__}"))
            continue
        embedded = (
            CoverSource(tags.picture.sha1, tags.picture.mime, "embedded", job.rel_path)
            if tags.picture
            else None
        )
        out.append(
            TrackWrite(
                rel_path=job.rel_path,
                size=job.size,
                mtime_ns=job.mtime_ns,
                tags=tags,
                cover=embedded or folder_cover,
                album_cover=folder_cover or embedded,
            )
        )
    return out
