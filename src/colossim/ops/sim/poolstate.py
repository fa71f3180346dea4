"""Pool state: the only code that writes node counts.

A pool's nodes are in service (free, busy, down for repair, hot spare, held for serving) or not yet
(burn-in). Free, busy and down nodes live in pods (the network unit a job should stay inside):
per pod, installed = free + busy + down. Spares and serving nodes are held at pool level. Every count
has a time integral (`touch` before any change). Nodes held per running job are kept in a Fenwick
tree per pool, so a failure of a uniformly drawn busy node finds its job in O(log n).

Changes that cannot happen at once wait as pending counts: nodes to remove (taken from busy nodes as
their jobs end) and serving nodes not yet available (taken the same way, after removals).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from colossim.ops.sim.layout import (
    ACC_BURN,
    ACC_BUSY,
    ACC_DOWN,
    ACC_FREE,
    ACC_SERVE,
    ACC_SERVE_PEND,
    ACC_SPARE,
    AR_CNT,
    AR_POD,
    BURN,
    BUSY,
    C_DIRTY,
    DOWN,
    FREE,
    I_SPARE_MIN_NODES,
    LAST_T,
    NONE,
    P_SPARE_FRACTION,
    PBUSY,
    PDOWN,
    PEND_RM,
    PFREE,
    PINST,
    POD_LO,
    POD_N,
    POD_NODES,
    SC_CNT,
    SC_POD,
    SERVE,
    SERVE_PEND,
    SPARE,
    SPARE_TGT,
)


@njit(cache=True, inline="always")
def touch(pl, p, t):
    """Integrate every count of pool p up to t (call before changing any count)."""
    pi, pf = pl.pi, pl.pf
    dt = t - pf[LAST_T, p]
    if dt > 0.0:
        pf[ACC_BUSY, p] += pi[BUSY, p] * dt
        pf[ACC_FREE, p] += pi[FREE, p] * dt
        pf[ACC_DOWN, p] += pi[DOWN, p] * dt
        pf[ACC_SPARE, p] += pi[SPARE, p] * dt
        pf[ACC_BURN, p] += pi[BURN, p] * dt
        pf[ACC_SERVE, p] += pi[SERVE, p] * dt
        pf[ACC_SERVE_PEND, p] += pi[SERVE_PEND, p] * dt
        pf[LAST_T, p] = t


@njit(cache=True, inline="always")
def up_nodes(pl, p):
    """Nodes that can fail: in service and not under repair."""
    pi = pl.pi
    return pi[FREE, p] + pi[BUSY, p] + pi[SPARE, p] + pi[SERVE, p]


@njit(cache=True, inline="always")
def in_service(pl, p):
    pi = pl.pi
    return pi[FREE, p] + pi[BUSY, p] + pi[DOWN, p] + pi[SPARE, p] + pi[SERVE, p]


@njit(cache=True, inline="always")
def spare_target(nodes, fraction, min_nodes):
    """Hot spares held for `nodes` in service: ceil(fraction x nodes), at least min_nodes, at most nodes."""
    if nodes <= 0:
        return 0
    return min(nodes, max(min_nodes, int(math.ceil(fraction * nodes))))


@njit(cache=True, inline="always")
def _spare_target_for(c, nodes):
    return spare_target(nodes, c.par[P_SPARE_FRACTION], c.ipar[I_SPARE_MIN_NODES])


# ---------------------------------------------------------------------------------------- pods
@njit(cache=True, inline="always")
def _add_to_pods(pl, c, p, nodes):
    """New free nodes fill the pods that have room, in order, then new pods."""
    pi, pod = pl.pi, pl.pod
    lo = pi[POD_LO, p]
    k = 0
    while nodes > 0:
        if k == pi[POD_N, p]:
            pi[POD_N, p] += 1  # a new pod (room was reserved for the most pods the pool can need)
        g = lo + k
        room = pi[POD_NODES, p] - pod[PINST, g]
        if room > 0:
            m = room if room < nodes else nodes
            pod[PINST, g] += m
            pod[PFREE, g] += m
            pi[FREE, p] += m
            nodes -= m
        k += 1
    c.cnt[C_DIRTY] = 1


@njit(cache=True)
def _take_free(pl, p, nodes):
    """Take up to `nodes` idle nodes out of the pods (pods with the most free nodes first)."""
    pi, pod = pl.pi, pl.pod
    lo = pi[POD_LO, p]
    taken = 0
    while taken < nodes:
        best = NONE
        for g in range(lo, lo + pi[POD_N, p]):
            if pod[PFREE, g] > 0 and (best < 0 or pod[PFREE, g] > pod[PFREE, best]):
                best = g
        if best < 0:
            break
        m = min(pod[PFREE, best], nodes - taken)
        pod[PFREE, best] -= m
        pod[PINST, best] -= m
        pi[FREE, p] -= m
        taken += m
    return taken


@njit(cache=True, inline="always")
def occupy(pl, c, p, n_entries):
    """A job takes the nodes of the allocation in the placement scratch (pod, nodes) entries."""
    pod = pl.pod
    total = 0
    for e in range(n_entries):
        g, m = c.sc[SC_POD, e], c.sc[SC_CNT, e]
        pod[PFREE, g] -= m
        pod[PBUSY, g] += m
        total += m
    pl.pi[FREE, p] -= total
    pl.pi[BUSY, p] += total
    return total


@njit(cache=True, inline="always")
def release(pl, c, p, ar_lo, ar_len, fail_pod):
    """A job gives back its nodes (one node of `fail_pod` goes down for repair, if >= 0). Pending
    removals and pending serving take the freed nodes first."""
    pi, pod = pl.pi, pl.pod
    freed = 0
    held = 0
    for e in range(ar_lo, ar_lo + ar_len):
        g, m = c.ar[AR_POD, e], c.ar[AR_CNT, e]
        held += m
        pod[PBUSY, g] -= m
        if g == fail_pod:
            pod[PDOWN, g] += 1
            pi[DOWN, p] += 1
            m -= 1
        if pi[PEND_RM, p] > 0 and m > 0:
            r = min(m, pi[PEND_RM, p])
            pi[PEND_RM, p] -= r
            pod[PINST, g] -= r
            m -= r
        if pi[SERVE_PEND, p] > 0 and m > 0:
            s = min(m, pi[SERVE_PEND, p])
            pi[SERVE_PEND, p] -= s
            pi[SERVE, p] += s
            pod[PINST, g] -= s
            m -= s
        pod[PFREE, g] += m
        freed += m
    pi[BUSY, p] -= held
    pi[FREE, p] += freed
    c.cnt[C_DIRTY] = 1


# ------------------------------------------------------------------------ victims of failures
@njit(cache=True, inline="always")
def tree_add(pl, p, j, delta):
    tree = pl.tree
    size = tree.shape[1]
    i = j + 1
    while i < size:
        tree[p, i] += delta
        i += i & (-i)


@njit(cache=True, inline="always")
def tree_find(pl, p, u):
    """The running job holding busy node u (0 <= u < busy nodes) of pool p, and u's rank in the job."""
    tree = pl.tree
    size = tree.shape[1]
    pos = 0
    step = size >> 1
    while step > 0:
        nxt = pos + step
        if nxt < size and tree[p, nxt] <= u:
            pos = nxt
            u -= tree[p, nxt]
        step >>= 1
    return pos, u


