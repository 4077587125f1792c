"""Taste clusters and mix names: pure functions for generating a user's mixes.

A user's taste is what they played, each track weighted by its plays and how recent they
were (store/recommend.py `history`). Weighted spherical k-means on the normalised sound
vectors of those tracks finds a few clusters of taste; each becomes a mix filled with the
tracks nearest its centre that the user has not played much (recommend/service.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

MAX_MIXES = 5
MIN_TRACKS_PER_MIX = 3  # a cluster needs this many played tracks on average
MIN_SHARE = 0.06  # clusters with less of the listening weight are folded away
MERGE_COSINE = 0.75  # clusters whose centres are this close are one taste, split by k-means
MEMBER_COSINE = 0.25  # a track this far from its cluster's centre belongs to none

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Taste:
    """One cluster of a user's listening: its centre (a unit vector), the indices of its
    tracks in the input, heaviest first, and its share of the listening weight."""

    centroid: Vector
    members: tuple[int, ...]
    share: float


def _unit(x: npt.NDArray[np.floating[Any]]) -> Vector:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    out: Vector = (x / np.maximum(norms, 1e-12)).astype(np.float32)
    return out


def _kmeans_once(
    x: Vector, w: npt.NDArray[np.float64], k: int, rng: np.random.Generator, iters: int
) -> tuple[Vector, npt.NDArray[np.int64], float]:
    n = x.shape[0]
    first = int(rng.choice(n, p=w / w.sum()))
    centres = [x[first]]
    dist = 1.0 - x @ x[first]
    for _ in range(1, k):
        p = np.maximum(dist, 0) * w
        if p.sum() <= 0:
            break
        pick = int(rng.choice(n, p=p / p.sum()))
        centres.append(x[pick])
        dist = np.minimum(dist, 1.0 - x @ x[pick])
    c = np.stack(centres).astype(np.float32)
    labels = np.zeros(n, np.int64)
    for i in range(iters):
        new = np.argmax(x @ c.T, axis=1)
        if i and np.array_equal(new, labels):
            break
        labels = new
        for j in range(c.shape[0]):
            mask = labels == j
            if mask.any():
                c[j] = _unit((x[mask] * w[mask, None]).sum(axis=0))
    fit = float((w * np.einsum("ij,ij->i", x, c[labels])).sum())
    return c, labels, fit


def kmeans(
    x: Vector,
    weights: npt.ArrayLike,
    k: int,
    *,
    seed: int = 0,
    iters: int = 30,
    restarts: int = 8,
) -> tuple[Vector, npt.NDArray[np.int64]]:
    """Weighted spherical k-means of unit rows `x`: (unit centroids, label per row).

    Each of `restarts` runs is seeded with weighted k-means++ (distance 1 - cosine), so
    heavy tracks tend to start clusters; the run whose clusters fit tightest (weighted sum
    of each row's cosine to its centre) wins, as one run can merge two tastes and split
    another. Reproducible for one `seed`.
    """
    w = np.asarray(weights, np.float64)
    k = max(1, min(k, x.shape[0]))
    rng = np.random.default_rng(seed)
    best: tuple[Vector, npt.NDArray[np.int64], float] | None = None
    for _ in range(restarts if k > 1 else 1):
        run = _kmeans_once(x, w, k, rng, iters)
        if best is None or run[2] > best[2] + 1e-9:
            best = run
    assert best is not None
    return best[0], best[1]


def taste_clusters(
    vectors: Vector,
    weights: Sequence[float],
    *,
    max_clusters: int = MAX_MIXES,
    min_tracks: int = MIN_TRACKS_PER_MIX,
    seed: int = 0,
) -> list[Taste]:
    """The user's taste clusters, heaviest first: k-means with one cluster per `min_tracks`
    played tracks (at most `max_clusters`), then clusters whose centres are closer than
    MERGE_COSINE merged (k-means splits one broad taste when k is too big), tracks far from
    every centre dropped (a barely played outlier joins whichever cluster is nearest), and
    clusters with fewer than `min_tracks` tracks or MIN_SHARE of the weight left out
    (unless alone)."""
    n = vectors.shape[0]
    if n == 0:
        return []
    w = np.asarray(weights, np.float64)
    w = np.where(w > 0, w, 1e-9)
    k = max(1, min(max_clusters, n // max(1, min_tracks)))
    centroids, labels = kmeans(vectors, w, k, seed=seed)
    groups = [g for j in range(centroids.shape[0]) if (g := np.flatnonzero(labels == j)).size]
    while len(groups) > 1:
        centres = _unit(np.stack([(vectors[g] * w[g, None]).sum(axis=0) for g in groups]))
        close = centres @ centres.T
        np.fill_diagonal(close, -2.0)
        a, b = (int(i) for i in np.unravel_index(int(np.argmax(close)), close.shape))
        if close[a, b] < MERGE_COSINE:
            break
        groups[a] = np.concatenate([groups[a], groups[b]])
        del groups[b]
    total = float(w.sum())
    tastes = []
    for group in groups:
        centre = _unit((vectors[group] * w[group, None]).sum(axis=0))
        idx = group[vectors[group] @ centre >= MEMBER_COSINE]
        if idx.size == 0:
            continue
        centre = _unit((vectors[idx] * w[idx, None]).sum(axis=0))
        order = idx[np.argsort(-w[idx], kind="stable")]
        tastes.append(Taste(centre, tuple(int(i) for i in order), float(w[idx].sum()) / total))
    tastes.sort(key=lambda t: -t.share)
    kept = [t for t in tastes if t.share >= MIN_SHARE and len(t.members) >= min_tracks]
    return kept or tastes[:1]


def mix_name(
    artists: Sequence[tuple[str, float]],
    genres: Sequence[tuple[str, float]],
    taken: set[str],
) -> str:
    """A name from what dominates a cluster: its artist ("Portishead mix") or, when no
    artist holds a third of it and a genre holds half, the genre ("Trip-Hop mix"). Names
    already `taken` by another of the user's mixes are avoided."""
    by_artist: dict[str, float] = {}
    for name, w in artists:
        if name.strip():
            by_artist[name.strip()] = by_artist.get(name.strip(), 0.0) + w
    by_genre: dict[str, float] = {}
    for name, w in genres:
        if name.strip():
            by_genre[name.strip()] = by_genre.get(name.strip(), 0.0) + w
    total = sum(by_artist.values()) or 1.0
    gtotal = sum(w for _, w in artists) or 1.0
    top_artists = sorted(by_artist, key=lambda a: -by_artist[a])[:3]
    top_genres = sorted(by_genre, key=lambda g: -by_genre[g])[:2]
    options = []
    if top_artists and (by_artist[top_artists[0]] / total >= 1 / 3 or not top_genres):
        options.append(f"{top_artists[0]} mix")
    if top_genres and by_genre[top_genres[0]] / gtotal >= 0.5:
        options.append(f"{top_genres[0]} mix")
    if top_artists:
        options.append(f"{top_artists[0]} mix")
    if len(top_artists) > 1:
        options.append(f"{top_artists[0]} & {top_artists[1]} mix")
    options.append("Your mix")
    for name in options:
        if name not in taken:
            return name
    n = 2
    while f"{options[0]} {n}" in taken:
        n += 1
    return f"{options[0]} {n}"


def describe(artists: Sequence[str], limit: int = 3) -> str:
    """ "A, B, C and more" from the artists of a mix's tracks, most frequent first."""
    counts = Counter(a for a in artists if a.strip())
    names = [a for a, _ in counts.most_common(limit)]
    if not names:
        return ""
    if len(counts) > len(names):
        return ", ".join(names) + " and more"
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]
