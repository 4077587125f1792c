"""Shard results as JSON, for secondaries sending to the primary (never pickle on a wire)."""

from __future__ import annotations

import base64
from typing import Any

from ingest.tags import Picture, TrackTags
from store.ingest import CoverSource, TrackWrite
from tonearm.errors import Invalid

_TAG_FIELDS = frozenset(TrackTags._fields)
_TUPLE_FIELDS = {"artists", "album_artists", "genres", "mb_artist_ids", "mb_album_artist_ids"}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise Invalid("expected base64 text", code="invalid_field")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise Invalid("invalid base64", code="invalid_field") from None


def _cover(c: CoverSource | None) -> dict[str, str] | None:
    if c is None:
        return None
    return {"sha1": c.sha1, "mime": c.mime, "kind": c.kind, "rel_path": b64(c.rel_path)}


def _uncover(d: Any) -> CoverSource | None:
    if d is None:
        return None
    return CoverSource(str(d["sha1"]), str(d["mime"]), str(d["kind"]), unb64(d["rel_path"]))


def encode_track(t: TrackWrite) -> dict[str, Any]:
    tags = {name: getattr(t.tags, name) for name in _TAG_FIELDS}
    tags["picture"] = t.tags.picture._asdict() if t.tags.picture else None
    return {
        "rel_path": b64(t.rel_path),
        "size": t.size,
        "mtime_ns": t.mtime_ns,
        "tags": tags,
        "cover": _cover(t.cover),
        "album_cover": _cover(t.album_cover),
    }


def decode_track(d: Any) -> TrackWrite:
    try:
        raw = dict(d["tags"])
        if set(raw) != _TAG_FIELDS:
            raise Invalid("track tags do not match this server's version", code="version_mismatch")
        for name in _TUPLE_FIELDS:
            raw[name] = tuple(raw[name])
        pic = raw["picture"]
        raw["picture"] = Picture(str(pic["sha1"]), str(pic["mime"])) if pic else None
        return TrackWrite(
            rel_path=unb64(d["rel_path"]),
            size=int(d["size"]),
            mtime_ns=int(d["mtime_ns"]),
            tags=TrackTags(**raw),
            cover=_uncover(d.get("cover")),
            album_cover=_uncover(d.get("album_cover")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise Invalid(f"malformed track in batch: {exc}", code="invalid_batch") from None