# ------------------------------------------------------------------------------- failures
@njit(cache=True, inline="always")
def fail_free_node(pl, p, u):
    """The u-th free node (in pod order) goes down; returns its pod."""
    pi, pod = pl.pi, pl.pod
    lo = pi[POD_LO, p]
    for g in range(lo, lo + pi[POD_N, p]):
        if u < pod[PFREE, g]:
            pod[PFREE, g] -= 1
            pod[PDOWN, g] += 1
            pi[FREE, p] -= 1
            pi[DOWN, p] += 1
            return g
        u -= pod[PFREE, g]
    return -1  # pragma: no cover - u < free nodes by construction


@njit(cache=True, inline="always")
def fail_held_node(pl, p, serving):
    """A hot spare (or a serving node) goes down; it belongs to no pod."""
    pl.pi[SERVE if serving else SPARE, p] -= 1
    pl.pi[DOWN, p] += 1


@njit(cache=True, inline="always")
def swap_in_spare(pl, p, g):
    """A busy node of pod g failed: it goes down and a spare takes its place in the job."""
    pl.pi[SPARE, p] -= 1
    pl.pi[DOWN, p] += 1
    pl.pod[PINST, g] += 1
    pl.pod[PDOWN, g] += 1


@njit(cache=True, inline="always")
def repaired(pl, c, p, g):
    """A node comes back from repair: to a pending removal, pending serving, the spares, then a pod."""
    pi, pod = pl.pi, pl.pod
    pi[DOWN, p] -= 1
    if g >= 0:
        pod[PDOWN, g] -= 1
        pod[PINST, g] -= 1
    if pi[PEND_RM, p] > 0:
        pi[PEND_RM, p] -= 1
    elif pi[SERVE_PEND, p] > 0:
        pi[SERVE_PEND, p] -= 1
        pi[SERVE, p] += 1
    elif pi[SPARE, p] < pi[SPARE_TGT, p]:
        pi[SPARE, p] += 1
    else:
        if g < 0:  # back to the pod with the fewest nodes installed
            lo = pi[POD_LO, p]
            g = lo
            for h in range(lo, lo + pi[POD_N, p]):
                if pod[PINST, h] < pod[PINST, g]:
                    g = h
        pod[PINST, g] += 1
        pod[PFREE, g] += 1
        pi[FREE, p] += 1
        c.cnt[C_DIRTY] = 1


