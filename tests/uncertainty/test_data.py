"""The shipped ranges: the step model's error is what the cross-validation measures today; every range
is ordered and sourced; a bad ranges file names its field."""

from __future__ import annotations

import numpy as np
import pytest

from colossim.energy.defaults import load_defaults, parse_defaults
from colossim.inputs import InputError
from colossim.reliability import failure_model
from colossim.uncertainty.data import load_ranges, parse_ranges
from colossim.validation import load_runs
from colossim.validation.heldout import held_out_ratios, ratio_quantiles


def test_step_error_quantiles_are_the_cross_validation_of_the_shipped_runs():
    shipped = dict(load_ranges().step_time.quantiles)
    ratios = held_out_ratios(load_runs(None))
    assert len(ratios) == load_ranges().step_time.predictions
    for p, value in ratio_quantiles(ratios):
        assert shipped[p] == pytest.approx(value, abs=0.005), p  # refit changed the model: regenerate the file


def test_step_error_range_is_centred_on_the_point_and_spans_the_held_out_errors():
    r = load_ranges().step_time.range()
    assert r.mid == 1.0 and r.low < 1.0 < r.high
    draws = r.sample(np.random.default_rng(0), 20_000)
    q = dict(load_ranges().step_time.quantiles)
    assert np.quantile(draws, 0.1) == pytest.approx(q[0.1], abs=0.01)
    assert np.quantile(draws, 0.9) == pytest.approx(q[0.9], abs=0.01)


def test_failure_rate_range_holds_the_default_preset():
    preset = failure_model("llama3_h100")
    r = load_ranges().failure_rate.factor_range(preset.failures_per_1000_node_days)
    assert r.low < 1.0 < r.high


def test_every_energy_default_with_a_range_is_ordered_and_sourced():
    d = load_defaults()
    ranged = [v for group in (d.power, d.hardware) for v in group.__dict__.values() if v.low is not None]
    assert len(ranged) >= 5
    for v in ranged:
        assert v.low <= v.value <= v.high and v.range_source


def test_a_ranges_file_with_an_unknown_field_names_it():
    text = ("step_time: {quantiles: [[0, 0.9], [1, 1.1]], predictions: 3, source: 'a test source'}\n"
            "failure_rate: {low_per_1000_node_days: 2, high_per_1000_node_days: 6, source: 'a test source',"
            " typo: 1}\n")
    with pytest.raises(InputError, match="typo"):
        parse_ranges(text, "ranges.yaml")


def test_a_default_range_without_its_source_is_refused():
    text = """
power:
  gpu_idle_fraction: {value: 0.12, unit: f, source: 'a long enough source', low: 0.1, high: 0.15}
  host_w_per_gpu: {value: 350, unit: W, source: 'a long enough source'}
  train_utilisation: {value: 0.87, unit: f, source: 'a long enough source'}
  host_load_fraction: {value: 0.6, unit: f, source: 'a long enough source'}
  overhead_w_per_gpu: {value: 75, unit: W, source: 'a long enough source'}
hardware:
  capex_usd_per_gpu: {value: 35000, unit: USD, source: 'a long enough source'}
  lifetime_years: {value: 5, unit: y, source: 'a long enough source'}
  fleet_utilisation: {value: 0.8, unit: f, source: 'a long enough source'}
"""
    with pytest.raises(InputError, match="range_source"):
        parse_defaults(text, "defaults.yaml")
