"""Recommendations: the FAISS index of sound vectors, the hybrid re-rank, mixes, autoplay.

index.py (every replica's index, kept in step by LISTEN/NOTIFY) → rank.py (pure scoring
and diversity) and mixes.py (pure taste clusters and names) → service.py (similar tracks,
autoplay's continuation, each user's mixes).
"""

from recommend.index import SimilarityIndex
from recommend.service import Recommender, Similar

__all__ = ["Recommender", "Similar", "SimilarityIndex"]