# ------------------------------------------------------------------------- capacity changes
@njit(cache=True)
def arrive(pl, p, nodes):
    """Racks delivered: into burn-in."""
    pl.pi[BURN, p] += nodes


@njit(cache=True)
def remove(pl, c, p, nodes):
    """Nodes retired: idle ones at once, then spares, the rest as their jobs let go."""
    pi = pl.pi
    taken = _take_free(pl, p, nodes)
    if taken < nodes and pi[SPARE, p] > 0:
        s = min(pi[SPARE, p], nodes - taken)
        pi[SPARE, p] -= s
        taken += s
    pi[PEND_RM, p] += nodes - taken
    pi[SPARE_TGT, p] = _spare_target_for(c, in_service(pl, p) - pi[PEND_RM, p])


@njit(cache=True)
def enter_service(pl, c, p, nodes):
    """Burn-in over: nodes join the spares (up to their target), the rest the pods."""
    pi = pl.pi
    pi[BURN, p] -= nodes
    pi[SPARE_TGT, p] = _spare_target_for(c, in_service(pl, p) + nodes - pi[PEND_RM, p])
    to_spare = min(nodes, max(0, pi[SPARE_TGT, p] - pi[SPARE, p]))
    pi[SPARE, p] += to_spare
    _add_to_pods(pl, c, p, nodes - to_spare)


@njit(cache=True)
def set_serving(pl, c, p, target):
    """Hold `target` nodes for serving: take idle nodes now and the rest as jobs end (pending); give
    nodes back to the pods when the target falls."""
    pi = pl.pi
    have = pi[SERVE, p] + pi[SERVE_PEND, p]
    if target > have:
        got = _take_free(pl, p, target - have)
        pi[SERVE, p] += got
        pi[SERVE_PEND, p] += target - have - got
    elif target < have:
        drop = have - target
        d = min(drop, pi[SERVE_PEND, p])
        pi[SERVE_PEND, p] -= d
        drop -= d
        if drop > 0:
            pi[SERVE, p] -= drop
            _add_to_pods(pl, c, p, drop)


def pods_needed(max_nodes: int, pod_nodes: int) -> int:
    """Pods a pool can ever need: new pods open only when every pod is full."""
    return max(1, -(-max_nodes // pod_nodes))


def fenwick_size(n_jobs: int) -> int:
    return 1 << max(1, int(np.ceil(np.log2(n_jobs + 2))))
