"""The training/serving split (train.split): with nothing serving it is the training plan itself; more GPUs
serving never shortens training nor serves less; the serving side is `serve_capacity`'s answer on those GPUs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from colossim.cli.main import app
from colossim.cluster import load_cluster
from colossim.models.zoo import get_model
from colossim.plan.machine import job_machine
from colossim.serve.capacity import serve_capacity
from colossim.train import plan_training
from colossim.train.split import fleet_split

CLUSTER = str(Path(__file__).resolve().parents[2] / "examples" / "small_cluster.yaml")
runner = CliRunner()


@pytest.fixture(scope="module")
def split():
    spec = load_cluster(CLUSTER)
    model = get_model("llama3-8b")
    machine = job_machine(spec, "h100_sxm5")
    plan = plan_training(model, spec, machine, 2e12)
    serving = serve_capacity(model, machine, simulate=False)
    return plan, serving, fleet_split(model, plan, serving, (0.0, 0.25, 0.5, 0.75))


def test_nothing_serving_is_the_training_plan(split):
    plan, _, points = split
    first = points[0]
    assert first.serving_gpus == 0 and first.requests_per_s == 0.0
    assert first.training_gpus == plan.gpus
    assert first.training_days == pytest.approx(plan.expected_days, rel=1e-9)  # the same chain, Daly's closed form


def test_more_serving_never_trains_faster_or_serves_less(split):
    _, _, points = split
    days = [p.training_days for p in points]
    assert all(d is not None for d in days)
    assert all(b >= a * (1 - 1e-9) for a, b in zip(days, days[1:], strict=False))
    served = [p.requests_per_s for p in points]
    assert all(b >= a for a, b in zip(served, served[1:], strict=False)) and served[-1] > 0
    assert all(p.training_gpus + p.serving_gpus <= 4096 for p in points)


def test_serving_side_is_serve_capacity_on_those_gpus(split):
    plan, serving, points = split
    half = points[2]
    direct = serve_capacity(get_model("llama3-8b"), plan.machine, gpus=half.serving_gpus, simulate=False)
    assert half.serving_replicas == direct.replicas
    assert half.requests_per_s == pytest.approx(direct.requests_per_s, rel=1e-6)


def test_a_share_out_of_range_is_refused(split):
    plan, serving, _ = split
    with pytest.raises(ValueError, match="serving share"):
        fleet_split(get_model("llama3-8b"), plan, serving, (1.0,))


def test_compare_json_carries_the_split():
    res = runner.invoke(app, ["compare", CLUSTER, "--model", "llama3-8b", "--tokens", "1e12", "--range-runs", "0",
                              "--json"])
    assert res.exit_code == 0, res.output
    splits = json.loads(res.stdout)["fleet_split"]
    assert len(splits) == 2 and all(s["points"] for s in splits)
