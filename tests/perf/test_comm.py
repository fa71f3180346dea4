"""Collective costs against published nccl-tests figures, NCCL's protocol model, hierarchy, monotonicity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from colossim.perf.comm import (
    Links,
    all_to_all_time,
    allreduce_time,
    dedup_all_to_all_time,
    domains_reached,
    exposed,
    gather_time,
    load_collectives,
    members_per_domain,
    p2p_time,
    ring_allreduce,
)
from colossim.perf.hardware import hardware_for

GB = 1e9


def _busbw_allreduce(nbytes, n, k, links):
    """nccl-tests bus bandwidth of an all-reduce: 2(n-1)/n x size / time (doc/PERFORMANCE.md)."""
    return 2.0 * (n - 1.0) / n * nbytes / float(allreduce_time(nbytes, n, k, links))


def _busbw_gather(nbytes, n, k, links):
    return (n - 1.0) / n * nbytes / float(gather_time(nbytes, n, k, links))


def test_h100_node_all_reduce_reaches_the_published_nvls_bus_bandwidth():
    # 8x H100 SXM5, NVLink SHARP: 460-480 GB/s busbw at large sizes (nccl-tests reference table)
    hw = hardware_for("h100_sxm5").arrays()
    assert 440 * GB <= _busbw_allreduce(8 * GB, 8.0, 8.0, hw) <= 490 * GB


def test_h100_node_all_gather_runs_at_the_ring_bus_bandwidth():
    # ring bus bandwidth ~360 of 450 GB/s one way (perf_model_sources.md)
    hw = hardware_for("h100_sxm5").arrays()
    assert 340 * GB <= _busbw_gather(8 * GB, 8.0, 8.0, hw) <= 365 * GB


def test_a100_node_all_reduce_matches_published_bus_bandwidth():
    # 8x A100 SXM4: 230-250 GB/s at large sizes (no NVLink SHARP on NVSwitch gen2)
    hw = hardware_for("a100_sxm4_80gb").arrays()
    assert 225 * GB <= _busbw_allreduce(8 * GB, 8.0, 8.0, hw) <= 250 * GB


def test_bus_bandwidth_rises_with_message_size_like_nccl_tests():
    hw = hardware_for("h100_sxm5").arrays()
    sizes = [2.0**p for p in range(10, 34, 2)]  # 1 KB .. 8 GB
    bw = [_busbw_allreduce(s, 8.0, 8.0, hw) for s in sizes]
    assert all(b2 >= b1 for b1, b2 in zip(bw, bw[1:], strict=False))
    assert bw[0] < 0.05 * bw[-1]  # latency-bound at 1 KB
    # half of the plateau is reached at a few MB to a few tens of MB (nccl-tests on DGX H100)
    half = next(s for s, b in zip(sizes, bw, strict=True) if b >= 0.5 * bw[-1])
    assert 1e6 <= half <= 64e6


def test_small_all_reduce_costs_nccls_base_latency():
    # an 8-byte all-reduce on one node: NCCL's LL protocol, base 3.6 us + 14 steps x 0.4 us (tuning.cc)
    hw = hardware_for("h100_sxm5").arrays()
    assert float(allreduce_time(8.0, 8.0, 8.0, hw)) == pytest.approx(3.6e-6 + 14 * 0.4e-6, rel=0.01)


def test_protocol_constants_come_from_nccls_tuning_model():
    n = load_collectives().nccl
    assert n.ring.ll.bandwidth_fraction == 0.5 and n.ring.simple.bandwidth_fraction == 1.0
    assert n.ring.ll128.bandwidth_fraction == pytest.approx(120 / 128)


def test_cross_node_all_reduce_is_bounded_by_the_nics():
    # 2 DGX H100 nodes: each GPU's 400G NIC at ~46 GB/s carries 1/8 of the cross-node share: busbw of the
    # whole all-reduce stays well above one NIC and below the NVLink ring
    hw = hardware_for("h100_sxm5").arrays()
    bw = _busbw_allreduce(8 * GB, 16.0, 8.0, hw)
    assert 46 * GB < bw < 360 * GB


def test_group_with_one_rank_per_domain_runs_on_the_network():
    hw = hardware_for("h100_sxm5").arrays()
    t = float(gather_time(GB, 16.0, 1.0, hw))
    wire = 15 / 16 * GB / float(hw.net_bw)
    assert wire < t < wire * 1.01 + 2e-4  # the bandwidth term plus 15 steps of network latency


def test_hierarchical_all_reduce_beats_flat_network_ring():
    hw = hardware_for("h100_sxm5").arrays()
    assert float(allreduce_time(GB, 64.0, 8.0, hw)) < float(allreduce_time(GB, 64.0, 1.0, hw))


def test_latency_per_collective_grows_with_the_group():
    hw = hardware_for("h100_sxm5").arrays()
    small = [float(gather_time(1e6, n, 1.0, hw)) for n in (16.0, 128.0, 1024.0)]
    assert small[0] < small[1] < small[2]


def test_members_per_domain_follow_stride():
    assert float(members_per_domain(64.0, 8.0, 8.0)) == 1.0  # DP across nodes when tp = 8
    assert float(members_per_domain(64.0, 2.0, 8.0)) == 4.0
    assert float(members_per_domain(4.0, 1.0, 72.0)) == 4.0


def test_all_to_all_inside_domain_uses_nvlink_only():
    hw = hardware_for("h100_sxm5").arrays()
    t = float(all_to_all_time(GB, 8.0, 8.0, hw))
    assert t == pytest.approx(7 / 8 * GB / float(hw.nvlink_bw), rel=0.01)


def test_deduplicated_dispatch_sends_less_over_the_network():
    hw = hardware_for("h100_sxm5").arrays()
    tokens, token_bytes, top_k = 4096.0, 2 * 7168.0, 8.0
    plain = all_to_all_time(tokens * top_k * token_bytes, 64.0, 8.0, hw)
    dedup = dedup_all_to_all_time(token_bytes, tokens, top_k, 64.0, 8.0, hw)
    assert float(dedup) < float(plain)


def _simulated_remote_domains(n, k, experts=256, groups=8, group_topk=4, top_k=8, tokens=4000, seed=0):
    """Monte Carlo of DeepSeek-V3 gating (report section 2.1.2; Megatron-Core group-limited top-k): a group's
    score is the sum of its 2 best affinities, the token keeps the group_topk best groups and its top_k best
    experts among them; random scores as in the force-balanced benchmarks (moe_router_force_load_balancing
    draws random router logits). Experts sit in order on the n EP ranks, k ranks per NVLink domain."""
    rng = np.random.default_rng(seed)
    scores = rng.random((tokens, experts))
    per_group = experts // groups
    group_score = np.sort(scores.reshape(tokens, groups, per_group), axis=2)[:, :, -2:].sum(axis=2)
    best = np.argsort(-group_score, axis=1)[:, :group_topk]
    keep = np.zeros((tokens, groups), dtype=bool)
    np.put_along_axis(keep, best, True, axis=1)
    masked = np.where(np.repeat(keep, per_group, axis=1), scores, -1.0)
    chosen = np.argsort(-masked, axis=1)[:, :top_k]
    domain = chosen // (experts // n) // k
    hit = np.zeros((tokens, n // k), dtype=bool)
    np.put_along_axis(hit, domain, True, axis=1)
    own = rng.integers(0, n // k, tokens)
    hit[np.arange(tokens), own] = False
    return float(hit.sum(axis=1).mean())


def test_deepseek_v3_node_limited_routing_reaches_its_four_nodes():
    # DeepSeek-V3 report section 4.2: 'each token will be sent to at most 4 nodes' (8 groups, top 4) - on
    # EP64 over 8 HGX nodes a node holds exactly one group, and every chosen group receives experts
    assert float(domains_reached(64.0, 8.0, 8.0, 8.0, 4.0)) == pytest.approx(4.0)
    # without a group limit the closed form is uniform routing over the 8 nodes
    assert float(domains_reached(64.0, 8.0, 8.0)) == pytest.approx(8.0 * (1.0 - (7.0 / 8.0) ** 8))


@pytest.mark.parametrize("n", [16, 32, 64, 128, 256])
def test_domains_reached_matches_simulated_group_limited_gating(n):
    closed = float(domains_reached(float(n), 8.0, 8.0, 8.0, 4.0)) * (n / 8 - 1.0) / (n / 8)
    # the closed form treats each chosen group's experts as spread uniformly over the domains it spans
    assert closed == pytest.approx(_simulated_remote_domains(n, 8), rel=0.06)


def test_group_limited_dispatch_sends_less_over_hgx_and_the_same_inside_nvl72():
    h100, gb200 = hardware_for("h100_sxm5").arrays(), hardware_for("gb200").arrays()
    tokens, token_bytes, top_k = 4096.0, 2 * 7168.0, 8.0
    free = dedup_all_to_all_time(token_bytes, tokens, top_k, 64.0, 8.0, h100)
    limited = dedup_all_to_all_time(token_bytes, tokens, top_k, 64.0, 8.0, h100, 8.0, 4.0)
    # network-bound: the remote copies fall from 7 x (1 - (7/8)^8) = 4.59 to 4 x 7/8 = 3.5 per token
    assert float(limited) / float(free) == pytest.approx(3.5 / 4.5947, rel=0.02)
    inside = [float(dedup_all_to_all_time(token_bytes, tokens, top_k, 64.0, 64.0, gb200, g, t))
              for g, t in ((1.0, 1.0), (8.0, 4.0))]
    assert inside[0] == pytest.approx(inside[1])


def test_fabric_kind_changes_cross_node_collectives():
    ib = hardware_for("h100_sxm5", fabric="infiniband").arrays()
    sx = hardware_for("h100_sxm5", fabric="spectrum_x").arrays()
    eth = hardware_for("h100_sxm5", fabric="ethernet").arrays()
    sharp = hardware_for("h100_sxm5", fabric="infiniband", sharp=True).arrays()
    t = {k: float(allreduce_time(4 * GB, 1024.0, 1.0, h)) for k, h in
         (("ib", ib), ("sx", sx), ("eth", eth), ("sharp", sharp))}
    assert t["sharp"] < t["ib"] and t["eth"] > t["ib"]
    assert t["sx"] != t["ib"]
    # standard Ethernet at 60% vs Spectrum-X at 95% of line rate (NVIDIA, colossus_facts.md): bandwidth-bound
    assert t["eth"] / t["sx"] == pytest.approx(0.95 / 0.6, rel=0.05)


def test_p2p_inside_a_domain_is_faster():
    hw = hardware_for("h100_sxm5").arrays()
    assert float(p2p_time(64e6, True, hw)) < float(p2p_time(64e6, False, hw))


def test_exposed_part_of_overlapped_communication():
    assert float(exposed(1.0, 10.0, 0.9, True)) == pytest.approx(0.1)  # window large: (1 - fraction) stays
    assert float(exposed(1.0, 0.5, 0.9, True)) == pytest.approx(0.5)  # window short: the rest stays
    assert float(exposed(1.0, 10.0, 0.9, False)) == 1.0
    # contention: the hidden 0.9 s slows compute by 10% of it
    assert float(exposed(1.0, 10.0, 0.9, True, 0.1)) == pytest.approx(0.1 + 0.09)


def _links(nv, net):
    return Links(nv, 1.0, net, 1.0, 1.0)


@given(
    nbytes=st.floats(1e3, 1e11),
    n=st.sampled_from([2.0, 8.0, 64.0, 1024.0]),
    k=st.sampled_from([1.0, 2.0, 8.0]),
    bw=st.floats(1e9, 1e12),
    factor=st.floats(1.0, 10.0),
)
def test_more_bandwidth_never_makes_a_collective_slower(nbytes, n, k, bw, factor):
    k = min(k, n)
    base, fast_in, fast_out = _links(bw * 8, bw), _links(bw * 8 * factor, bw), _links(bw * 8, bw * factor)
    for fn in (allreduce_time, gather_time, all_to_all_time):
        slow = fn(nbytes, n, k, base)
        assert np.all(fn(nbytes, n, k, fast_in) <= slow * (1 + 1e-12))
        assert np.all(fn(nbytes, n, k, fast_out) <= slow * (1 + 1e-12))


@given(nbytes=st.floats(1e3, 1e11), n=st.sampled_from([2.0, 8.0, 64.0]))
def test_larger_messages_never_take_less_time(nbytes, n):
    hw = hardware_for("h100_sxm5").arrays()
    assert float(ring_allreduce(nbytes * 2, n, hw.nvlink_bw)) >= float(ring_allreduce(nbytes, n, hw.nvlink_bw))
