"""Recommendation quality on real recordings: precision@10 of same-artist neighbours.

    apt-get install wesnoth-1.16-music warzone2100-music singularity-music \\
        hyperrogue-music fretsonfire-songs-muldjord fretsonfire-songs-sectoid
    .venv/bin/python bench/recommend_eval.py [--cache FILE] [--workers 2]

The labelled set is the game soundtracks Debian ships (real recordings by named composers,
labels from their tags, Warzone 2100's album.json and Frets on Fire's song.ini): the
Battle for Wesnoth OST (one album, a dozen composers), Warzone 2100 (LupusMechanicus on
two albums, Martin Severn), Endgame: Singularity (Maxstack on two albums), HyperRogue
(NeonCorridor, Will Savino) and the Frets on Fire song packs (Muldjord, Sectoid: each
song its own release, played as the backing and guitar stems mixed). Untagged files are
left out. Each file is analysed with ingest.analyze (cached in --cache) and the vectors
normalised over the set, as the index does.

For every seed, the candidates are all other tracks not on the seed's album, and a hit
is a candidate by the seed's artist. Rankings, side by side:

- random: the expected precision of a random order (hits / candidates);
- metadata-only: recommend.rank scores without sound (artist, album artist, genre, era);
  the artist label it uses is the one being predicted, so it is a ceiling more than a
  rival;
- audio-only: cosine of the normalised sound vectors (what FAISS returns);
- hybrid: recommend.rank with the sound and the metadata (default weights), ordered by
  score; "hybrid, as served" adds the diversity pass of the endpoint (no more than two in
  a row by one artist), which by design trades same-artist precision for variety.

Table A counts seeds with at least one same-artist track on another album; table B, the
harder test for the sound alone, lets the seed's own album in (only the seed itself is
left out): within one soundtrack, can the sound tell its composers apart?
"""

from __future__ import annotations

import argparse
import concurrent.futures
import configparser
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import mutagen  # noqa: E402
import numpy as np  # noqa: E402

from ingest.vector import FEATURE_VERSION, normalise  # noqa: E402
from recommend.rank import Profile, Scored, Weights, diversify, score  # noqa: E402
from store.models import TrackMeta  # noqa: E402

ROOTS = {
    "wesnoth": Path("/usr/share/games/wesnoth/1.16/data/core/music"),
    "warzone2100": Path("/usr/share/games/warzone2100/music/albums"),
    "singularity": Path("/usr/share/games/singularity/music"),
    "hyperrogue": Path("/usr/share/hyperrogue/music"),
    "fretsonfire": Path("/usr/share/games/fretsonfire/data/songs"),
}
AUDIO = {".ogg", ".opus", ".mp3", ".flac"}


@dataclass(frozen=True)
class Recording:
    path: str  # for Frets on Fire, the song folder (its stems are mixed)
    collection: str
    title: str
    artist: str
    album: str
    album_artist: str
    genre: str
    year: int | None


def _tag(tags: object, *names: str) -> str:
    for name in names:
        try:
            value = tags[name]  # type: ignore[index]
        except (KeyError, TypeError, ValueError):
            continue
        if value:
            return str(value[0]).strip()
    return ""


def _year(text: str) -> int | None:
    return int(text[:4]) if text[:4].isdigit() else None


def collect() -> list[Recording]:
    found: list[Recording] = []
    for collection, root in ROOTS.items():
        if not root.is_dir():
            continue
        if collection == "warzone2100":
            for album_json in sorted(root.glob("*/album.json")):
                album = json.loads(album_json.read_text())
                for t in album.get("tracks", []):
                    path = album_json.parent / t["filename"]
                    if path.is_file() and t.get("author"):
                        found.append(Recording(str(path), collection, t["title"], t["author"],
                                               album["title"], album.get("author", t["author"]),
                                               "", _year(str(album.get("date", "")))))  # fmt: skip
            continue
        if collection == "fretsonfire":
            for ini in sorted(root.glob("*/*/song.ini")):
                cfg = configparser.ConfigParser(interpolation=None)
                cfg.read(ini)
                artist = cfg.get("song", "artist", fallback="")
                artist = artist.split(" - ")[0].replace("Composed and performed by", "").strip()
                name = cfg.get("song", "name", fallback=ini.parent.name)
                if artist and (ini.parent / "song.ogg").is_file():
                    found.append(Recording(str(ini.parent), collection, name, artist, name,
                                           artist, "Metal", None))  # fmt: skip
            continue
        for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in AUDIO):
            try:
                tags = mutagen.File(path)
            except Exception:
                continue
            artist = _tag(tags, "artist", "ARTIST")
            if tags is None or not artist:
                continue
            album = _tag(tags, "album", "ALBUM") or collection
            found.append(Recording(
                str(path), collection, _tag(tags, "title", "TITLE") or path.stem, artist, album,
                _tag(tags, "albumartist", "album_artist", "ALBUMARTIST") or artist,
                _tag(tags, "genre", "GENRE"), _year(_tag(tags, "date", "DATE")),
            ))  # fmt: skip
    return found


def _analyse(rec: Recording) -> list[float] | str:
    from ingest.analyze import AnalysisError, analyze

    path = rec.path
    try:
        if os.path.isdir(path):  # Frets on Fire: backing + guitar stems, mixed
            with tempfile.TemporaryDirectory() as tmp:
                mixed = os.path.join(tmp, "song.flac")
                stems = [os.path.join(path, s) for s in ("song.ogg", "guitar.ogg")
                         if os.path.isfile(os.path.join(path, s))]  # fmt: skip
                inputs = [arg for s in stems for arg in ("-i", s)]
                subprocess.run(
                    ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", *inputs, "-filter_complex",
                     f"amix=inputs={len(stems)}:normalize=0", mixed],
                    check=True,
                )  # fmt: skip
                return [float(v) for v in analyze(mixed).vector]
        return [float(v) for v in analyze(path).vector]
    except (AnalysisError, subprocess.CalledProcessError) as exc:
        return str(exc)


