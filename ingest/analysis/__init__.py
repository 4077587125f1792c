"""The analysis stage: after the walk, every track's audio is analysed on the replicas
(shards handed out by the primary, like the walk's) and the primary writes the results.
Kept light: nothing here imports essentia except in the worker processes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    workers: int = 1  # processes analysing on each replica
    shard_tracks: int = 200  # tracks per shard
