"""The event simulation of a replica against the closed forms it should agree with."""

import pytest
from serve_helpers import one

from colossim.serve.simulate import simulate_replica
from colossim.serve.throughput import evaluate_serving, lone_request_latency
from colossim.serve.workload import fixed_mix


def _setup():
    m, lay, hw = one("llama3-8b", "h100_sxm5", tp=1)
    mix = fixed_mix(1000, 200)
    return m, lay, hw, mix, evaluate_serving(m, lay, hw, mix.workload())


def test_light_load_latency_is_the_lone_request_latency():
    m, lay, hw, mix, res = _setup()
    sim = simulate_replica(m, lay, hw, res, mix, rate_rps=0.05, requests=200)
    ttft, tpot = lone_request_latency(m, lay, hw, 1000.0, 200.0)
    assert sim.ttft_p50_s == pytest.approx(float(ttft[0]), rel=0.35)
    assert sim.tpot_p50_s == pytest.approx(float(tpot[0]), rel=0.15)


def test_latency_grows_with_the_arrival_rate_and_runs_are_seeded():
    m, lay, hw, mix, res = _setup()
    cap = float(res.requests_per_s[0])
    low = simulate_replica(m, lay, hw, res, mix, 0.2 * cap, requests=300)
    high = simulate_replica(m, lay, hw, res, mix, 0.9 * cap, requests=300)
    assert high.tpot_p50_s > low.tpot_p50_s and high.mean_running > low.mean_running
    assert simulate_replica(m, lay, hw, res, mix, 0.2 * cap, requests=300) == low


def test_disaggregated_replica_simulates():
    m, lay, hw = one("llama3-70b", "h100_sxm5", tp=8, disaggregated=True)
    mix = fixed_mix(2000, 100)
    res = evaluate_serving(m, lay, hw, mix.workload())
    sim = simulate_replica(m, lay, hw, res, mix, 0.5 * float(res.requests_per_s[0]), requests=200)
    assert 0 < sim.ttft_p50_s <= sim.ttft_p99_s and 0 < sim.tpot_p50_s <= sim.tpot_p99_s
