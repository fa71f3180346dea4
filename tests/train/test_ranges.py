"""Ranges on a training run's headlines (train.ranges): the mid is today's point figure, the range holds it,
widening an input's range widens the figures it moves, the same seed gives the same ranges, and the commands
print them (`_low` / `_high` beside each headline in JSON)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from colossim.cli.main import app
from colossim.cluster import load_cluster
from colossim.models.zoo import get_model
from colossim.plan.machine import job_machine
from colossim.train import RANGE_FIGURES, RangeOptions, plan_training, training_inputs

runner = CliRunner()


@pytest.fixture(scope="module")
def plan():
    spec = load_cluster("colossus")
    return plan_training(get_model("llama3-8b"), spec, job_machine(spec, "h100_sxm5"), 1e12, gpus=1024)


@pytest.fixture(scope="module")
def ranged(plan):
    return plan.with_ranges(RangeOptions(runs=200, seed=5))


def test_mid_is_the_point_figure(plan, ranged):
    point = plan.summary()
    for name in RANGE_FIGURES:
        assert ranged.ranges.spreads[name].mid == pytest.approx(point[name], rel=1e-9), name
    assert {k: v for k, v in ranged.summary().items() if not k.endswith(("_low", "_high"))} == point


def test_every_headline_has_a_range_that_holds_the_point(ranged):
    s = ranged.summary()
    for name in RANGE_FIGURES:
        assert s[f"{name}_low"] < s[f"{name}_high"], name
        assert s[f"{name}_low"] <= s[name] * (1 + 1e-9) and s[name] <= s[f"{name}_high"] * (1 + 1e-9), name


def test_inputs_carry_their_sources_and_the_step_models_error(plan):
    inputs = {i.name: i for i in training_inputs(plan, plan.machine)}
    assert {"step_time", "failure_rate", "pue", "capex", "lifetime"} <= set(inputs)
    assert inputs["step_time"].range.quantiles  # drawn from the held-out errors, not a guess
    for item in inputs.values():
        assert item.range.source and item.range.low <= item.range.mid <= item.range.high


@pytest.mark.parametrize("name,figures", [("pue", ("energy_mwh", "co2_t")),
                                          ("step_time", ("wall_days_p50", "energy_mwh")),
                                          ("lifetime", ("total_cost_usd",))])
def test_widening_an_input_widens_the_figures_it_moves(plan, ranged, name, figures):
    wide = plan.with_ranges(RangeOptions(runs=200, seed=5, widen={name: 2.0}))
    for fig in figures:
        assert wide.ranges.spreads[fig].relative_width > ranged.ranges.spreads[fig].relative_width, (name, fig)
        assert wide.ranges.spreads[fig].mid == ranged.ranges.spreads[fig].mid


def test_tornado_names_the_inputs_that_move_days_and_cost(ranged):
    days = [b.input for b in ranged.ranges.tornado["wall_days_p50"] if b.swing > 0]
    assert days[0] in ("step_time", "failure_rate") and "pue" not in days  # PUE does not move time
    cost = [b.input for b in ranged.ranges.tornado["total_cost_usd"][:4]]
    assert {"capex", "lifetime"} & set(cost)


def test_same_seed_same_ranges(plan, ranged):
    again = plan.with_ranges(RangeOptions(runs=200, seed=5))
    assert again.ranges.fields() == ranged.ranges.fields()


def test_unknown_input_to_widen_is_refused(plan):
    with pytest.raises(ValueError, match="no such uncertain input"):
        plan.with_ranges(RangeOptions(runs=10, widen={"moon_phase": 2.0}))


def test_train_json_prints_low_and_high_beside_each_headline():
    res = runner.invoke(app, ["train", "colossus", "--model", "llama3-8b", "--tokens", "1e12", "--gpus", "1024",
                              "--range-runs", "64", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    for name in RANGE_FIGURES:
        assert data[f"{name}_low"] <= data[f"{name}_high"]
    assert data["uncertainty"]["runs"] == 64 and data["uncertainty"]["inputs"]


def test_train_without_ranges_prints_none():
    res = runner.invoke(app, ["train", "colossus", "--model", "llama3-8b", "--tokens", "1e12", "--gpus", "1024",
                              "--range-runs", "0", "--json"])
    data = json.loads(res.stdout)
    assert data["uncertainty"] is None and "energy_mwh_low" not in data
