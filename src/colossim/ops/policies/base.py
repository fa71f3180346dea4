"""What every scheduling policy shares: the job queue and the narrow simulator interface it drives."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class JobQueue:
    """Waiting jobs in policy order: a sorted list of (key..., job) tuples. Insert and remove are
    O(log n) searches plus a memmove; the head is O(1). `version` counts changes to the first `window`
    entries, so a policy can cache facts about the front of the queue."""

    __slots__ = ("keys", "_key", "window", "version")

    def __init__(self, key: Callable[[int], tuple], window: int = 0) -> None:
        self.keys: list[tuple] = []
        self._key = key
        self.window = window
        self.version = 0

    def push(self, job: int) -> None:
        key = self._key(job)
        i = bisect_left(self.keys, key)
        self.keys.insert(i, key)
        if i < self.window:
            self.version += 1

    def remove(self, job: int) -> None:
        key = self._key(job)
        i = bisect_left(self.keys, key)
        if i == len(self.keys) or self.keys[i] != key:
            raise KeyError(f"job {job} is not queued")
        del self.keys[i]
        if i < self.window:
            self.version += 1

    def head(self) -> int:
        return self.keys[0][-1]

    def pop_head(self) -> int:
        self.version += 1
        return self.keys.pop(0)[-1]

    def jobs(self, start: int, stop: int) -> list[int]:
        return [k[-1] for k in self.keys[start:stop]]

    def __len__(self) -> int:
        return len(self.keys)


@dataclass
class Reservation:
    """EASY backfill's promise to the queue head: in `pool` at `shadow_s`, with `extra_nodes` to spare."""

    shadow_s: float
    pool: int
    extra_nodes: int


class Host(Protocol):
    """The simulator as a policy sees it."""

    queue: JobQueue
    min_need: list[int]  # per job: fewest nodes it needs in any eligible pool
    needp: list[list[int]]  # per pool, per job: nodes needed there
    eligible: list[list[int]]  # per job: pools of its GPU type
    est: list[float]  # per queued job: estimated run time (s)

    def fit_options(self, job: int) -> list[int]: ...  # pools where the job fits now
    def start(self, job: int, pools: list[int], t: float) -> bool: ...
    def need(self, job: int, pool: int) -> int: ...
    def estimated_runtime_s(self, job: int) -> float: ...
    def reservation(self, job: int, t: float) -> Reservation | None: ...
    def preempt_for(self, job: int, t: float) -> bool: ...
    def free_nodes_total(self) -> int: ...
    def max_free_nodes(self) -> int: ...
    def pool_free(self) -> list[int]: ...  # free nodes per pool
    def submit_s(self, job: int) -> float: ...
    def priority(self, job: int) -> int: ...
    def job_pool(self, job: int) -> int: ...


class Scheduler(Protocol):
    def key(self, host: Host, job: int) -> tuple: ...
    def on_arrival(self, host: Host, job: int, t: float) -> None: ...
    def schedule(self, host: Host, t: float) -> None: ...
