"""The strict in-order pass every policy starts with: start queued jobs from the head while each fits.

Without quotas the first job that does not fit stops the pass (strict order). With quotas each group
keeps its own order: a job that does not fit blocks only its group, and the pass goes on with the other
groups' jobs (up to `scan_depth` jobs examined). With preemption a blocked job may stop lower-priority
running jobs to make room.
"""

from __future__ import annotations

from numba import njit

from colossim.ops.sim.actions import preempt_for, try_start
from colossim.ops.sim.layout import G_STAMP, GROUP, I_PASS, I_QUOTAS, I_SCAN_LIMIT, NONE, QRANK
from colossim.ops.sim.queue import q_next


@njit(cache=True)
def start_in_order(pl, jobs, c, out, t, preempt):
    """`preempt`: int64, 1 to let a blocked job preempt lower-priority work."""
    quotas = c.ipar[I_QUOTAS]
    if quotas:
        c.ipar[I_PASS] += 1
    stamp = c.ipar[I_PASS]
    n_groups = c.grp.shape[1]
    blocked = 0
    scanned = 0
    after = NONE  # rank of the last job passed over
    while True:
        j = q_next(c, jobs, after)
        if j < 0:
            return
        g = jobs.ji[GROUP, j] if quotas else -1
        if quotas:
            scanned += 1
            if scanned > c.ipar[I_SCAN_LIMIT]:
                return
            if g >= 0 and c.grp[G_STAMP, g] == stamp:  # its group is blocked in this pass
                after = jobs.ji[QRANK, j]
                continue
        if try_start(pl, jobs, c, j, t):
            continue
        if preempt != 0 and preempt_for(pl, jobs, c, out, j, t):
            if not try_start(pl, jobs, c, j, t):  # pragma: no cover - preempt_for made room
                raise RuntimeError("preemption freed too few nodes")
            continue
        if not quotas or g < 0:
            return  # without quotas (or for a job outside every group) the order is strict
        c.grp[G_STAMP, g] = stamp
        blocked += 1
        if blocked == n_groups:
            return
        after = jobs.ji[QRANK, j]