def vectors(recs: list[Recording], cache: Path, workers: int) -> dict[str, np.ndarray]:
    def key(r: Recording) -> str:
        p = Path(r.path) / "song.ogg" if os.path.isdir(r.path) else Path(r.path)
        st = p.stat()
        return f"{FEATURE_VERSION}|{r.path}|{st.st_size}|{st.st_mtime_ns}"

    # A file that cannot be decoded is remembered as null, so it is not tried every run.
    stored: dict[str, list[float] | None] = json.loads(cache.read_text()) if cache.is_file() else {}
    todo = [r for r in recs if key(r) not in stored]
    if todo:
        print(f"analysing {len(todo)} recordings with {workers} processes…", file=sys.stderr)
        with concurrent.futures.ProcessPoolExecutor(workers) as pool:
            for r, result in zip(todo, pool.map(_analyse, todo), strict=True):
                if isinstance(result, str):
                    print(f"  skipped {r.path}: {result}", file=sys.stderr)
                    stored[key(r)] = None
                else:
                    stored[key(r)] = result
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(stored))
    return {
        r.path: np.array(stored[key(r)], np.float32) for r in recs if stored.get(key(r)) is not None
    }


def evaluate(recs: list[Recording], unit: np.ndarray, *, own_album: bool) -> dict[str, float]:
    """Mean precision@10 per ranking over the seeds that have a hit to find."""
    artist_ids = {a: i for i, a in enumerate(sorted({r.artist for r in recs}))}
    album_ids = {a: i for i, a in enumerate(sorted({(r.collection, r.album) for r in recs}))}
    aa_ids = {a: i + len(artist_ids) for i, a in enumerate(sorted({r.album_artist for r in recs}))}
    # Album artists that are also artists share the artist's id (as in the catalogue).
    aa_ids |= {a: artist_ids[a] for a in aa_ids if a in artist_ids}
    # Track ids in a random order, so ties in a score are broken arbitrarily, not by label.
    order = np.random.default_rng(7).permutation(len(recs))
    metas = {
        int(order[i]): TrackMeta(
            id=int(order[i]),
            artist=r.artist,
            artist_ids=(artist_ids[r.artist],),
            album_id=album_ids[(r.collection, r.album)],
            album_artist_id=aa_ids[r.album_artist],
            genres=frozenset({r.genre.casefold()} if r.genre else ()),
            year=r.year,
        )
        for i, r in enumerate(recs)
    }
    cos = unit @ unit.T
    totals: Counter[str] = Counter()
    seeds = 0
    weights = Weights()
    for i, seed in enumerate(recs):
        sid = int(order[i])
        cand = [j for j, r in enumerate(recs) if j != i and (own_album or r.album != seed.album
                or r.collection != seed.collection)]  # fmt: skip
        hits = {j for j in cand if recs[j].artist == seed.artist}
        if not hits or len(cand) < 10:
            continue
        seeds += 1
        totals["random"] += len(hits) / len(cand)
        totals["ceiling"] += min(10, len(hits)) / 10
        profile = Profile.of([metas[sid]])

        def p10(ranked: list[int], hits: set[int] = hits) -> float:
            return len(set(ranked[:10]) & hits) / 10

        by_meta = sorted(
            cand,
            key=lambda j: (
                -score(profile, metas[int(order[j])], None, 0.0, weights).score,
                order[j],
            ),
        )
        totals["metadata-only"] += p10(by_meta)
        totals["audio-only"] += p10(sorted(cand, key=lambda j: -cos[i, j]))
        hybrid = [
            score(profile, metas[int(order[j])], float(cos[i, j]), 0.0, weights) for j in cand
        ]
        back = {int(order[j]): j for j in cand}
        ranked = sorted(hybrid, key=lambda s: (-s.score, s.track_id))
        totals["hybrid"] += p10([back[s.track_id] for s in ranked])
        served = diversify([Scored(s.track_id, s.score, ()) for s in ranked], metas, 10)
        totals["hybrid, as served"] += p10([back[s.track_id] for s in served])
    out = {k: v / seeds for k, v in totals.items()} if seeds else {}
    out["seeds"] = seeds
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--cache", type=Path, default=Path.home() / ".cache/tonearm/recommend_eval.json"
    )
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    recs = collect()
    if not recs:
        sys.exit("no labelled recordings found: install the Debian packages named in the docstring")
    vecs = vectors(recs, args.cache, args.workers)
    recs = [r for r in recs if r.path in vecs]
    unit, _ = normalise(np.stack([vecs[r.path] for r in recs]))
    artists = Counter(r.artist for r in recs)
    print(f"{len(recs)} recordings, {len(artists)} artists, "
          f"{len({(r.collection, r.album) for r in recs})} albums, "
          f"from {', '.join(sorted({r.collection for r in recs}))}")  # fmt: skip
    tables = {
        "A: hits on other albums (the seed's album left out)": evaluate(
            recs, unit, own_album=False
        ),
        "B: hits anywhere but the seed itself": evaluate(recs, unit, own_album=True),
    }
    names = ["random", "metadata-only", "audio-only", "hybrid", "hybrid, as served", "ceiling"]
    print(f"| precision@10 | {' | '.join(names)} | seeds |")
    print(f"|---|{'---|' * len(names)}---|")
    for title, t in tables.items():
        cells = " | ".join(f"{t.get(n, 0):.3f}" for n in names)
        print(f"| {title} | {cells} | {int(t.get('seeds', 0))} |")


if __name__ == "__main__":
    main()
