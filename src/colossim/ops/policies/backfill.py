"""EASY backfill: FIFO, but when the head is blocked it gets a reservation (the earliest time enough
nodes free up in one pool, from running jobs' estimated ends), and later jobs may start now if they fit
and do not delay it: they end before the reservation, use another pool, or use only the nodes the head
will not need. Only the first `depth` waiting jobs are examined (like Slurm's bf_max_job_test), and a
new arrival is tested alone against the current reservation, so no event scans the whole queue."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from colossim.ops.policies.base import Host, Reservation, start_in_order


class BackfillConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["backfill"] = "backfill"
    order: Literal["submit", "priority"] = Field("submit", description="queue order: FIFO, or priority then FIFO")
    depth: int = Field(100, ge=1, description="queued jobs examined per pass after the head")
    runtime_estimate_factor: float = Field(
        1.0, ge=1.0, description="user run-time estimate / true run time (1 = exact estimates)"
    )

    def build(self) -> EasyBackfill:
        return EasyBackfill(self.depth, self.order == "priority")


class EasyBackfill:
    uses_reservations = True
    def __init__(self, depth: int, by_priority: bool = False) -> None:
        self.depth = depth
        self.by_priority = by_priority
        self.res: Reservation | None = None
        self._window: tuple[int, list[int], int] = (-1, [], 0)  # (queue version, jobs, their least need)

    def key(self, host: Host, job: int) -> tuple:
        if self.by_priority:
            return (-host.priority(job), host.submit_s(job), job)
        return (host.submit_s(job), job)

    def on_arrival(self, host: Host, job: int, t: float) -> None:
        q = host.queue
        if q.head() == job:
            self.schedule(host, t)
        elif self._backfill(host, job, t, host.pool_free()):
            q.remove(job)

    def schedule(self, host: Host, t: float) -> None:
        start_in_order(host, t)
        q = host.queue
        self.res = None
        if not q.size:
            return
        self.res = host.reservation(q.head(), t)
        free = host.pool_free()
        max_free = max(free)
        if max_free == 0:
            return
        min_need, est = host.min_need, host.est
        q.window = 1 + self.depth
        version, window, least = self._window
        if version != q.version:
            window = q.jobs(1, 1 + self.depth)
            least = min((min_need[j] for j in window), default=0)
            self._window = (q.version, window, least)
        if not window or least > max_free:
            return  # nothing in the window fits any pool now
        res = self.res
        started = []
        other = self._other_free(free)
        for job in window:
            need = min_need[job]
            if need > max_free:  # cheap skips: too big for any pool's free nodes, ...
                continue
            if res is not None and need > other and need > res.extra_nodes and t + est[job] > res.shadow_s:
                continue  # ... or only the reserved pool could hold it, and it would delay the head
            if self._backfill(host, job, t, free):
                started.append(job)
                free = host.pool_free()
                max_free = max(free)
                if max_free == 0:
                    break
                other = self._other_free(free)
        for job in started:
            q.remove(job)

    def _other_free(self, free: list[int]) -> int:
        """Most free nodes in a pool other than the reserved one."""
        if self.res is None:
            return max(free)
        return max((f for p, f in enumerate(free) if p != self.res.pool), default=0)

    def _backfill(self, host: Host, job: int, t: float, free: list[int]) -> bool:
        """Start `job` now if it fits a pool without delaying the reservation (free: nodes free per pool)."""
        res = self.res
        needp = host.needp
        pools = []
        late = None  # does the job run past the reservation? (computed only when it matters)
        for p in host.eligible[job]:
            need = needp[p][job]
            if free[p] < need:
                continue
            if res is not None and p == res.pool and need > res.extra_nodes:
                if late is None:
                    late = t + host.estimated_runtime_s(job) > res.shadow_s
                if late:
                    continue
            pools.append(p)
        if not pools or not host.start(job, pools, t):
            return False
        if res is not None and host.job_pool(job) == res.pool and t + host.estimated_runtime_s(job) > res.shadow_s:
            res.extra_nodes -= needp[res.pool][job]
        return True
