"""Placement: the topology rule uses the fewest pods possible and best-fits single-pod jobs; first fit
takes pods in order."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from colossim.ops.sim.placement import first_fit_place, topology_place

frees = st.lists(st.integers(0, 64), min_size=1, max_size=30)


def _place(fn, free: list[int], n: int) -> list[tuple[int, int]] | None:
    arr = np.array(free, np.int64)
    pods, counts = np.zeros(len(free), np.int64), np.zeros(len(free), np.int64)
    if fn is topology_place:
        m = fn(arr, np.int64(n), pods, counts, np.zeros(len(free), np.int64))
    else:
        m = fn(arr, np.int64(n), pods, counts)
    return None if m < 0 else list(zip(pods[:m].tolist(), counts[:m].tolist(), strict=True))


def _valid(free: list[int], alloc: list[tuple[int, int]], n: int) -> None:
    assert sum(c for _, c in alloc) == n
    pods = [k for k, _ in alloc]
    assert len(pods) == len(set(pods))
    for k, c in alloc:
        assert 0 < c <= free[k]


@settings(deadline=None)
@given(frees, st.integers(1, 400))
def test_topology_place_uses_the_fewest_pods(free, n):
    alloc = _place(topology_place, free, n)
    if sum(free) < n:
        assert alloc is None
        return
    _valid(free, alloc, n)
    # fewest pods possible: the smallest m whose m largest pods hold n
    biggest = sorted(free, reverse=True)
    fewest = next(m for m in range(1, len(free) + 1) if sum(biggest[:m]) >= n)
    assert len(alloc) == fewest


@settings(deadline=None)
@given(frees, st.integers(1, 64))
def test_single_pod_jobs_go_to_the_fullest_pod_that_fits(free, n):
    fits = [f for f in free if f >= n]
    alloc = _place(topology_place, free, n)
    if fits:
        assert len(alloc) == 1 and free[alloc[0][0]] == min(fits)


@settings(deadline=None)
@given(frees, st.integers(1, 400))
def test_first_fit_takes_pods_in_order(free, n):
    alloc = _place(first_fit_place, free, n)
    if sum(free) < n:
        assert alloc is None
        return
    _valid(free, alloc, n)
    used = [k for k, _ in alloc]
    assert used == sorted(used)
    assert all(c == free[k] for k, c in alloc[:-1])  # every pod but the last is emptied
