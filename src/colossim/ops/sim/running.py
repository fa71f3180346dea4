"""Bookkeeping of running jobs:
- per pool, the nodes that running jobs will free at their estimated ends, kept only for policies that
  declare reservations (EASY): a Fenwick tree of nodes over end-time buckets plus a linked list of the
  jobs in each bucket, so inserting or removing a job is O(log B) and the earliest time enough nodes
  free up (the head's reservation) is a tree descent and a sort of one bucket's few jobs, exactly;
- the list of running jobs and, per pool, the nodes held per priority rank (preemption reads them).
"""

from __future__ import annotations

from numba import njit

from colossim.ops.sim.layout import (
    ANODES,
    C_RUN_N,
    END_BUCKET,
    END_EST,
    END_NEXT,
    END_PREV,
    I_BUCKETS,
    NONE,
    P_BUCKET_S,
    POOL,
    PRANK,
    RUN_POS,
)


@njit(cache=True, inline="always")
def _bucket_add(pl, p, b, delta):
    tree = pl.bk_tree
    size = tree.shape[1]
    i = b + 1
    while i < size:
        tree[p, i] += delta
        i += i & (-i)


@njit(cache=True, inline="always")
def ends_insert(pl, jobs, c, p, j):
    ji = jobs.ji
    b = min(int(jobs.jf[END_EST, j] / c.par[P_BUCKET_S]), c.ipar[I_BUCKETS] - 1)
    head = pl.bk_head[p, b]
    ji[END_BUCKET, j], ji[END_NEXT, j], ji[END_PREV, j] = b, head, NONE
    if head >= 0:
        ji[END_PREV, head] = j
    pl.bk_head[p, b] = j
    _bucket_add(pl, p, b, ji[ANODES, j])


@njit(cache=True, inline="always")
def ends_remove(pl, jobs, c, p, j):
    ji = jobs.ji
    b, nxt, prv = ji[END_BUCKET, j], ji[END_NEXT, j], ji[END_PREV, j]
    if prv >= 0:
        ji[END_NEXT, prv] = nxt
    else:
        pl.bk_head[p, b] = nxt
    if nxt >= 0:
        ji[END_PREV, nxt] = prv
    _bucket_add(pl, p, b, -ji[ANODES, j])


@njit(cache=True)
def earliest_release(pl, jobs, p, nodes):
    """The earliest estimated end by which running jobs of pool p free `nodes` nodes: (time, nodes freed
    by then), or (inf, 0) if all of them together free fewer."""
    tree = pl.bk_tree
    size = tree.shape[1]
    step = 1
    while step * 2 < size:
        step *= 2
    pos, rem = 0, nodes
    while step > 0:  # the last bucket whose prefix is still short of `nodes`
        nxt = pos + step
        if nxt < size and tree[p, nxt] < rem:
            pos = nxt
            rem -= tree[p, nxt]
        step >>= 1
    if pos >= size - 1:
        return 1e300, 0
    jf, ji = jobs.jf, jobs.ji
    freed = nodes - rem  # before bucket `pos`
    last_t, last_j = -1.0, NONE
    while True:  # the bucket's jobs in (end, job) order until enough nodes are free
        best = NONE
        v = pl.bk_head[p, pos]
        while v >= 0:
            tv = jf[END_EST, v]
            after = tv > last_t or (tv == last_t and v > last_j)
            if after and (best < 0 or tv < jf[END_EST, best] or (tv == jf[END_EST, best] and v < best)):
                best = v
            v = ji[END_NEXT, v]
        if best < 0:  # pragma: no cover - the tree said this bucket holds enough
            return 1e300, 0
        freed += ji[ANODES, best]
        last_t, last_j = jf[END_EST, best], best
        if freed >= nodes:
            return last_t, freed


@njit(cache=True, inline="always")
def running_add(pl, jobs, c, j):
    ji = jobs.ji
    n = c.cnt[C_RUN_N]
    c.run_list[n] = j
    ji[RUN_POS, j] = n
    c.cnt[C_RUN_N] = n + 1
    pl.prio_nodes[ji[POOL, j], ji[PRANK, j]] += ji[ANODES, j]


@njit(cache=True, inline="always")
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
