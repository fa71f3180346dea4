"""First come, first served: start jobs in submit order; the first that does not fit blocks the rest."""

from __future__ import annotations

from typing import ClassVar, Literal

from numba import njit

from colossim.ops.sim.layout import I_QUOTAS, ZERO
from colossim.ops.sim.policies.base import Capabilities, PolicyBase, PolicyCode
from colossim.ops.sim.policies.order import start_in_order
from colossim.ops.sim.queue import q_head


class FifoConfig(PolicyBase):
    code: ClassVar[PolicyCode] = PolicyCode.FIFO
    capabilities: ClassVar[Capabilities] = Capabilities()
    kind: Literal["fifo"] = "fifo"


@njit(cache=True, inline="always")
def fifo_schedule(pl, jobs, c, out, t):
    start_in_order(pl, jobs, c, out, t, ZERO)


@njit(cache=True, inline="always")
def fifo_arrival(pl, jobs, c, out, j, t):
    if q_head(c, jobs) == j or c.ipar[I_QUOTAS]:
        fifo_schedule(pl, jobs, c, out, t)
