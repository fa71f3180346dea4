"""Alpha-beta collective costs: ring formulas (nccl-tests PERFORMANCE.md), hierarchy, monotonicity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from colossim.perf.comm import (
    all_to_all_time,
    allreduce_time,
    dedup_all_to_all_time,
    exposed,
    gather_cost,
    gather_time,
    members_per_domain,
    ring_allreduce,
)

GB = 1e9


def test_ring_allreduce_moves_2_n_minus_1_over_n_of_the_buffer():
    # 8 GPUs, 1 GB, 100 GB/s bus bandwidth, no latency: 2 * 7/8 * 1 GB / 100 GB/s = 17.5 ms
    assert float(ring_allreduce(GB, 8.0, 100 * GB, 0.0)) == pytest.approx(0.0175)


def test_group_inside_one_domain_is_a_plain_nvlink_ring():
    t = allreduce_time(GB, 8.0, 8.0, 400 * GB, 50 * GB, 0.0, 0.0)
    assert float(t) == pytest.approx(float(ring_allreduce(GB, 8.0, 400 * GB, 0.0)))


def test_group_with_one_rank_per_domain_runs_on_the_network():
    t = gather_time(GB, 16.0, 1.0, 400 * GB, 50 * GB, 0.0, 0.0)
    assert float(t) == pytest.approx(15 / 16 * GB / (50 * GB))


def test_hierarchical_all_reduce_beats_flat_network_ring():
    flat = allreduce_time(GB, 64.0, 1.0, 400 * GB, 50 * GB, 0.0, 0.0)
    hier = allreduce_time(GB, 64.0, 8.0, 400 * GB, 50 * GB, 0.0, 0.0)
    assert float(hier) < float(flat)


def test_members_per_domain_follow_stride():
    assert float(members_per_domain(64.0, 8.0, 8.0)) == 1.0  # DP across nodes when tp = 8
    assert float(members_per_domain(64.0, 2.0, 8.0)) == 4.0
    assert float(members_per_domain(4.0, 1.0, 72.0)) == 4.0


def test_all_to_all_inside_domain_uses_nvlink_only():
    t = all_to_all_time(GB, 8.0, 8.0, 400 * GB, 50 * GB, 0.0, 0.0)
    assert float(t) == pytest.approx(7 / 8 * GB / (400 * GB))


def test_deduplicated_dispatch_sends_less_over_the_network():
    tokens, token_bytes, top_k = 4096.0, 2 * 7168.0, 8.0
    plain = all_to_all_time(tokens * top_k * token_bytes, 64.0, 8.0, 360 * GB, 46 * GB, 0.0, 0.0)
    dedup = dedup_all_to_all_time(token_bytes, tokens, top_k, 64.0, 8.0, 360 * GB, 46 * GB, 0.0, 0.0)
    assert float(dedup) < float(plain)


def test_exposed_part_of_overlapped_communication():
    assert float(exposed(1.0, 10.0, 0.9, True)) == pytest.approx(0.1)  # window large: (1 - fraction) stays
    assert float(exposed(1.0, 0.5, 0.9, True)) == pytest.approx(0.5)  # window short: the rest stays
    assert float(exposed(1.0, 10.0, 0.9, False)) == 1.0


@given(
    nbytes=st.floats(1e3, 1e11),
    n=st.sampled_from([2.0, 8.0, 64.0, 1024.0]),
    k=st.sampled_from([1.0, 2.0, 8.0]),
    bw=st.floats(1e9, 1e12),
    factor=st.floats(1.0, 10.0),
)
def test_more_bandwidth_never_makes_a_collective_slower(nbytes, n, k, bw, factor):
    k = min(k, n)
    for fn in (allreduce_time, gather_time, all_to_all_time):
        slow = fn(nbytes, n, k, bw * 8, bw, 1e-6, 5e-6)
        fast_in = fn(nbytes, n, k, bw * 8 * factor, bw, 1e-6, 5e-6)
        fast_out = fn(nbytes, n, k, bw * 8, bw * factor, 1e-6, 5e-6)
        assert np.all(fast_in <= slow * (1 + 1e-12)) and np.all(fast_out <= slow * (1 + 1e-12))


@given(
    nbytes=st.floats(0.0, 1e11),
    n=st.sampled_from([1.0, 2.0, 16.0, 512.0]),
    k=st.sampled_from([1.0, 4.0, 8.0]),
)
def test_gather_cost_is_the_linear_form_of_gather_time(nbytes, n, k):
    k = min(k, n)
    per_byte, latency = gather_cost(n, k, 400 * GB, 50 * GB, 2e-6, 5e-6)
    assert float(nbytes * per_byte + latency) == pytest.approx(
        float(gather_time(nbytes, n, k, 400 * GB, 50 * GB, 2e-6, 5e-6)), rel=1e-12, abs=1e-15
    )
