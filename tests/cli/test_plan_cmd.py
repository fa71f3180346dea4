"""`colossim plan` prints the best layouts, JSON that parses, a plot, and clean errors (exit 2)."""

import json

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
    assert "has no mi300x" in result.output
