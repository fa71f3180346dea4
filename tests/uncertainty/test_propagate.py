"""colossim.uncertainty: ranges, the seeded Monte Carlo and the tornado."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colossim.uncertainty import Range, UncertainInput, propagate


def _inputs(pue_factor: float = 1.0) -> list[UncertainInput]:
    return [
        UncertainInput("pue", "PUE", "-", Range(1.1, 1.2, 1.4, "test").widened(pue_factor)),
        UncertainInput("capex", "capex", "USD", Range(30e3, 35e3, 40e3, "test")),
        UncertainInput("lifetime", "lifetime", "years", Range.fixed(5.0, "test")),
    ]


def _energy_and_cost(v):
    # a figure linear in PUE and one in capex / lifetime: enough to check the plumbing
    return {"energy_mwh": 100.0 * v["pue"], "cost_usd": 1e3 * v["capex"] / v["lifetime"]}


def test_mid_is_the_figure_at_every_input_mid():
    out = propagate(_inputs(), _energy_and_cost, runs=200, seed=3)
    assert out.spreads["energy_mwh"].mid == pytest.approx(100.0 * 1.2)
    assert out.spreads["cost_usd"].mid == pytest.approx(1e3 * 35e3 / 5.0)


def test_same_seed_same_ranges_other_seed_other_draws():
    a = propagate(_inputs(), _energy_and_cost, runs=300, seed=7).fields()
    b = propagate(_inputs(), _energy_and_cost, runs=300, seed=7).fields()
    c = propagate(_inputs(), _energy_and_cost, runs=300, seed=8).fields()
    assert a == b and a != c


def test_range_is_the_interval_of_the_triangular_draws():
    out = propagate(_inputs(), _energy_and_cost, runs=20_000, seed=1)
    # triangular(1.1, 1.2, 1.4): CDF at m is (m-a)/(c-a) = 1/3; p10 and p90 in closed form
    a, m, c = 1.1, 1.2, 1.4
    p10 = a + np.sqrt(0.1 * (c - a) * (m - a))
    p90 = c - np.sqrt(0.1 * (c - a) * (c - m))
    s = out.spreads["energy_mwh"]
    assert s.low == pytest.approx(100 * p10, rel=5e-3) and s.high == pytest.approx(100 * p90, rel=5e-3)


def test_widening_an_input_widens_its_figure_and_not_the_others():
    narrow = propagate(_inputs(1.0), _energy_and_cost, runs=500, seed=2)
    wide = propagate(_inputs(2.0), _energy_and_cost, runs=500, seed=2)
    assert wide.spreads["energy_mwh"].relative_width > 1.5 * narrow.spreads["energy_mwh"].relative_width
    assert wide.spreads["energy_mwh"].mid == narrow.spreads["energy_mwh"].mid
    assert wide.spreads["cost_usd"].relative_width == pytest.approx(narrow.spreads["cost_usd"].relative_width,
                                                                    rel=0.15)


def test_tornado_ranks_the_inputs_that_move_a_figure_and_skips_fixed_ones():
    out = propagate(_inputs(), _energy_and_cost, runs=50, seed=1)
    bars = out.tornado["energy_mwh"]
    assert [b.input for b in bars] == ["pue", "capex"]  # lifetime is fixed: no bar
    assert bars[0].at_low == pytest.approx(110.0) and bars[0].at_high == pytest.approx(140.0)
    assert bars[1].swing == 0.0
    assert [b.input for b in out.tornado["cost_usd"]][0] == "capex"


def test_quantile_ranges_draw_the_empirical_distribution():
    r = Range(0.9, 1.0, 1.2, "test", quantiles=((0.0, 0.8), (0.5, 1.0), (1.0, 1.3)))
    draws = r.sample(np.random.default_rng(0), 50_000)
    assert draws.min() >= 0.8 and draws.max() <= 1.3
    assert np.median(draws) == pytest.approx(1.0, abs=0.01)
    assert np.mean(draws < 1.0) == pytest.approx(0.5, abs=0.01)


@pytest.mark.parametrize("bad", [(1.3, 1.2, 1.4), (1.1, 1.5, 1.4), (float("nan"), 1.2, 1.4)])
def test_a_range_out_of_order_is_refused(bad):
    with pytest.raises(ValueError):
        Range(*bad, source="test")


def test_an_input_given_twice_is_refused():
    twice = [*_inputs(), UncertainInput("pue", "PUE again", "-", Range(1.0, 1.1, 1.2, "test"))]
    with pytest.raises(ValueError, match="twice"):
        propagate(twice, _energy_and_cost)


@settings(max_examples=40, deadline=None)
@given(low=st.floats(0.0, 10.0), span1=st.floats(0.0, 10.0), span2=st.floats(0.0, 10.0),
       factor=st.floats(1.0, 4.0), seed=st.integers(0, 2**16))
def test_property_widened_ranges_hold_the_narrow_ones(low, span1, span2, factor, seed):
    r = Range(low, low + span1, low + span1 + span2, "test")
    w = r.widened(factor)
    assert w.low <= r.low <= r.mid == w.mid <= r.high <= w.high
    draws = r.sample(np.random.default_rng(seed), 64)
    assert np.all((draws >= r.low - 1e-12) & (draws <= r.high + 1e-12))
