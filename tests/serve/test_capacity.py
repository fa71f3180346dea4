"""serve_capacity: one typed answer per question, consistent with its own parts, and clean refusals."""

import pytest

from colossim.cluster import load_cluster
from colossim.serve.capacity import serve_capacity, serve_frame
from colossim.serve.latency import LatencyTarget
from colossim.serve.machine import serving_partition
from colossim.serve.workload import fixed_mix

SPEC = load_cluster("colossus")
H100 = serving_partition(SPEC, "h100")


def test_capacity_adds_up():
    c = serve_capacity("llama3-8b", H100, gpus=64, mix=fixed_mix(1000, 200), simulate=False)
    assert c.replicas * c.gpus_per_replica <= 64
    assert c.output_tokens_per_s == pytest.approx(c.requests_per_s * 200)
    assert c.output_tokens_per_s_per_gpu == pytest.approx(c.output_tokens_per_s / 64)
    assert c.output_tokens_per_s <= c.max_load_output_tokens_per_s * (1 + 1e-9)
    # energy per million tokens = facility power / tokens per hour
    assert c.energy_kwh_per_mtok == pytest.approx(c.power_mw * 1e3 / (c.output_tokens_per_s * 3600 / 1e6))
    assert c.tpot_p99_s <= 0.05 + 1e-9 and c.ttft_p99_s <= 2.0 + 1e-9


def test_simulated_rate_never_exceeds_the_closed_form_and_meets_the_target():
    c = serve_capacity("llama3-8b", H100, gpus=16, mix=fixed_mix(500, 300))
    assert c.requests_per_s <= c.closed_form_requests_per_s * (1 + 1e-9)
    assert c.tpot_p99_s <= 0.05 and c.ttft_p99_s <= 2.0


def test_tighter_target_serves_no_more():
    mix = fixed_mix(1000, 500)
    loose = serve_capacity("llama3-70b", H100, gpus=64, target=LatencyTarget(ttft_s=4, tpot_s=0.08), mix=mix)
    tight = serve_capacity("llama3-70b", H100, gpus=64, target=LatencyTarget(ttft_s=1, tpot_s=0.03), mix=mix)
    assert tight.requests_per_s <= loose.requests_per_s


def test_model_that_fits_no_replica_is_refused_with_what_to_change():
    with pytest.raises(ValueError, match="fits no serving replica.*--gpus"):
        serve_capacity("grok-3-class", H100, gpus=8, simulate=False)


def test_impossible_target_is_refused_with_the_best_latency():
    with pytest.raises(ValueError, match="no layout meets.*lone request"):
        serve_capacity("llama3-70b", H100, gpus=16, target=LatencyTarget(tpot_s=0.001), simulate=False)


def test_unknown_partition_lists_the_partitions():
    with pytest.raises(ValueError, match="h100\\+h200: 200,000 GPUs"):
        serving_partition(SPEC, "mi300x")


def test_hopper_group_partition_resolves_in_any_order():
    assert serving_partition(SPEC, "h200+h100").gpus_available == 200_000


def test_frame_ranks_best_first():
    df = serve_frame("llama3-8b", H100, gpus=32, mix=fixed_mix(500, 500), top=5)
    assert list(df["rank"]) == list(range(1, len(df) + 1))
    assert df["partition_output_tokens_per_s"].is_monotonic_decreasing
