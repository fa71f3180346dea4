"""Node failures and repairs.

Each pool has one failure clock: failures of its up nodes (rate r each) are one Poisson process of rate
r x up(t). It is thinned: the clock runs at r x B (B = nodes in service when it was armed, re-armed only
when capacity grows) and a firing hits a uniformly drawn node of the B; it is a failure if that node is
up (busy, idle, spare or serving), so the rate is exactly r x up(t) without re-arming on every failure
or repair. A busy node's failure hits the job holding it (jobs are hit in proportion to their nodes).
A share of failures (software) only restart the job; the rest take the node down for repair, an
automated attempt (exponential) escalated with some probability to a manual repair (exponential).
"""

from __future__ import annotations

import math

from numba import njit

from colossim.ops.sim.actions import give_back, requeue
from colossim.ops.sim.heap import heap_push
from colossim.ops.sim.jobs import close_segment, restart_in_place
from colossim.ops.sim.layout import (
    ALEN,
    ALO,
    ANODES,
    AR_CNT,
    AR_POD,
    BUSY,
    C_FAIL,
    C_FAILURES,
    C_HIT,
    C_REPAIRS,
    C_SOFT,
    C_SWAPS,
    C_THINNED,
    FAIL_BOUND,
    FAIL_EPOCH,
    FAILURE,
    FREE,
    I_SPARE_MIN_JOB,
    I_TIMELINE,
    INTERRUPTS,
    NONE,
    P_ESCALATE,
    P_REPAIR_AUTO_S,
    P_REPAIR_MANUAL_S,
    P_REPAIR_SHARE,
    POOL,
    RATE_S,
    REPAIR,
    SEG_STOP,
    SPARE,
)
from colossim.ops.sim.poolstate import (
    fail_free_node,
    fail_held_node,
    in_service,
    repaired,
    swap_in_spare,
    touch,
    tree_find,
    up_nodes,
)


@njit(cache=True, inline="always")
def exponential(rng, mean):
    """Exp(mean) by inversion: -mean ln(1 - U)."""
    return -mean * math.log1p(-rng.random())


@njit(cache=True)
def arm_failure_clock(pl, c, p, t, rng_fail):
    """(Re)start pool p's clock at rate r x B, B = nodes in service now."""
    pi = pl.pi
    pi[FAIL_EPOCH, p] += 1
    pi[FAIL_BOUND, p] = in_service(pl, p)
    rate = pl.pf[RATE_S, p] * pi[FAIL_BOUND, p]
    if rate > 0.0:
        heap_push(c, t + exponential(rng_fail, 1.0 / rate), FAILURE, p, pi[FAIL_EPOCH, p])


@njit(cache=True)
def _send_to_repair(c, p, g, t, rng_repair):
    dt = exponential(rng_repair, c.par[P_REPAIR_AUTO_S])
    if rng_repair.random() < c.par[P_ESCALATE]:
        dt += exponential(rng_repair, c.par[P_REPAIR_MANUAL_S])
    heap_push(c, t + dt, REPAIR, p, g)


@njit(cache=True)
def _interrupt(pl, jobs, c, out, j, g, needs_repair, t, rng_repair):
    """A node of pod g held by job j failed: restart in place (software, or a spare swapped in), or
    give the nodes back and requeue (the failed node goes to repair)."""
    p = jobs.ji[POOL, j]
    c.cnt[C_HIT] += 1
    jobs.ji[INTERRUPTS, j] += 1
    close_segment(pl, jobs, c, out, j, t, SEG_STOP)
    if not needs_repair:
        restart_in_place(pl, jobs, c, j, t)
        return
    if pl.pi[SPARE, p] > 0 and jobs.ji[ANODES, j] >= c.ipar[I_SPARE_MIN_JOB]:
        swap_in_spare(pl, p, g)
        c.cnt[C_SWAPS] += 1
        restart_in_place(pl, jobs, c, j, t)
    else:
        give_back(pl, jobs, c, j, g)
        requeue(jobs, c, j)
    _send_to_repair(c, p, g, t, rng_repair)


@njit(cache=True)
def on_failure(pl, jobs, c, out, p, t, rng_fail, rng_victim, rng_repair):
    pi = pl.pi
    bound = pi[FAIL_BOUND, p]
    heap_push(c, t + exponential(rng_fail, 1.0 / (pl.pf[RATE_S, p] * bound)), FAILURE, p, pi[FAIL_EPOCH, p])
    u = rng_victim.random() * bound  # a node of the bound: up ones fail, the rest are thinned out
    if u >= up_nodes(pl, p):
        c.cnt[C_THINNED] += 1
        return
    touch(pl, p, t)
    c.cnt[C_FAILURES] += 1
    needs_repair = rng_victim.random() < c.par[P_REPAIR_SHARE]
    if not needs_repair:
        c.cnt[C_SOFT] += 1
    node = int(u)
    busy, free, spare = pi[BUSY, p], pi[FREE, p], pi[SPARE, p]
    if node < busy:
        j, rank = tree_find(pl, p, node)
        g = NONE
        lo = jobs.ji[ALO, j]
        for e in range(lo, lo + jobs.ji[ALEN, j]):  # the pod of the job's rank-th node
            g = c.ar[AR_POD, e]
            if rank < c.ar[AR_CNT, e]:
                break
            rank -= c.ar[AR_CNT, e]
        _interrupt(pl, jobs, c, out, j, g, needs_repair, t, rng_repair)
    elif needs_repair:
        if node < busy + free:
            g = fail_free_node(pl, p, node - busy)
        else:
            fail_held_node(pl, p, node >= busy + free + spare)
            g = NONE
        _send_to_repair(c, p, g, t, rng_repair)
    if c.ipar[I_TIMELINE]:
        i = c.cnt[C_FAIL]
        out.fail[i, 0], out.fail[i, 1], out.fail[i, 2] = t, p, needs_repair
        c.cnt[C_FAIL] = i + 1


@njit(cache=True)
def on_repair(pl, c, p, g, t):
    touch(pl, p, t)
    c.cnt[C_REPAIRS] += 1
    repaired(pl, c, p, g)
