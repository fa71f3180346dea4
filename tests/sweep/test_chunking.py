"""The chunking rule: tasks of at least ~100 ms, about target_chunk_s, a few chunks per worker."""

import math

from hypothesis import given
from hypothesis import strategies as st

from colossim.sweep.chunking import CHUNKS_PER_WORKER, MIN_CHUNK_S, make_chunks, points_per_chunk


@given(n=st.integers(1, 10**6), workers=st.integers(1, 512), point_s=st.floats(1e-7, 100.0),
       target=st.floats(0.1, 60.0))
def test_chunks_last_at_least_100ms_unless_all_points_fit_in_one(n, workers, point_s, target):
    size = points_per_chunk(n, workers, point_s, target)
    assert 1 <= size <= n
    if size < n and size < 100_000:  # not capped by the grid or by the message-size bound
        assert size * point_s >= MIN_CHUNK_S * (1 - 1e-9)


@given(n=st.integers(1, 10**5), workers=st.integers(1, 64), point_s=st.floats(1e-5, 1.0))
def test_chunks_never_exceed_the_target_by_more_than_one_point(n, workers, point_s):
    size = points_per_chunk(n, workers, point_s, 0.5)
    assert size * point_s <= 0.5 + point_s + 1e-9  # rounding up adds at most one point


def test_slow_points_go_one_per_task():
    assert points_per_chunk(1000, 8, point_s=2.0) == 1


def test_many_fast_points_fill_the_target():
    # 1 ms per point, 1e6 points, 8 workers: 0.5 s / 1 ms = 500 points per task
    assert points_per_chunk(10**6, 8, point_s=1e-3, target_chunk_s=0.5) == 500


def test_small_grids_are_split_for_balance_but_not_below_100ms():
    # 10 ms per point, 400 points, 2 workers: balance wants 400 / (4*2) = 50 points (0.5 s); target also 50
    assert points_per_chunk(400, 2, point_s=0.01) == 50
    # 10 ms per point, 40 points, 4 workers: balance wants 3 points (30 ms) but the floor, 100 ms, is 10
    assert points_per_chunk(40, 4, point_s=0.01) == math.ceil(MIN_CHUNK_S / 0.01)
    assert CHUNKS_PER_WORKER >= 2


@given(items=st.lists(st.integers(), max_size=200), size=st.integers(1, 50))
def test_make_chunks_keeps_every_item_once_in_order(items, size):
    chunks = make_chunks(items, size)
    assert [x for c in chunks for x in c] == items
    assert all(len(c) == size for c in chunks[:-1])
