"""What a policy can do to a job: test whether it fits now, start it (placement, nodes, segment), stop
it (preemption), find the earliest time the queue head could start (EASY reservation) and make room for
it by preempting lower-priority work. Node counts change only through colossim.ops.sim.poolstate."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from colossim.ops.sim.jobs import begin_segment, close_segment, enqueue
from colossim.ops.sim.layout import (
    ALEN,
    ALO,
    ANODES,
    AR_CNT,
    AR_POD,
    BUSY,
    C_AR_TOP,
    C_PREEMPT,
    C_RUN_N,
    ELIG,
    EPOCH,
    FIRST_START,
    FREE,
    G_QUOTA,
    G_USED,
    GPUS,
    GROUP,
    I_PLACEMENT,
    I_QUOTAS,
    I_TRACK_ENDS,
    NONE,
    PODS_USED,
    POOL,
    PRANK,
    PREEMPTS,
    RESTART,
    RUNNING,
    SC_CNT,
    SC_POD,
    SEG_START,
    SEG_STOP,
    STATE,
    ZERO,
)
from colossim.ops.sim.placement import choose
from colossim.ops.sim.poolstate import occupy, release, touch, tree_add
from colossim.ops.sim.queue import q_remove
from colossim.ops.sim.running import earliest_release, ends_remove, running_add, running_remove


@njit(cache=True, inline="always")
def quota_ok(jobs, c, j):
    g = jobs.ji[GROUP, j]
    return not c.ipar[I_QUOTAS] or g < 0 or c.grp[G_USED, g] + jobs.ji[GPUS, j] <= c.grp[G_QUOTA, g]


@njit(cache=True, inline="always")
def fit_mask(pl, jobs, c, j):
    """Bitmask of the eligible pools where job j fits now (free nodes, and its group's quota)."""
    if not quota_ok(jobs, c, j):
        return 0
    mask = 0
    elig = jobs.ji[ELIG, j]
    free = pl.pi[FREE]
    for p in range(free.size):
        if elig & (1 << p) and free[p] >= jobs.needp[p, j]:
            mask |= 1 << p
    return mask


@njit(cache=True)
def _compact_arena(jobs, c):
    """Move the allocations of running jobs to the front of the arena (they hold at most every node)."""
    ji, ar = jobs.ji, c.ar
    n_run = c.cnt[C_RUN_N]
    total = 0
    for i in range(n_run):
        total += ji[ALEN, c.run_list[i]]
    packed = np.empty((2, total), np.int64)
    top = 0
    for i in range(n_run):
        j = c.run_list[i]
        lo = ji[ALO, j]
        for e in range(ji[ALEN, j]):
            packed[0, top + e], packed[1, top + e] = ar[0, lo + e], ar[1, lo + e]
        ji[ALO, j] = top
        top += ji[ALEN, j]
    for e in range(top):
        ar[0, e], ar[1, e] = packed[0, e], packed[1, e]
    c.cnt[C_AR_TOP] = top


@njit(cache=True, inline="always")
def start(pl, jobs, c, j, t, mask):
    """Start queued job j in one of the pools of `mask` (where it fits); False if placement fails."""
    if mask == 0:
        return False
    ji, jf = jobs.ji, jobs.jf
    p, m = choose(pl, c, jobs.needp[:, j], mask, c.ipar[I_PLACEMENT])
    if p < 0:
        return False
    touch(pl, p, t)
    top = c.cnt[C_AR_TOP]
    if top + m > c.ar.shape[1]:
        _compact_arena(jobs, c)
        top = c.cnt[C_AR_TOP]
    for e in range(m):
        c.ar[AR_POD, top + e], c.ar[AR_CNT, top + e] = c.sc[SC_POD, e], c.sc[SC_CNT, e]
    c.cnt[C_AR_TOP] = top + m
    nodes = occupy(pl, c, p, m)
    q_remove(c, jobs, j)
    ji[STATE, j] = RUNNING
    ji[POOL, j] = p
    ji[ALO, j], ji[ALEN, j], ji[ANODES, j] = top, m, nodes
    ji[PODS_USED, j] = max(ji[PODS_USED, j], m)
    tree_add(pl, p, j, nodes)
    running_add(pl, jobs, c, j)
    if ji[GROUP, j] >= 0:
        c.grp[G_USED, ji[GROUP, j]] += ji[GPUS, j]
    started_before = not math.isnan(jf[FIRST_START, j])
    if not started_before:
        jf[FIRST_START, j] = t
    begin_segment(pl, jobs, c, j, jf[RESTART, j] if started_before else 0.0, t)
    return True


@njit(cache=True, inline="always")
def try_start(pl, jobs, c, j, t):
    return start(pl, jobs, c, j, t, fit_mask(pl, jobs, c, j))


@njit(cache=True, inline="always")
def give_back(pl, jobs, c, j, fail_pod):
    """Job j lets go of its nodes (one of pod `fail_pod` goes down, if >= 0) and of its bookkeeping."""
    ji = jobs.ji
    p = ji[POOL, j]
    release(pl, c, p, ji[ALO, j], ji[ALEN, j], fail_pod)
    tree_add(pl, p, j, -ji[ANODES, j])
    running_remove(pl, jobs, c, j)
    if c.ipar[I_TRACK_ENDS]:
        ends_remove(pl, jobs, c, p, j)
    if ji[GROUP, j] >= 0:
        c.grp[G_USED, ji[GROUP, j]] -= ji[GPUS, j]
    ji[ALEN, j] = 0
    ji[ANODES, j] = 0


@njit(cache=True, inline="always")
def requeue(jobs, c, j):
    jobs.ji[EPOCH, j] += 1  # its scheduled end is void
    enqueue(jobs, c, j)


@njit(cache=True)
def preempt(pl, jobs, c, out, j, t):
    """Stop running job j: it loses the work since its last checkpoint and goes back to the queue."""
    touch(pl, jobs.ji[POOL, j], t)
    close_segment(pl, jobs, c, out, j, t, SEG_STOP)
    jobs.ji[PREEMPTS, j] += 1
    c.cnt[C_PREEMPT] += 1
    give_back(pl, jobs, c, j, NONE)
    requeue(jobs, c, j)


@njit(cache=True)
def reservation(pl, jobs, j, t):
    """EASY: the earliest time enough nodes free up for j in one eligible pool, from running jobs'
    estimated ends; returns (time, pool, nodes to spare then), pool -1 if none can be promised."""
    pi, ji = pl.pi, jobs.ji
    best_t, best_p, best_extra = np.inf, NONE, ZERO
    for p in range(pi.shape[1]):
        if not ji[ELIG, j] & (1 << p):
            continue
        need = jobs.needp[p, j]
        if pi[FREE, p] + pi[BUSY, p] < need:
            continue  # cannot fit until repairs or deliveries arrive
        if pi[FREE, p] >= need:
            shadow, extra = t, pi[FREE, p] - need
        else:
            shadow, freed = earliest_release(pl, jobs, p, need - pi[FREE, p])
            extra = pi[FREE, p] + freed - need
        if shadow < best_t:
            best_t, best_p, best_extra = shadow, p, extra
    return best_t, best_p, best_extra


@njit(cache=True)
def preempt_for(pl, jobs, c, out, j, t):
    """Free nodes for j by preempting lower-priority running jobs (lowest priority, then most recently
    started first) in the first eligible pool where that is enough; False if no pool can."""
    ji, jf, pi = jobs.ji, jobs.jf, pl.pi
    rank = ji[PRANK, j]
    for p in range(pi.shape[1]):
        if not ji[ELIG, j] & (1 << p):
            continue
        need = jobs.needp[p, j]
        lower = 0
        for r in range(rank):
            lower += pl.prio_nodes[p, r]
        if pi[FREE, p] + lower < need:
            continue
        while pi[FREE, p] < need:  # the next victim: lowest priority rank, latest start, lowest index
            victim = NONE
            for i in range(c.cnt[C_RUN_N]):
                v = c.run_list[i]
                if ji[POOL, v] != p or ji[PRANK, v] >= rank:
                    continue
                if victim < 0 or ji[PRANK, v] < ji[PRANK, victim] or (ji[PRANK, v] == ji[PRANK, victim] and (
                        jf[SEG_START, v] > jf[SEG_START, victim]
                        or (jf[SEG_START, v] == jf[SEG_START, victim] and v < victim))):
                    victim = v
            if victim < 0:  # pragma: no cover - the lower-priority nodes were counted above
                break
            preempt(pl, jobs, c, out, victim, t)
        return True
    return False
