"""Priority order (higher first, then submit time); optionally preempting lower-priority running jobs
so the head can start (preempted jobs lose work since their last checkpoint and requeue)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from colossim.ops.policies.base import Host


class PriorityConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["priority"] = "priority"
    preempt: bool = True

    def build(self) -> PriorityScheduler:
        return PriorityScheduler(self.preempt)


class PriorityScheduler:
    uses_priority_nodes = True
    def __init__(self, preempt: bool) -> None:
        self.preempt = preempt

    def key(self, host: Host, job: int) -> tuple:
        return (-host.priority(job), host.submit_s(job), job)

    def on_arrival(self, host: Host, job: int, t: float) -> None:
        if host.queue.head() == job:
            self.schedule(host, t)

    def schedule(self, host: Host, t: float) -> None:
        q = host.queue
        while q.size:
            job = q.head()
            if host.start(job, host.fit_options(job), t):
                q.pop_head()
                continue
            if self.preempt and host.preempt_for(job, t):
                q.remove(job)  # preempted jobs were queued behind it; it may no longer be first
                if not host.start(
                    job, host.fit_options(job), t
                ):  # pragma: no cover - preempt_for guarantees room
                    raise RuntimeError("preemption freed too few nodes")
                continue
            return
