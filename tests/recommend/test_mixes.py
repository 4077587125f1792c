"""Taste clusters and mix names, as pure functions."""

from __future__ import annotations

import numpy as np

from recommend.mixes import describe, kmeans, mix_name, taste_clusters


def blobs(counts: list[int], seed: int = 0, spread: float = 0.15) -> tuple[np.ndarray, list[int]]:
    """Unit vectors around len(counts) orthogonal centres; the blob of each row."""
    rng = np.random.default_rng(seed)
    centres = np.linalg.qr(rng.standard_normal((54, 54)))[0][: len(counts)]
    rows, labels = [], []
    for i, n in enumerate(counts):
        rows.append(centres[i] + spread / 7 * rng.standard_normal((n, 54)))
        labels += [i] * n
    x = np.concatenate(rows)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32), labels


def test_kmeans_finds_the_blobs_and_is_reproducible() -> None:
    x, labels = blobs([20, 15, 10])
    centres, found = kmeans(x, np.ones(len(x)), 3, seed=1)
    assert np.allclose(np.linalg.norm(centres, axis=1), 1, atol=1e-5)
    # Same blob ↔ same cluster, both ways.
    pairs = {(a, int(b)) for a, b in zip(labels, found, strict=True)}
    assert len(pairs) == 3 and len({a for a, _ in pairs}) == len({b for _, b in pairs}) == 3
    again = kmeans(x, np.ones(len(x)), 3, seed=1)
    assert np.array_equal(again[1], found)


def test_taste_clusters_follow_the_listening_weight() -> None:
    x, labels = blobs([12, 12, 12])
    # Blob 2 was played most lately; blob 1 barely at all.
    weights = [{0: 1.0, 1: 0.01, 2: 5.0}[b] for b in labels]
    tastes = taste_clusters(x, weights, seed=3)
    assert len(tastes) == 2  # blob 1 holds under MIN_SHARE of the weight: folded away
    heaviest = tastes[0]
    assert {labels[i] for i in heaviest.members} == {2}
    assert (
        heaviest.share > 0.8 and abs(sum(t.share for t in tastes) - (1 - 12 * 0.01 / 72.12)) < 0.01
    )
    # Members come heaviest first; the centre sits among them.
    assert all(weights[heaviest.members[0]] >= weights[i] for i in heaviest.members)
    assert float(x[list(heaviest.members)].mean(axis=0) @ heaviest.centroid) > 0.5


def test_few_tracks_make_one_cluster_and_none_make_none() -> None:
    x, _ = blobs([2, 2])
    assert len(taste_clusters(x, [1.0] * 4)) == 1
    assert taste_clusters(np.empty((0, 54), np.float32), []) == []


def test_names_come_from_what_dominates() -> None:
    artists = [("Portishead", 5.0), ("Massive Attack", 2.0), ("Tricky", 1.0)]
    genres = [("Trip-Hop", 5.0), ("Trip-Hop", 2.0), ("Trip-Hop", 1.0)]
    assert mix_name(artists, genres, set()) == "Portishead mix"
    assert mix_name(artists, genres, {"Portishead mix"}) == "Trip-Hop mix"
    taken = {"Portishead mix", "Trip-Hop mix"}
    assert mix_name(artists, genres, taken) == "Portishead & Massive Attack mix"
    # No artist holds a third, one genre holds half: the genre names it.
    spread = [(f"Artist {i}", 1.0) for i in range(6)]
    assert mix_name(spread, [("Jazz", 1.0)] * 4, set()) == "Jazz mix"
    assert mix_name([], [], set()) == "Your mix"
    assert mix_name([], [], {"Your mix", "Your mix 2"}) == "Your mix 3"


def test_descriptions() -> None:
    assert describe(["A", "B", "A", "C", "D"]) == "A, B, C and more"
    assert describe(["A", "B", "B"]) == "B and A"
    assert describe(["A"]) == "A"
    assert describe(["", " "]) == ""
