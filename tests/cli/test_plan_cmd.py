"""`colossim plan` prints the best layouts, JSON that parses, a plot, and clean errors (exit 2)."""

import json

import pytest
from typer.testing import CliRunner

from colossim.cli.main import app

runner = CliRunner()


def test_plan_json_on_colossus_phase_one(tmp_path):
    png = tmp_path / "plan.png"
    result = runner.invoke(app, ["plan", "--model", "llama3-70b", "--scenario", "colossus", "--gpus", "1024",
                                 "--at", "2024-09-02", "--top", "3", "--json", "--plot", str(png)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["gpu"] == "h100_sxm5" and data["gpus"] == 1024
    layouts = data["layouts"]
    assert len(layouts) == 3
    assert [row["rank"] for row in layouts] == [1, 2, 3]
    assert all(row["gpus_used"] <= 1024 for row in layouts)
    assert layouts[0]["step_time_s"] > 0 and 0 < layouts[0]["mfu"] < 1
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_plan_table_names_the_runner_up():
    result = runner.invoke(app, ["plan", "--model", "llama3-8b", "--scenario", "colossus", "--gpus", "64"])
    assert result.exit_code == 0, result.output
    assert "runner-up" in result.stdout


def test_unknown_model_exits_2_without_traceback():
    result = runner.invoke(app, ["plan", "--model", "gpt-7", "--scenario", "colossus"])
    assert result.exit_code == 2
    assert "unknown model" in result.output and "Traceback" not in result.output


def test_model_that_cannot_fit_exits_2_with_what_to_change():
    result = runner.invoke(app, ["plan", "--model", "grok-3-class", "--scenario", "colossus", "--gpus", "8"])
    assert result.exit_code == 2
    assert "fits in" in result.output


def test_more_gpus_than_the_cluster_has_is_refused():
    result = runner.invoke(app, ["plan", "--model", "llama3-8b", "--scenario", "colossus", "--at", "2024-09-02",
                                 "--gpus", "150000"])
    assert result.exit_code == 2
    assert "exceeds" in result.output


def test_gpu_not_in_cluster_is_refused():
    result = runner.invoke(app, ["plan", "--model", "llama3-8b", "--scenario", "colossus", "--gpu", "mi300x"])
    assert result.exit_code == 2
    text = " ".join(result.output.split())  # the console wraps long lines
    assert "no partition or GPU type 'mi300x'" in text
    assert "h100+h200: 200,000 GPUs" in text and "gb200: 30,024 GPUs" in text


def test_200k_gpus_plan_on_the_hopper_partition():
    # issue 11: refused before ("exceeds the 150,000 h100_sxm5"); H100 and H200 are one partition of 200,000
    for model in ("llama3-405b", "deepseek-v3"):
        result = runner.invoke(app, ["plan", "--model", model, "--scenario", "colossus", "--gpus", "200000",
                                     "--top", "2", "--json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["partition"] == "h100+h200" and data["gpu"] == "h100_sxm5"  # the smaller HBM bounds the job
        assert "largest that holds 200,000" in data["partition_reason"]
        assert all(row["gpus_used"] <= 200_000 for row in data["layouts"])


def test_more_gpus_than_any_partition_plans_one_job_across_generations():
    result = runner.invoke(app, ["plan", "--model", "llama3-405b", "--scenario", "colossus", "--gpus", "230000",
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    cross = data["cross_generation"]
    groups = {g["partition"]: g for g in cross["groups"]}
    assert set(groups) == {"h100+h200", "gb200"}
    assert cross["gpus"] <= 230_000 and cross["gpus"] == sum(g["gpus"] for g in groups.values())
    # uneven micro-batches balanced by speed: each GB200 replica (2.5x the BF16 peak) takes at least as many
    assert groups["gb200"]["microbatches"] >= groups["h100+h200"]["microbatches"]
    assert sum(g["sequences"] for g in groups.values()) == cross["global_batch"]
    # its cost is stated against separate jobs, and one job can never beat every partition working alone
    assert {s["partition"] for s in cross["separate"]} == {"h100+h200", "gb200"}
    assert cross["tokens_per_s"] <= cross["separate_tokens_per_s"] * (1 + 1e-9)
    assert cross["gain_vs_separate"] == pytest.approx(cross["tokens_per_s"] / cross["separate_tokens_per_s"] - 1)
    assert cross["link_gbps_per_gpu"] == 400 and cross["nvlink_domain"] == 8 and cross["memory_gpu"] == "h100_sxm5"
    assert all(g["memory_gb"] <= g["usable_gb"] for g in groups.values())


def test_a_request_no_partition_can_hold_lists_the_partitions():
    result = runner.invoke(app, ["plan", "--model", "llama3-8b", "--scenario", "colossus", "--gpus", "300000"])
    text = " ".join(result.output.split())  # the console wraps long lines
    assert result.exit_code == 2 and "Traceback" not in text
    assert "no partition can hold it" in text and "gb200: 30,024 GPUs" in text
    result = runner.invoke(app, ["plan", "--model", "llama3-8b", "--scenario", "colossus", "--partition", "gb200",
                                 "--gpus", "40000"])
    assert result.exit_code == 2 and "exceeds partition gb200" in " ".join(result.output.split())


def test_partition_by_name_or_gpu_type():
    result = runner.invoke(app, ["plan", "--model", "llama3-8b", "--scenario", "colossus", "--partition", "gb200",
                                 "--gpus", "72", "--top", "1", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["partition"] == "gb200" and data["gpu"] == "gb200_nvl72_gpu"
    result = runner.invoke(app, ["plan", "--model", "llama3-8b", "--scenario", "colossus", "--partition", "h200",
                                 "--gpus", "64", "--top", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["gpu"] == "h200_sxm"  # one GPU type of a partition on its own
