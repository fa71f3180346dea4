"""The event heap of the replica simulation (serve.simulate): (time, priority, sequence, kind, a, b).

Events at the same time run in `priority` order, then in the order they were scheduled (`sequence`), so a
run is fully deterministic. The request stream draws from its own numpy generator, spawned from
SeedSequence(seed) (child 0: the operations simulator's workload stream had the same key).
"""

from __future__ import annotations

import heapq

import numpy as np

ITERATION, ARRIVAL = 1, 4  # event kinds: an engine iteration ends; a request arrives


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

    def __len__(self) -> int:
        return len(self._heap)


def request_stream(seed: int) -> np.random.Generator:
    """The generator of the request arrivals and sizes of one seed."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])


__all__ = ["ARRIVAL", "ITERATION", "EventQueue", "request_stream"]
