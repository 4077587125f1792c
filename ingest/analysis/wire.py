"""Analysis results on the wire between replicas: JSON with base64 bytes, checked on arrival
(never pickle: the primary must not run what a request sends it)."""

from __future__ import annotations

import math
from typing import Any

from ingest.vector import DIM
from ingest.wire import b64, unb64
from store.analysis import AnalysisWrite
from tonearm.errors import Invalid

PEAK_BYTES = 1000  # the waveform cache's buckets


def encode(r: AnalysisWrite) -> dict[str, Any]:
    return {
        "track_id": r.track_id,
        "size": r.size,
        "mtime_ns": r.mtime_ns,
        "status": r.status,
        "error": r.error,
        "features": b64(r.features) if r.features is not None else None,
        "bpm": r.bpm,
        "key": r.key,
        "loudness_lufs": r.loudness_lufs,
        "replay_gain_db": r.replay_gain_db,
        "peaks": b64(r.peaks) if r.peaks is not None else None,
    }


def _int(d: dict[str, Any], name: str) -> int:
    v = d.get(name)
    if not isinstance(v, int) or isinstance(v, bool):
        raise Invalid(f"result field {name!r} must be an integer", code="invalid_field")
    return v


def _num(d: dict[str, Any], name: str) -> float | None:
    v = d.get(name)
    if v is None:
        return None
    if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
        raise Invalid(f"result field {name!r} must be a finite number", code="invalid_field")
    return float(v)


def _str(d: dict[str, Any], name: str, limit: int) -> str | None:
    v = d.get(name)
    if v is None:
        return None
    if not isinstance(v, str):
        raise Invalid(f"result field {name!r} must be a string", code="invalid_field")
    return v[:limit]


def _bytes(d: dict[str, Any], name: str, length: int) -> bytes | None:
    v = d.get(name)
    if v is None:
        return None
    data = unb64(v)
    if len(data) != length:
        raise Invalid(f"result field {name!r} must be {length} bytes", code="invalid_field")
    return data


def decode(d: Any) -> AnalysisWrite:
    if not isinstance(d, dict):
        raise Invalid("each result must be an object", code="invalid_field")
    status = d.get("status")
    features = _bytes(d, "features", DIM * 4)
    if status not in ("ok", "failed") or (status == "ok") != (features is not None):
        raise Invalid("status is ok (with features) or failed (without)", code="invalid_field")
    return AnalysisWrite(
        track_id=_int(d, "track_id"),
        size=_int(d, "size"),
        mtime_ns=_int(d, "mtime_ns"),
        status=status,
        error=_str(d, "error", 500),
        features=features,
        bpm=_num(d, "bpm"),
        key=_str(d, "key", 40),
        loudness_lufs=_num(d, "loudness_lufs"),
        replay_gain_db=_num(d, "replay_gain_db"),
        peaks=_bytes(d, "peaks", PEAK_BYTES),
    )
