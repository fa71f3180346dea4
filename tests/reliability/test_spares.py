"""Hot spares from the M/G/inf occupancy of nodes under repair (Poisson with mean N r T)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from colossim.reliability import (
    failure_model,
    nodes_under_repair_mean,
    poisson_tail,
    simulate_nodes_down,
    spares_needed,
)


def test_poisson_tail_against_direct_sum():
    for mean in (0.3, 3.0, 25.0):
        for k in (0, 1, 5, 30):
            direct = 1 - sum(math.exp(-mean) * mean**j / math.factorial(j) for j in range(k + 1))
            assert poisson_tail(mean, k) == pytest.approx(direct, abs=1e-12)


@given(
    nodes=st.integers(1, 200_000),
    rate=st.floats(1e-6, 1e-3),
    repair=st.floats(0.1, 100),
    eps=st.floats(1e-6, 0.5),
)
def test_spares_is_the_smallest_count_meeting_eps(nodes, rate, repair, eps):
    plan = spares_needed(nodes, rate, repair, eps)
    assert plan.p_short < eps
    if plan.spares > 0:
        assert poisson_tail(plan.mean_nodes_down, plan.spares - 1) >= eps


@pytest.mark.parametrize("erlang_shape", [1, 4])
def test_occupancy_is_poisson_whatever_the_repair_distribution(erlang_shape):
    # M/G/inf insensitivity (Takacs 1962): only the mean repair time matters. Probes spaced 25 mean repair
    # times apart are practically independent, so the sample mean and tail have binomial/Poisson errors.
    rng = np.random.default_rng(erlang_shape)
    nodes, rate, repair = 1000, 0.005 / 24, 24.0  # a = 5 nodes down on average
    probes = 25 * repair * (np.arange(4000) + 1)
    down = simulate_nodes_down(rng, nodes, rate, repair, probes[-1] + repair, probes, erlang_shape)
    a = nodes_under_repair_mean(nodes, rate, repair)
    assert abs(down.mean() - a) <= 4 * math.sqrt(a / down.size)
    p = float(poisson_tail(a, 8))
    assert abs((down > 8).mean() - p) <= 4 * math.sqrt(p * (1 - p) / down.size)


def test_llama3_scale_spares():
    # Llama 3 rate, hardware share of failures, AIReSim 2 h automated repair: a few spares for 2,048 nodes;
    # with 2-day manual repairs about one percent of the nodes (cf. Delta's ~5 % over-provisioning incl.
    # availability losses, BLOOM 4 spares per 48 nodes).
    fm = failure_model("llama3_h100")
    fast = spares_needed(2048, fm.repair_failures_per_node_hour, 2.0, eps=1e-3)
    slow = spares_needed(2048, fm.repair_failures_per_node_hour, 48.0, eps=1e-3)
    assert fast.mean_nodes_down == pytest.approx(2048 * fm.failures_per_node_hour * fm.repair_share * 2.0)
    assert 1 <= fast.spares < slow.spares
    assert slow.overprovision_fraction < 0.05


def test_bad_inputs():
    with pytest.raises(ValueError):
        spares_needed(100, 1e-3, 2.0, eps=0.0)
    with pytest.raises(ValueError):
        nodes_under_repair_mean(-1, 1e-3, 2.0)
