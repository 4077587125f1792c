"""Recommendations: audio similarity, mixes and autoplay (to come)."""
