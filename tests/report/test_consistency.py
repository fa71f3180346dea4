"""One answer per question: the same run asked through `train`, `compare` and the report gives the same ideal
days, goodput and energy (same options: failures, checkpoints, 200 Monte Carlo runs, seed 1)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from colossim.cli.main import app

runner = CliRunner()


def _json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def compared(quick_options):
    return _json("compare", "--model", quick_options.model, "--tokens", f"{quick_options.tokens:g}", "--scenario",
                 "colossus", "--runs", str(quick_options.reliability.monte_carlo_runs))


KEYS = ("gpus", "partition", "ideal_days", "expected_days", "wall_days_p50", "goodput_p50", "ettr_expected",
        "energy_mwh", "co2_t", "total_cost_usd", "checkpoint_interval_min", "effective_tokens_per_day")


def test_report_and_compare_give_the_same_runs(report, compared):
    from_report = {p["phase"]: p for p in report.numbers["training"]["phases"]}
    for phase in compared["phases"]:
        mine = from_report[phase["phase"]]
        for key in KEYS:
            assert phase[key] == mine[key], (phase["phase"], key)
        assert phase["concurrent"] == mine["concurrent"]


def test_train_gives_the_same_run_as_compare_and_the_report(report, quick_options, compared):
    first = report.numbers["training"]["phases"][0]
    trained = _json("train", "--model", quick_options.model, "--tokens", f"{quick_options.tokens:g}", "--scenario",
                    "colossus", "--at", first["start"], "--partition", first["partition"], "--runs",
                    str(quick_options.reliability.monte_carlo_runs))
    for key in KEYS:
        assert trained[key] == first[key] == compared["phases"][0][key], key


def test_the_power_panel_uses_the_headline_chain():
    """The operations figure's power: with every GPU of a phase in service and busy it is that phase's headline
    facility power (the overview's `facility_power_mw`), with all of them idle it is the fleet chain at zero load,
    and it is linear in between (Fleet.share)."""
    import numpy as np

    from colossim.cluster.power import fleet_at
    from colossim.energy.fleet import fleet_power
    from colossim.report.context import ReportOptions, build_context
    from colossim.report.sections.operations import facility_power_by_chain

    ctx = build_context(ReportOptions())
    day0 = ctx.phases[0].at
    for f in ctx.gpu_phases:
        day = np.array([float((f.at - day0).days)] * 3)
        n = np.full(3, float(f.gpus))
        busy = np.array([f.gpus, 0.0, f.gpus / 2])
        power, headline = facility_power_by_chain(ctx, day0, day, busy, n, np.zeros(3))
        idle = fleet_power(fleet_at(ctx.spec, ctx.catalog, f.at), 0.0, f.pue).facility_mw
        assert power[0] == pytest.approx(f.facility_power_mw, rel=1e-12) == headline[0]
        assert power[1] == pytest.approx(idle, rel=1e-12)
        assert power[2] == pytest.approx((f.facility_power_mw + idle) / 2, rel=1e-12)
    last = ctx.final
    assert headline[0] == pytest.approx(last.facility_power_mw, rel=1e-12), "the headline MW of the overview"
