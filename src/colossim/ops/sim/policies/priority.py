"""Priority order (higher first, then submit time); optionally preempting lower-priority running jobs so
the head can start (preempted jobs lose work since their last checkpoint and requeue)."""

from __future__ import annotations

from typing import ClassVar, Literal

from numba import njit

from colossim.ops.sim.layout import I_PREEMPT, I_QUOTAS
from colossim.ops.sim.policies.base import Capabilities, PolicyBase, PolicyCode, QueueOrder
from colossim.ops.sim.policies.order import start_in_order
from colossim.ops.sim.queue import q_head


class PriorityConfig(PolicyBase):
    code: ClassVar[PolicyCode] = PolicyCode.PRIORITY
    capabilities: ClassVar[Capabilities] = Capabilities(preemption=True)
    kind: Literal["priority"] = "priority"
    preempt: bool = True

    def queue_order(self) -> QueueOrder:
        return "priority"

    def preempt_enabled(self) -> bool:
        return self.preempt


@njit(cache=True, inline="always")
def priority_schedule(pl, jobs, c, out, t):
    start_in_order(pl, jobs, c, out, t, c.ipar[I_PREEMPT])


@njit(cache=True, inline="always")
def priority_arrival(pl, jobs, c, out, j, t):
    if q_head(c, jobs) == j or c.ipar[I_QUOTAS]:
        priority_schedule(pl, jobs, c, out, t)
