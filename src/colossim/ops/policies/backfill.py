"""EASY backfill: FIFO, but when the head is blocked it gets a reservation (the earliest time enough
nodes free up in one pool, from running jobs' estimated ends), and later jobs may start now if they fit
and do not delay it: they end before the reservation, use another pool, or use only the nodes the head
will not need. Only the first `depth` waiting jobs are examined (like Slurm's bf_max_job_test), and a
new arrival is tested alone against the current reservation, so no event scans the whole queue."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from colossim.ops.policies.base import Host, Reservation


class BackfillConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["backfill"] = "backfill"
    depth: int = Field(100, ge=1, description="queued jobs examined per pass after the head")
    runtime_estimate_factor: float = Field(
        1.0, ge=1.0, description="user run-time estimate / true run time (1 = exact estimates)"
    )

    def build(self) -> EasyBackfill:
        return EasyBackfill(self.depth)


class EasyBackfill:
    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.res: Reservation | None = None

    def key(self, host: Host, job: int) -> tuple:
        return (host.submit_s(job), job)

    def on_arrival(self, host: Host, job: int, t: float) -> None:
        q = host.queue
        if q.head() == job:
            self.schedule(host, t)
        elif self._backfill(host, job, t):
            q.remove(job)

    def schedule(self, host: Host, t: float) -> None:
        q = host.queue
        while len(q):
            job = q.head()
            if not host.start(job, host.fit_options(job), t):
                break
            q.pop_head()
        self.res = None
        if not len(q):
            return
        self.res = host.reservation(q.head(), t)
        max_free = host.max_free_nodes()
        if max_free == 0:
            return
        min_need = host.min_need
        started = []
        for job in q.jobs(1, 1 + self.depth):
            if min_need[job] > max_free:  # cheap skip: too big for any pool's free nodes
                continue
            if self._backfill(host, job, t):
                started.append(job)
                max_free = host.max_free_nodes()
                if max_free == 0:
                    break
        for job in started:
            q.remove(job)

    def _backfill(self, host: Host, job: int, t: float) -> bool:
        pools = host.fit_options(job)
        if not pools:
            return False
        res = self.res
        if res is not None and res.pool in pools:
            need = host.need(job, res.pool)
            if t + host.estimated_runtime_s(job) > res.shadow_s and need > res.extra_nodes:
                pools = [p for p in pools if p != res.pool]
        if not host.start(job, pools, t):
            return False
        if (
            res is not None
            and host.job_pool(job) == res.pool
            and t + host.estimated_runtime_s(job) > res.shadow_s
        ):
            res.extra_nodes -= host.need(job, res.pool)
        return True
