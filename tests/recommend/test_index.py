"""The FAISS index itself: exact and HNSW search, additions, re-analyses and removals."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.vector import DIM
from recommend.index import VectorIndex
from store.recommend import VectorBatch


def batch(ids: list[int], vectors: np.ndarray, stamp: int = 1) -> VectorBatch:
    return VectorBatch(
        np.asarray(ids, np.int64), np.full(len(ids), stamp, np.int64), vectors.astype(np.float32)
    )


def library(n: int, groups: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Raw vectors in `groups` clusters (raw: different scales per feature, like ours)."""
    rng = np.random.default_rng(seed)
    scale = rng.uniform(0.1, 100, DIM)
    centres = rng.standard_normal((groups, DIM)) * 3
    group = rng.integers(0, groups, n)
    return (centres[group] + rng.standard_normal((n, DIM))) * scale, group


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_neighbours_are_the_same_cluster(kind: str) -> None:
    raw, group = library(3000)
    ids = list(range(1, 3001))
    index = VectorIndex.build(batch(ids, raw), kind=kind)
    assert index.kind == kind and len(index) == 3000
    found, vecs = index.vectors([5, 99999, 7])
    assert found == [5, 7] and np.allclose(np.linalg.norm(vecs, axis=1), 1, atol=1e-5)
    hits = index.search(vecs[0], 20, exclude={5})
    assert len(hits) == 20 and 5 not in [t for t, _ in hits]
    assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)
    assert all(group[t - 1] == group[4] for t, _ in hits)


def test_the_kind_follows_the_size() -> None:
    raw, _ = library(300)
    ids = list(range(300))
    assert VectorIndex.build(batch(ids, raw), hnsw_threshold=1000).kind == "flat"
    assert VectorIndex.build(batch(ids, raw), hnsw_threshold=100).kind == "hnsw"
    empty = VectorIndex.build(VectorBatch.empty(DIM))
    assert len(empty) == 0 and empty.search(np.ones(DIM, np.float32), 5) == []


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_additions_reanalyses_and_removals(kind: str) -> None:
    raw, _ = library(200)
    index = VectorIndex.build(batch(list(range(200)), raw), kind=kind)
    # The same rows again (a re-read overlap): nothing changes.
    assert index.add(batch(list(range(10)), raw[:10])) == 0
    # Track 3 re-analysed (a new stamp): it now sits where track 150 is.
    assert index.add(batch([3], raw[150:151], stamp=2)) == 1
    assert len(index) == 200 and index.stamp(3) == 2
    _, v150 = index.vectors([150])
    hits = dict(index.search(v150[0], 3))
    assert 3 in hits and hits[3] == pytest.approx(1.0, abs=1e-4)
    # Its old row is masked: searching near the old vector never answers it twice.
    found = [t for t, _ in index.search(index.stats.apply(raw[3:4])[0], 200)]
    assert found.count(3) == 1 and len(found) == 200
    # A new track, normalised with the build's statistics.
    assert index.add(batch([500], raw[42:43], stamp=3)) == 1
    assert index.watermark == 3
    assert index.search(index.vectors([42])[1][0], 2)[1][0] in (500, 42)
    assert index.remove([500, 12345]) == 1
    assert not index.has(500) and len(index) == 200
    assert 500 not in [t for t, _ in index.search(index.vectors([42])[1][0], 201)]
    held, stamps = index.held()
    assert sorted(held.tolist()) == list(range(200)) and int(stamps[held.tolist().index(3)]) == 2
    assert not index.needs_rebuild()
    index.add(batch(list(range(1000, 1041)), raw[:41], stamp=4))
    assert index.needs_rebuild()  # a fifth more than it was built with


def test_normalisation_weighs_groups_not_scales() -> None:
    raw, group = library(500)
    raw[:, 0] *= 1e6  # one feature on a huge scale must not dominate the distance
    index = VectorIndex.build(batch(list(range(500)), raw))
    hits = index.search(index.vectors([0])[1][0], 10, exclude={0})
    assert all(group[t] == group[0] for t, _ in hits)
