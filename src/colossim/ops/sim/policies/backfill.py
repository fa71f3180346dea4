"""EASY backfill: FIFO (or priority order), but when the head is blocked it gets a reservation (the
earliest time enough nodes free up in one pool, from running jobs' estimated ends), and later jobs may
start now if they fit and do not delay it: they end before the reservation, use another pool, or use
only the nodes the head will not need. Only the first `depth` waiting jobs are examined (like Slurm's
bf_max_job_test), the window is cached until the front of the queue changes, and a new arrival is
tested alone against the current reservation, so no event scans the whole queue."""

from __future__ import annotations

from typing import ClassVar, Literal

import numpy as np
from numba import njit
from pydantic import Field

from colossim.ops.sim.actions import fit_mask, reservation, start
from colossim.ops.sim.layout import (
    C_Q_SIZE,
    C_Q_VERSION,
    C_WIN_END,
    C_WIN_LEAST,
    C_WIN_N,
    C_WIN_VERSION,
    EST,
    FREE,
    I_DEPTH,
    I_QUOTAS,
    I_RES_POOL,
    MIN_NEED,
    P_RES_EXTRA,
    P_RES_SHADOW,
    POOL,
    QRANK,
    QUEUED,
    STATE,
    ZERO,
)
from colossim.ops.sim.policies.base import Capabilities, PolicyBase, PolicyCode, QueueOrder
from colossim.ops.sim.policies.order import start_in_order
from colossim.ops.sim.queue import q_head, q_next

NO_RANK = np.iinfo(np.int64).max


class BackfillConfig(PolicyBase):
    code: ClassVar[PolicyCode] = PolicyCode.BACKFILL
    capabilities: ClassVar[Capabilities] = Capabilities(reservations=True, runtime_estimates=True)
    kind: Literal["backfill"] = "backfill"
    order: QueueOrder = Field("submit", description="queue order: FIFO, or priority then FIFO")
    depth: int = Field(100, ge=1, le=100_000, description="queued jobs examined per pass after the head")
    runtime_estimate_factor: float = Field(
        1.0, ge=1.0, le=1e6, description="user run-time estimate / true run time (1 = exact estimates)"
    )

    def queue_order(self) -> QueueOrder:
        return self.order

    def backfill_depth(self) -> int:
        return self.depth

    def estimate_factor(self) -> float:
        return self.runtime_estimate_factor


@njit(cache=True, inline="always")
def _max_free(pl):
    free = pl.pi[FREE]
    best = 0
    for p in range(free.size):
        best = max(best, free[p])
    return best


@njit(cache=True, inline="always")
def _other_free(pl, res_pool):
    """Most free nodes in a pool other than the reserved one."""
    free = pl.pi[FREE]
    best = 0
    for p in range(free.size):
        if p != res_pool and free[p] > best:
            best = free[p]
    return best


@njit(cache=True, inline="always")
def _backfill_one(pl, jobs, c, j, t):
    """Start j now if it fits a pool without delaying the reservation."""
    mask = fit_mask(pl, jobs, c, j)
    if mask == 0:
        return False
    res_pool = c.ipar[I_RES_POOL]
    shadow, extra = c.par[P_RES_SHADOW], c.par[P_RES_EXTRA]
    late = t + jobs.jf[EST, j] > shadow
    if res_pool >= 0 and mask & (1 << res_pool) and jobs.needp[res_pool, j] > extra and late:
        mask &= ~(1 << res_pool)
    if not start(pl, jobs, c, j, t, mask):
        return False
    if res_pool >= 0 and jobs.ji[POOL, j] == res_pool and late:
        c.par[P_RES_EXTRA] = extra - jobs.needp[res_pool, j]
    return True


@njit(cache=True, inline="always")
def _window(jobs, c, head):
    """The `depth` queued jobs after the head (cached until the front of the queue changes)."""
    if c.cnt[C_WIN_VERSION] == c.cnt[C_Q_VERSION]:
        return c.cnt[C_WIN_N]
    depth = c.ipar[I_DEPTH]
    m = 0
    least = NO_RANK
    ji = jobs.ji
    j = q_next(c, jobs, ji[QRANK, head])
    while j >= 0 and m < depth:
        c.win[m] = j
        least = min(least, ji[MIN_NEED, j])
        m += 1
        j = q_next(c, jobs, ji[QRANK, j])
    c.cnt[C_WIN_N] = m
    c.cnt[C_WIN_LEAST] = least
    c.cnt[C_WIN_END] = ji[QRANK, c.win[m - 1]] if m == depth else NO_RANK
    c.cnt[C_WIN_VERSION] = c.cnt[C_Q_VERSION]
    return m


@njit(cache=True, inline="always")
def _nothing_new(pl, c, shadow, res_pool, extra):
    """Did an earlier pass that started nothing see the same window with at least as many free nodes in
    every pool and a reservation no tighter? Then nothing can start now either (time only moves on)."""
    w = c.wstate
    P = pl.pi.shape[1]
    if c.ipar[I_QUOTAS] or w[P + 3] != c.cnt[C_Q_VERSION] or w[P + 2] != res_pool:
        return False
    if shadow > w[P] or extra > w[P + 1]:
        return False
    for p in range(P):
        if pl.pi[FREE, p] > w[p]:
            return False
    return True


@njit(cache=True, inline="always")
def _remember(pl, c, shadow, res_pool, extra):
    w = c.wstate
    P = pl.pi.shape[1]
    for p in range(P):
        w[p] = pl.pi[FREE, p]
    w[P], w[P + 1], w[P + 2], w[P + 3] = shadow, extra, res_pool, c.cnt[C_Q_VERSION]


@njit(cache=True)
def backfill_schedule(pl, jobs, c, out, t):
    start_in_order(pl, jobs, c, out, t, ZERO)
    c.ipar[I_RES_POOL] = -1
    if c.cnt[C_Q_SIZE] == 0:
        return
    head = q_head(c, jobs)
    shadow, res_pool, extra = reservation(pl, jobs, head, t)
    c.par[P_RES_SHADOW], c.ipar[I_RES_POOL], c.par[P_RES_EXTRA] = shadow, res_pool, extra
    max_free = _max_free(pl)
    if max_free == 0:
        return
    m = _window(jobs, c, head)
    if m == 0 or c.cnt[C_WIN_LEAST] > max_free:
        return  # nothing in the window fits any pool now
    if _nothing_new(pl, c, shadow, res_pool, extra):
        return
    _remember(pl, c, shadow, res_pool, extra)
    other = _other_free(pl, res_pool)
    for i in range(m):
        j = c.win[i]
        if jobs.ji[STATE, j] != QUEUED:
            continue
        need = jobs.ji[MIN_NEED, j]
        if need > max_free:  # cheap skips: too big for any pool's free nodes, ...
            continue
        if res_pool >= 0 and need > other and need > c.par[P_RES_EXTRA] and t + jobs.jf[EST, j] > shadow:
            continue  # ... or only the reserved pool could hold it, and it would delay the head
        if _backfill_one(pl, jobs, c, j, t):
            c.wstate[pl.pi.shape[1] + 3] = -1.0  # something started: the next pass looks again
            max_free = _max_free(pl)
            if max_free == 0:
                break
            other = _other_free(pl, res_pool)


@njit(cache=True)
def backfill_arrival(pl, jobs, c, out, j, t):
    if q_head(c, jobs) == j:
        backfill_schedule(pl, jobs, c, out, t)
    else:
        _backfill_one(pl, jobs, c, j, t)
