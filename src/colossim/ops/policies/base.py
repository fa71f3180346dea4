"""What every scheduling policy shares: the job queue and the narrow simulator interface it drives."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class JobQueue:
    """Waiting jobs in policy order: a sorted list of (key..., job) tuples read from index `lo` on, so
    taking the head is O(1) (the dead prefix is dropped now and then); insert and remove are O(log n)
    searches plus a memmove. `size` is the number of waiting jobs. `version` counts changes to the first
    `window` entries, so a policy can cache facts about the front of the queue."""

    __slots__ = ("keys", "lo", "size", "_key", "window", "version")

    def __init__(self, key: Callable[[int], tuple], window: int = 0) -> None:
        self.keys: list[tuple] = []
        self.lo = 0
        self.size = 0
        self._key = key
        self.window = window
        self.version = 0

    def push(self, job: int) -> None:
        key = self._key(job)
        i = bisect_left(self.keys, key, self.lo)
        self.keys.insert(i, key)
        self.size += 1
        if i - self.lo < self.window:
            self.version += 1

    def remove(self, job: int) -> None:
        key = self._key(job)
        keys = self.keys
        i = bisect_left(keys, key, self.lo)
        if i == len(keys) or keys[i] != key:
            raise KeyError(f"job {job} is not queued")
        if i == self.lo:
            self.pop_head()
            return
        del keys[i]
        self.size -= 1
        if i - self.lo < self.window:
            self.version += 1

    def head(self) -> int:
        return self.keys[self.lo][-1]

    def pop_head(self) -> int:
        keys = self.keys
        job = keys[self.lo][-1]
        self.lo += 1
        self.size -= 1
        self.version += 1
        if self.lo > 4096 and 2 * self.lo > len(keys):
            del keys[: self.lo]
            self.lo = 0
        return job

    def jobs(self, start: int, stop: int) -> list[int]:
        return [k[-1] for k in self.keys[self.lo + start : self.lo + stop]]

    def __len__(self) -> int:
        return self.size


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


def start_in_order(host: Host, t: float) -> None:
    """Start queued jobs from the head while each fits; stop at the first that does not (strict order)."""
    q = host.queue
    while q.size:
        job = q.head()
        if not host.start(job, host.fit_options(job), t):
            return
        q.pop_head()
