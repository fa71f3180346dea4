"""The event heap as flat arrays: a binary min-heap on (time, priority << 44 | sequence).

Events at the same time run in priority order, then in the order they were scheduled, so a run is
fully deterministic. Cancelling is lazy: an event carries an epoch (`b`) its handler compares with the
current one. The caller keeps room: the kernel returns to grow the arrays before the heap can fill.
"""

from __future__ import annotations

from numba import njit

from colossim.ops.sim.layout import C_HEAP_N, C_HEAP_SEQ, HK_A, HK_B, HK_KEY, HK_KIND, PRIORITY_OF, SEQ_BITS

_PRIO = tuple(PRIORITY_OF.get(k, 8) for k in range(9))  # kind -> priority, as a constant tuple


@njit(cache=True, inline="always")
def _copy(hi, dst, src):
    hi[dst, 0], hi[dst, 1], hi[dst, 2], hi[dst, 3] = hi[src, 0], hi[src, 1], hi[src, 2], hi[src, 3]


@njit(cache=True, inline="always")
def heap_push(c, t, kind, a, b):
    """Schedule event `kind` at time t with payload (a, b)."""
    n = c.cnt[C_HEAP_N]
    seq = c.cnt[C_HEAP_SEQ]
    c.cnt[C_HEAP_SEQ] = seq + 1
    ht, hi = c.h_t, c.h_i
    key = (_PRIO[kind] << SEQ_BITS) | seq
    i = n
    while i > 0:  # sift up, moving parents down into the hole
        parent = (i - 1) >> 1
        if ht[parent] < t or (ht[parent] == t and hi[parent, HK_KEY] < key):
            break
        ht[i] = ht[parent]
        _copy(hi, i, parent)
        i = parent
    ht[i] = t
    hi[i, HK_KEY], hi[i, HK_KIND], hi[i, HK_A], hi[i, HK_B] = key, kind, a, b
    c.cnt[C_HEAP_N] = n + 1


@njit(cache=True, inline="always")
def heap_pop(c):
    """Remove the earliest event; returns (t, kind, a, b). The heap must not be empty."""
    ht, hi = c.h_t, c.h_i
    t, kind, a, b = ht[0], hi[0, HK_KIND], hi[0, HK_A], hi[0, HK_B]
    n = c.cnt[C_HEAP_N] - 1
    c.cnt[C_HEAP_N] = n
    if n > 0:
        lt, lk = ht[n], hi[n, HK_KEY]
        i = 0
        while True:  # sift the last entry down from the root
            child = 2 * i + 1
            if child >= n:
                break
            r = child + 1
            if r < n and (ht[r] < ht[child] or (ht[r] == ht[child] and hi[r, HK_KEY] < hi[child, HK_KEY])):
                child = r
            if lt < ht[child] or (lt == ht[child] and lk < hi[child, HK_KEY]):
                break
            ht[i] = ht[child]
            _copy(hi, i, child)
            i = child
        ht[i] = lt
        _copy(hi, i, n)
    return t, kind, a, b


@njit(cache=True, inline="always")
def heap_top_before(c, t, priority):
    """Does the earliest event come before (t, priority)?"""
    if c.cnt[C_HEAP_N] == 0:
        return False
    return c.h_t[0] < t or (c.h_t[0] == t and (c.h_i[0, HK_KEY] >> SEQ_BITS) < priority)
