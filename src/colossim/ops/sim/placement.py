"""Where a gang job goes: which pool (among those where it fits now) and which pods inside it.

- topology (code 0): fewest pods first. One pod if any has room (best fit: the fullest pod that still
  fits); otherwise the largest free pods, with the remainder in the tightest pod that holds it. Among
  pools, the one needing fewest pods, then the one with the fewest free nodes (best fit).
- first_fit (code 1): the first pool in list order, pods in index order (topology-blind baseline).
The place functions work on one pool's per-pod free counts and write (pod, nodes) entries; `choose`
writes the chosen allocation to the placement scratch (`Core.sc`).
"""

from __future__ import annotations

from numba import njit

from colossim.ops.sim.layout import FREE, NONE, PFREE, POD_LO, POD_N, SC_CNT, SC_ORDER, SC_POD

TOPOLOGY, FIRST_FIT = 0, 1


@njit(cache=True, inline="always")
def _by_free_desc(free, order):
    """Pod indices by free nodes, most first, ties in index order, into `order` (a stable insertion
    sort: pools have at most a few hundred pods, and it compiles in a fraction of numpy's sorts)."""
    for i in range(free.size):
        k = i
        while k > 0 and free[order[k - 1]] < free[i]:
            order[k] = order[k - 1]
            k -= 1
        order[k] = i
    return order[: free.size]


@njit(cache=True)
def topology_place(free, need, pods, counts, order):
    """Fewest pods for `need` nodes from per-pod free counts (greedy largest-first is optimal for the
    count); returns the number of entries written to pods/counts, or -1 if they cannot hold it.
    `order`: scratch of at least free.size entries."""
    best = NONE
    for g in range(free.size):  # one pod: the fullest that fits
        if free[g] >= need and (best < 0 or free[g] < free[best]):
            best = g
    if best >= 0:
        pods[0], counts[0] = best, need
        return 1
    order = _by_free_desc(free, order)
    rem = need
    m = 0
    for i in range(order.size):
        g = order[i]
        f = free[g]
        if f <= 0:
            return -1
        if f >= rem:  # the remainder fits here: use the tightest remaining pod that holds it
            tight = g
            for i2 in range(i + 1, order.size):
                if free[order[i2]] < rem:
                    break
                tight = order[i2]
            pods[m], counts[m] = tight, rem
            return m + 1
        pods[m], counts[m] = g, f
        m += 1
        rem -= f
    return -1


@njit(cache=True, inline="always")
def first_fit_place(free, need, pods, counts):
    """Pods in index order until `need` nodes are found; entries written, or -1."""
    rem = need
    m = 0
    for g in range(free.size):
        f = free[g]
        if f > 0:
            take = f if f < rem else rem
            pods[m], counts[m] = g, take
            m += 1
            rem -= take
            if rem == 0:
                return m
    return -1


@njit(cache=True, inline="always")
def fewest_pods(free, need, order):
    """The smallest m whose m largest pods hold `need` nodes (-1 if none)."""
    order = _by_free_desc(free, order)
    total = 0
    for m in range(order.size):
        total += free[order[m]]
        if total >= need:
            return m + 1
    return -1


@njit(cache=True, inline="always")
def _place_in(pl, c, p, need, kind):
    lo = pl.pi[POD_LO, p]
    free = pl.pod[PFREE, lo : lo + pl.pi[POD_N, p]]
    pods, counts = c.sc[SC_POD], c.sc[SC_CNT]
    if kind == FIRST_FIT:
        m = first_fit_place(free, need, pods, counts)
    else:
        m = topology_place(free, need, pods, counts, c.sc[SC_ORDER])
    for e in range(max(m, 0)):
        pods[e] += lo
    return m


@njit(cache=True, inline="always")
def choose(pl, c, needp_j, mask, kind):
    """Place a job (nodes needed per pool: needp_j) in one of the pools of bitmask `mask` (where it fits
    by count); returns the pool and the number of scratch entries, or (-1, 0)."""
    n_pools = pl.pi.shape[1]
    pi, pod = pl.pi, pl.pod
    if kind == FIRST_FIT:
        for p in range(n_pools):
            if mask & (1 << p):
                m = _place_in(pl, c, p, needp_j[p], kind)
                if m > 0:
                    return p, m
        return -1, 0
    best_p = NONE
    for p in range(n_pools):  # pools where one pod holds the job: the one with the fewest free nodes
        if mask & (1 << p) and (best_p < 0 or pi[FREE, p] < pi[FREE, best_p]):
            lo = pi[POD_LO, p]
            for g in range(lo, lo + pi[POD_N, p]):
                if pod[PFREE, g] >= needp_j[p]:
                    best_p = p
                    break
    if best_p < 0:
        best_m = 0
        for p in range(n_pools):
            if mask & (1 << p):
                lo = pi[POD_LO, p]
                m = fewest_pods(pod[PFREE, lo : lo + pi[POD_N, p]], needp_j[p], c.sc[SC_ORDER])
                if m > 0 and (best_p < 0 or m < best_m or (m == best_m and pi[FREE, p] < pi[FREE, best_p])):
                    best_p, best_m = p, m
    if best_p < 0:
        return -1, 0
    return best_p, _place_in(pl, c, best_p, needp_j[best_p], kind)
