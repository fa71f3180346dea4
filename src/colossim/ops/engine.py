"""A small discrete-event core: a heap of (time, priority, sequence, kind, a, b) and seeded random streams.

- Events at the same time run in `priority` order, then in the order they were scheduled (`sequence`),
  so a run is fully deterministic.
- Cancelling is lazy: an event carries an epoch (`b`) that its handler compares with the current one.
- Random numbers come from independent numpy streams spawned from one SeedSequence (one per purpose,
  so adding draws in one place does not shift the others), drawn in vectorised blocks and handed out
  one at a time.
"""

from __future__ import annotations

import heapq
import math

import numpy as np

# event kinds (also their default same-time priority: capacity first, then releases, then failures...)
IN_SERVICE, JOB_END, REPAIR, FAILURE, ARRIVAL, SAMPLE = 0, 1, 2, 3, 4, 8


class EventQueue:
    __slots__ = ("_heap", "_seq")

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, int, int, int, int]] = []
        self._seq = 0

    def push(self, t: float, priority: int, kind: int, a: int = 0, b: int = 0) -> None:
        heapq.heappush(self._heap, (t, priority, self._seq, kind, a, b))
        self._seq += 1

    def pop(self) -> tuple[float, int, int, int, int, int]:
        return heapq.heappop(self._heap)

    def peek(self) -> tuple[float, int, int, int, int, int] | None:
        return self._heap[0] if self._heap else None

    def __len__(self) -> int:
        return len(self._heap)


class Uniforms:
    """U(0, 1) draws from one numpy stream, produced in blocks (vectorised) and served one by one."""

    __slots__ = ("_rng", "_buf", "_i", "_block")

    def __init__(self, rng: np.random.Generator, block: int = 16_384) -> None:
        self._rng = rng
        self._block = block
        self._buf: list[float] = []
        self._i = 0

    def next(self) -> float:
        i = self._i
        if i == len(self._buf):
            self._buf = self._rng.random(self._block).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]

    def exponential(self, mean: float) -> float:
        """Exp(mean) by inversion: -mean ln(1 - U)."""
        return -mean * math.log1p(-self.next())


STREAMS = ("workload", "failures", "victims", "repairs", "flagship")


def spawn_streams(seed: int) -> dict[str, np.random.Generator]:
    """One independent generator per purpose, all from SeedSequence(seed)."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}
