"""The compiled passes of every policy, by code (the one place the kernel chooses a policy)."""

from __future__ import annotations

from numba import njit

from colossim.ops.sim.layout import I_POLICY
from colossim.ops.sim.policies.backfill import backfill_arrival, backfill_schedule
from colossim.ops.sim.policies.base import PolicyCode
from colossim.ops.sim.policies.fifo import fifo_arrival, fifo_schedule
from colossim.ops.sim.policies.priority import priority_arrival, priority_schedule

_FIFO, _PRIORITY, _BACKFILL = int(PolicyCode.FIFO), int(PolicyCode.PRIORITY), int(PolicyCode.BACKFILL)


@njit(cache=True)
def schedule(pl, jobs, c, out, t):
    """The policy's pass after any event that can free nodes."""
    code = c.ipar[I_POLICY]
    if code == _BACKFILL:
        backfill_schedule(pl, jobs, c, out, t)
    elif code == _PRIORITY:
        priority_schedule(pl, jobs, c, out, t)
    else:
        fifo_schedule(pl, jobs, c, out, t)


@njit(cache=True)
def on_arrival(pl, jobs, c, out, j, t):
    """The policy's reaction to a newly queued job."""
    code = c.ipar[I_POLICY]
    if code == _BACKFILL:
        backfill_arrival(pl, jobs, c, out, j, t)
    elif code == _PRIORITY:
        priority_arrival(pl, jobs, c, out, j, t)
    else:
        fifo_arrival(pl, jobs, c, out, j, t)
