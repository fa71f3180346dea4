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
