"""Grouping grid points into tasks (pure functions).

The rule (docs/sweep.md, "Chunking"): a task should take about `target_chunk_s` (default 0.5 s) and never
less than MIN_CHUNK_S = 0.1 s, because per-task overhead (pickling, scheduling, one journal write) is
~1-10 ms and Ray's guidance is that tasks under ~10 ms see no speed-up. Within those bounds, chunks are
made small enough that every worker gets about CHUNKS_PER_WORKER of them, for load balance, a
progress bar that moves, and little work lost when a sweep is killed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

MIN_CHUNK_S = 0.1
CHUNKS_PER_WORKER = 4
MAX_POINTS_PER_CHUNK = 100_000  # bounds the size of one task's result message


def points_per_chunk(n_points: int, workers: int, point_s: float, target_chunk_s: float = 0.5) -> int:
    """Points per task for `n_points` left, `workers` workers and `point_s` seconds per point."""
    if n_points <= 0:
        return 1
    point_s = max(point_s, 1e-6)
    by_target = math.ceil(target_chunk_s / point_s)
    at_least = math.ceil(MIN_CHUNK_S / point_s)
    balance = math.ceil(n_points / (CHUNKS_PER_WORKER * max(workers, 1)))
    size = max(min(by_target, balance), at_least)
    return int(min(size, n_points, MAX_POINTS_PER_CHUNK))


def make_chunks(items: Sequence[T], size: int) -> list[list[T]]:
    """Consecutive groups of `size` items (the last may be shorter), in the given order."""
    if size < 1:
        raise ValueError(f"chunk size must be >= 1 (got {size})")
    return [list(items[i:i + size]) for i in range(0, len(items), size)]
