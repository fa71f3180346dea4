"""The event core: deterministic ordering and reproducible, independent random streams."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from colossim.ops.engine import EventQueue, Uniforms, spawn_streams


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), min_size=1, max_size=50))
def test_events_pop_by_time_then_priority_then_insertion(items):
    q = EventQueue()
    for i, (t, prio) in enumerate(items):
        q.push(float(t), prio, 7, i)
    popped = [q.pop() for _ in range(len(items))]
    keys = [(e[0], e[1], e[4]) for e in popped]
    assert keys == sorted((float(t), p, i) for i, (t, p) in enumerate(items))


def test_uniform_draws_do_not_depend_on_the_block_size():
    a = Uniforms(np.random.default_rng(3), block=7)
    b = Uniforms(np.random.default_rng(3), block=1000)
    assert [a.next() for _ in range(100)] == [b.next() for _ in range(100)]


def test_streams_are_reproducible_and_independent():
    s1, s2 = spawn_streams(9), spawn_streams(9)
    assert s1["failures"].random() == s2["failures"].random()
    assert s1["workload"].random() != s1["repairs"].random()
    assert spawn_streams(10)["failures"].random() != spawn_streams(9)["failures"].random()


def test_exponential_mean():
    u = Uniforms(np.random.default_rng(1))
    draws = np.array([u.exponential(5.0) for _ in range(100_000)])
    assert abs(draws.mean() - 5.0) < 4 * 5.0 / np.sqrt(100_000)
