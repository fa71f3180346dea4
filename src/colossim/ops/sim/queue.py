"""The job queue: an ordered set of queue ranks in a two-level bitmap.

Every job has a fixed rank in its policy's order (submit time, or priority then submit time), computed
once before the run (the QRANK row of the jobs table and its inverse `Jobs.order`), so the queue only
has to keep a set of ranks in order: insert and remove are O(1), the head and the next queued job
after a rank are a few word scans. A requeued job gets its old rank back, so it keeps its place.
`C_Q_VERSION` counts changes to the front of the queue (ranks up to `C_WIN_END`, the cached window's
last rank), so a policy can cache facts about it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from colossim.ops.sim.layout import C_Q_SIZE, C_Q_VERSION, C_WIN_END, NONE, QRANK

_ONE = np.uint64(1)
_ZERO = np.uint64(0)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
_SIX = np.uint64(6)
_63 = np.uint64(63)


def queue_words(n: int) -> tuple[int, int]:
    """Words of the two bitmap levels for n ranks."""
    l0 = max(1, -(-n // 64))
    return l0, max(1, -(-l0 // 64))


@njit(cache=True, inline="always")
def _lowest_bit(w):
    """Index of the lowest set bit of a non-zero uint64 (exact: a power of two converts exactly)."""
    return np.int64(np.log2(np.float64(w & (~w + _ONE))))


@njit(cache=True, inline="always")
def q_insert(c, jobs, j):
    r = jobs.ji[QRANK, j]
    w = r >> 6
    c.q_l0[w] |= _ONE << np.uint64(r & 63)
    c.q_l1[w >> 6] |= _ONE << np.uint64(w & 63)
    c.cnt[C_Q_SIZE] += 1
    if r <= c.cnt[C_WIN_END]:  # a change in front of (or inside) the cached window
        c.cnt[C_Q_VERSION] += 1


@njit(cache=True, inline="always")
def q_remove(c, jobs, j):
    r = jobs.ji[QRANK, j]
    w = r >> 6
    c.q_l0[w] &= ~(_ONE << np.uint64(r & 63))
    if c.q_l0[w] == _ZERO:
        c.q_l1[w >> 6] &= ~(_ONE << np.uint64(w & 63))
    c.cnt[C_Q_SIZE] -= 1
    if r <= c.cnt[C_WIN_END]:  # a change in front of (or inside) the cached window
        c.cnt[C_Q_VERSION] += 1


@njit(cache=True, inline="always")
def q_next(c, jobs, after_rank):
    """The queued job with the lowest rank > after_rank (-1 for the head), or -1 if none."""
    r = after_rank + 1
    n_words = c.q_l0.size
    w = r >> 6
    if w >= n_words:
        return -1
    word = c.q_l0[w] & (_ALL << np.uint64(r & 63))
    if word != _ZERO:
        return jobs.order[(w << 6) + _lowest_bit(word)]
    # the next non-empty word, from the summary level
    s = (w + 1) >> 6
    n_sum = c.q_l1.size
    if s >= n_sum:
        return -1
    sword = c.q_l1[s] & (_ALL << np.uint64((w + 1) & 63)) if (w + 1) & 63 else c.q_l1[s]
    while sword == _ZERO:
        s += 1
        if s >= n_sum:
            return -1
        sword = c.q_l1[s]
    w = (s << 6) + _lowest_bit(sword)
    return jobs.order[(w << 6) + _lowest_bit(c.q_l0[w])]


@njit(cache=True, inline="always")
def q_head(c, jobs):
    return q_next(c, jobs, NONE) if c.cnt[C_Q_SIZE] > 0 else NONE
