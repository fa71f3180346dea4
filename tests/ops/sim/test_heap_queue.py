"""The event heap pops by time, then priority, then scheduling order; the queue bitmap keeps ranks in
order; the random streams are reproducible and independent."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from colossim.ops import OpsConfig
from colossim.ops.pools import Delivery, OpsCluster, PoolSpec
from colossim.ops.sim import layout as L
from colossim.ops.sim.engine import spawn_streams
from colossim.ops.sim.heap import heap_pop, heap_push
from colossim.ops.sim.queue import q_head, q_insert, q_next, q_remove
from colossim.ops.sim.resolve import run_reliability
from colossim.ops.sim.setup import build_core

KINDS = [L.IN_SERVICE, L.JOB_END, L.REPAIR, L.FAILURE, L.SAMPLE]


def _core(n_jobs: int) -> L.Core:
    cl = OpsCluster("t", (PoolSpec("p", "h100_sxm5", 8, 8, 16, 700.0, (Delivery(0.0, 8),)),))
    cfg = OpsConfig()
    core, _ = build_core(cl, cfg, run_reliability(cfg), n_jobs, np.zeros(0), 10**9)
    return core


def _jobs_with_order(order: np.ndarray) -> L.Jobs:
    n = len(order)
    ji = np.zeros((L.N_JI, n), np.int64)
    ji[L.QRANK, order] = np.arange(n)
    return L.Jobs(np.zeros((L.N_JF, n)), ji, np.zeros((1, n), np.int64), order.astype(np.int64))


@settings(deadline=None, max_examples=60)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 4)), min_size=1, max_size=60))
def test_events_pop_by_time_then_priority_then_insertion(items):
    c = _core(4)
    for i, (t, k) in enumerate(items):
        heap_push(c, float(t), KINDS[k], np.int64(i), L.ZERO)
    popped = [heap_pop(c) for _ in items]
    prio = [L.PRIORITY_OF[int(KINDS[k])] for _, k in items]
    want = sorted(range(len(items)), key=lambda i: (items[i][0], prio[i], i))
    assert [int(a) for _, _, a, _ in popped] == want
    assert c.cnt[L.C_HEAP_N] == 0


@settings(deadline=None, max_examples=60)
@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.integers(0, n - 1), max_size=80),
                                                        st.randoms(use_true_random=False))))
def test_queue_bitmap_keeps_ranks_in_order(case):
    n, ops, rnd = case
    order = np.arange(n)
    rnd.shuffle(order)
    jobs = _jobs_with_order(order)
    c = _core(n)
    queued: set[int] = set()
    for j in ops:  # toggle membership
        if j in queued:
            q_remove(c, jobs, np.int64(j))
            queued.discard(j)
        else:
            q_insert(c, jobs, np.int64(j))
            queued.add(j)
    expect = sorted(queued, key=lambda j: jobs.ji[L.QRANK, j])
    got, r = [], L.NONE
    while (j := q_next(c, jobs, r)) >= 0:
        got.append(int(j))
        r = jobs.ji[L.QRANK, j]
    assert got == expect
    assert q_head(c, jobs) == (expect[0] if expect else -1)
    assert c.cnt[L.C_Q_SIZE] == len(queued)


def test_streams_are_reproducible_and_independent():
    s1, s2 = spawn_streams(9), spawn_streams(9)
    assert s1["failures"].random() == s2["failures"].random()
    assert s1["workload"].random() != s1["repairs"].random()
    assert spawn_streams(10)["failures"].random() != spawn_streams(9)["failures"].random()
