"""Bookkeeping of running jobs:
- per pool, running jobs' estimated ends sorted by (end, job), kept only for policies that declare
  reservations (EASY walks it);
- the list of running jobs and, per pool, the nodes held per priority rank (preemption reads them).
"""

from __future__ import annotations

from numba import njit

from colossim.ops.sim.layout import ANODES, C_RUN_N, END_EST, ENDS_N, POOL, PRANK, RUN_POS


@njit(cache=True)
def _ends_search(pl, p, t, j):
    """Position of (t, j) in pool p's sorted ends (first entry not below it)."""
    lo, hi = 0, pl.pi[ENDS_N, p]
    while lo < hi:
        mid = (lo + hi) >> 1
        mt = pl.ends_t[p, mid]
        if mt < t or (mt == t and pl.ends_j[p, mid] < j):
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def ends_insert(pl, jobs, p, j):
    t = jobs.jf[END_EST, j]
    i = _ends_search(pl, p, t, j)
    n = pl.pi[ENDS_N, p]
    for k in range(n, i, -1):
        pl.ends_t[p, k] = pl.ends_t[p, k - 1]
        pl.ends_j[p, k] = pl.ends_j[p, k - 1]
    pl.ends_t[p, i] = t
    pl.ends_j[p, i] = j
    pl.pi[ENDS_N, p] = n + 1


@njit(cache=True)
def ends_remove(pl, jobs, p, j):
    i = _ends_search(pl, p, jobs.jf[END_EST, j], j)
    n = pl.pi[ENDS_N, p] - 1
    for k in range(i, n):
        pl.ends_t[p, k] = pl.ends_t[p, k + 1]
        pl.ends_j[p, k] = pl.ends_j[p, k + 1]
    pl.pi[ENDS_N, p] = n


@njit(cache=True)
def running_add(pl, jobs, c, j):
    ji = jobs.ji
    n = c.cnt[C_RUN_N]
    c.run_list[n] = j
    ji[RUN_POS, j] = n
    c.cnt[C_RUN_N] = n + 1
    pl.prio_nodes[ji[POOL, j], ji[PRANK, j]] += ji[ANODES, j]


@njit(cache=True)
def running_remove(pl, jobs, c, j):
    ji = jobs.ji
    n = c.cnt[C_RUN_N] - 1
    i = ji[RUN_POS, j]
    last = c.run_list[n]
    c.run_list[i] = last
    ji[RUN_POS, last] = i
    ji[RUN_POS, j] = -1
    c.cnt[C_RUN_N] = n
    pl.prio_nodes[ji[POOL, j], ji[PRANK, j]] -= ji[ANODES, j]
