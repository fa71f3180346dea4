"""Placement: the topology rule uses the fewest pods possible and best-fits single-pod jobs."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from colossim.ops.placement import FirstFitPlacement, TopologyPlacement, first_fit_place, topology_place

frees = st.lists(st.integers(0, 64), min_size=1, max_size=30)


def _valid(free: list[int], alloc: list[list[int]], n: int) -> None:
    assert sum(c for _, c in alloc) == n
    pods = [k for k, _ in alloc]
    assert len(pods) == len(set(pods))
    for k, c in alloc:
        assert 0 < c <= free[k]


@given(frees, st.integers(1, 400))
def test_topology_place_uses_the_fewest_pods(free, n):
    alloc = topology_place(free, n)
    if sum(free) < n:
        assert alloc is None
        return
    _valid(free, alloc, n)
    # fewest pods possible: the smallest m whose m largest pods hold n
    biggest = sorted(free, reverse=True)
    fewest = next(m for m in range(1, len(free) + 1) if sum(biggest[:m]) >= n)
    assert len(alloc) == fewest


@given(frees, st.integers(1, 64))
def test_single_pod_jobs_go_to_the_fullest_pod_that_fits(free, n):
    fits = [f for f in free if f >= n]
    alloc = topology_place(free, n)
    if fits:
        assert len(alloc) == 1 and free[alloc[0][0]] == min(fits)


@given(frees, st.integers(1, 400))
def test_first_fit_takes_pods_in_order(free, n):
    alloc = first_fit_place(free, n)
    if sum(free) < n:
        assert alloc is None
        return
    _valid(free, alloc, n)
    used = [k for k, _ in alloc]
    assert used == sorted(used)
    assert all(c == free[k] for k, c in alloc[:-1])  # every pod but the last is emptied


def test_pool_choice():
    options = [(0, [10, 10], 20, 15), (1, [16, 2], 18, 15), (2, [40], 40, 15)]
    # pools 1 and 2 hold the job in one pod; pool 1 has fewer free nodes (best fit)
    assert TopologyPlacement().choose(options) == (1, [[0, 15]])
    assert FirstFitPlacement().choose(options) == (0, [[0, 10], [1, 5]])
    assert TopologyPlacement().choose([(0, [10, 10], 20, 15)]) == (0, [[0, 10], [1, 5]])
