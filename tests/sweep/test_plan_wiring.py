"""`colossim sweep` with its default evaluator: the best-plan search on a built-in cluster."""

import json

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

plan_search = pytest.importorskip("colossim.plan.search", reason="the best-plan search is not in this checkout")

from colossim.cli.main import app  # noqa: E402
from colossim.cluster import load_cluster  # noqa: E402
from colossim.models.zoo import get_model  # noqa: E402
from colossim.plan.machine import job_machine  # noqa: E402

SWEEP = {"models": ["llama3-8b"], "clusters": ["colossus"], "gpu_counts": [8, 64, 1_000_000],
         "global_batch_sizes": [256], "objectives": ["time"], "top_k": 2}
runner = CliRunner()


def sweep(tmp_path, data, *extra):
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data))
    return runner.invoke(app, ["sweep", str(path), "--engine", "serial", "--no-progress", *extra])


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plan")
    res = sweep(tmp, SWEEP, "--plot", str(tmp / "t.png"))
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout), pd.read_parquet(tmp / "plan.parquet"), tmp


def test_default_evaluator_writes_the_top_layouts_of_each_feasible_point(result):
    summary, frame, tmp = result
    assert summary["points_total"] == 3 and summary["points_infeasible"] == 1
    assert "exceed" in summary["infeasible"][0]["reason"] and "1,000,000" in summary["infeasible"][0]["reason"]
    assert sorted(set(frame["gpus"])) == [8, 64] and list(frame["rank"]) == [1, 2, 1, 2]
    assert {"step_time_s", "tokens_per_s", "mfu", "tp", "pp", "dp"} <= set(frame.columns)
    assert ((frame["tp"] * frame["pp"] * frame["dp"] * frame["cp"]) == frame["gpus_used"]).all()
    assert (frame["gpus_used"] <= frame["gpus"]).all()
    assert (tmp / "t.png").read_bytes()[:4] == b"\x89PNG"


def test_rows_are_the_search_results_unchanged(result):
    _, frame, _ = result
    machine = job_machine(load_cluster("colossus"))
    direct = plan_search.search(get_model("llama3-8b"), machine.hardware, 64, global_batch=256, objective="time",
                                top_k=2, economics=machine.economics).top
    mine = frame[frame["gpus"] == 64].reset_index(drop=True)
    for col in ("tp", "pp", "dp", "cp", "step_time_s", "tokens_per_s", "mfu"):
        assert list(mine[col]) == list(direct[col]), col


def test_more_gpus_give_more_throughput_and_rank_1_is_best(result):
    _, frame, _ = result
    best = frame[frame["rank"] == 1].set_index("gpus")["tokens_per_s"]
    assert best[64] > best[8]
    for _, point in frame.groupby("point_key"):
        assert point["objective_value"].is_monotonic_increasing  # time per million tokens, lower is better


@pytest.mark.parametrize("change,words", [
    ({"objectives": ["throughput"]}, "objective 'throughput' is not one of time, cost, energy"),
    ({"options": {"seq_len": 8192}}, "not known to the plan search: use gpu, at, precision"),
    ({"models": ["gpt9"]}, "unknown model 'gpt9'"),
    ({"clusters": ["atlantis"]}, "no built-in scenario or file of that name"),
    ({"gpu_counts": [1_000_000]}, "1,000,000 GPUs exceed the"),
])
def test_impossible_requests_exit_2_with_a_clear_message(tmp_path, change, words):
    res = sweep(tmp_path, {**SWEEP, **change})
    assert res.exit_code == 2 and words in res.stderr, res.stderr
    assert not (tmp_path / "plan.parquet").exists()


def test_a_model_file_in_models_gives_the_zoo_entry_rows(tmp_path):
    mine = tmp_path / "mine.yaml"
    mine.write_text(yaml.safe_dump(get_model("llama3-8b").model_dump(mode="json", exclude_none=True)))
    data = {**SWEEP, "models": [str(mine)], "gpu_counts": [64]}
    res = sweep(tmp_path, data)
    assert res.exit_code == 0, res.output
    by_file = pd.read_parquet(tmp_path / "plan.parquet")
    machine = job_machine(load_cluster("colossus"))
    direct = plan_search.search(get_model("llama3-8b"), machine.hardware, 64, global_batch=256, objective="time",
                                top_k=2, economics=machine.economics).top
    assert list(by_file["step_time_s"]) == list(direct["step_time_s"])


def test_a_model_file_with_a_typo_stops_the_sweep_naming_it(tmp_path):
    bad = tmp_path / "bad.yaml"
    data = get_model("llama3-8b").model_dump(mode="json", exclude_none=True)
    data["hiddn"] = 1
    bad.write_text(yaml.safe_dump(data))
    res = sweep(tmp_path, {**SWEEP, "models": [str(bad)], "gpu_counts": [64]})
    assert res.exit_code == 2 and "bad.yaml" in res.stderr and "hiddn" in res.stderr
