"""`colossim train` / `colossim compare` print JSON with units in the names and fail cleanly."""

import json

from cli_clusters import NO_GPU_FIRST
from typer.testing import CliRunner

from colossim.cli.main import app

runner = CliRunner()


def test_train_json_has_units_and_assumptions():
    result = runner.invoke(app, ["train", "--model", "llama3-8b", "--tokens", "1e12", "--scenario", "colossus",
                                 "--gpus", "256", "--runs", "100", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("ideal_days", "wall_days_p50", "energy_mwh", "co2_t", "water_m3", "total_cost_usd", "step_time_s"):
        assert data[key] > 0, key
    assert data["gpus"] <= 256
    assert any(a["name"] == "grid_co2" or "co2" in a["name"] for a in data["assumptions"])


def test_train_table_prints_the_assumptions():
    result = runner.invoke(app, ["train", "--model", "llama3-8b", "--tokens", "1e12", "--scenario", "colossus",
                                 "--gpus", "128", "--runs", "50"])
    assert result.exit_code == 0, result.output
    assert "assumptions" in result.stdout and "ideal time to train" in result.stdout


def test_compare_json_lists_every_phase():
    result = runner.invoke(app, ["compare", "--model", "llama3-8b", "--tokens", "1e12", "--scenario", "colossus",
                                 "--runs", "50", "--json"])
    assert result.exit_code == 0, result.output
    phases = json.loads(result.stdout)["phases"]
    assert [p["phase"] for p in phases] == ["phase-1", "phase-2", "phase-3"]
    # the GB200 phase lists the GB200 partition's own job and trains more tokens a day, all partitions at once
    assert "gb200" in {p["partition"] for p in phases[2]["partitions"]}
    assert phases[2]["concurrent"]["effective_tokens_per_day"] > phases[1]["concurrent"]["effective_tokens_per_day"]


def test_compare_table_prints_assumptions_per_phase():
    result = runner.invoke(app, ["compare", "--model", "llama3-8b", "--tokens", "1e12", "--scenario", "colossus",
                                 "--runs", "50"])
    assert result.exit_code == 0, result.output
    assert "assumptions" in result.stdout and "gas_share" in result.stdout


def test_bad_presets_exit_2():
    for args in (["--failures", "weekly"], ["--checkpoint", "sometimes"], ["--runs", "0"]):
        result = runner.invoke(app, ["train", "--model", "llama3-8b", "--tokens", "1e12", "--scenario", "colossus",
                                     *args])
        assert result.exit_code == 2, args
        assert "Traceback" not in result.output


def test_missing_cluster_exits_2():
    result = runner.invoke(app, ["train", "--model", "llama3-8b", "--tokens", "1e12"])
    assert result.exit_code == 2
    assert "--scenario" in result.output


def test_train_names_the_partition_and_refuses_a_cross_generation_job():
    result = runner.invoke(app, ["train", "--model", "llama3-8b", "--tokens", "1e12", "--scenario", "colossus",
                                 "--partition", "gb200", "--gpus", "144", "--runs", "50", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["partition"] == "gb200" and data["gpu_types"] == ["gb200_nvl72_gpu"]
    result = runner.invoke(app, ["train", "--model", "llama3-8b", "--tokens", "1e12", "--scenario", "colossus",
                                 "--gpus", "230000"])
    text = " ".join(result.output.split())  # the console wraps long lines
    assert result.exit_code == 2 and "Traceback" not in text
    assert "colossim plan --gpus 230,000" in text and "gb200: 30,024 GPUs" in text


def test_compare_partition_that_no_phase_has_exits_2():
    result = runner.invoke(app, ["compare", "--model", "llama3-8b", "--tokens", "1e12", "--scenario", "colossus",
                                 "--runs", "20", "--partition", "mi300x"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "no phase has a partition 'mi300x'" in " ".join(result.output.split())



def test_compare_leaves_out_a_first_phase_without_gpus_and_says_so(tmp_path):
    with_hall = tmp_path / "hall.yaml"
    with_hall.write_text(NO_GPU_FIRST)
    without = tmp_path / "gpus.yaml"  # the same cluster without the empty phase
    without.write_text(NO_GPU_FIRST.replace("  - {name: hall, start: 2024-01-01, add: [], source: test}\n", ""))
    args = ["compare", "--model", "llama3-8b", "--tokens", "1e10", "--runs", "50", "--json", "--cluster"]
    res = runner.invoke(app, [*args, str(with_hall)])
    assert res.exit_code == 0, res.output
    assert "note: phase 'hall' is left out: the cluster has no GPUs after it" in res.stderr
    reference = runner.invoke(app, [*args, str(without)])
    assert reference.exit_code == 0, reference.output
    phases, expected = json.loads(res.stdout)["phases"], json.loads(reference.stdout)["phases"]
    assert [p["phase"] for p in phases] == ["gpus"]
    assert phases == expected  # a phase that adds nothing changes nothing


def test_a_cluster_without_any_gpu_cannot_be_compared(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text(NO_GPU_FIRST.replace("[{system: dgx_h100, count: 16}]", "[]"))
    res = runner.invoke(app, ["compare", "--model", "llama3-8b", "--tokens", "1e10", "--cluster", str(empty)])
    assert res.exit_code == 2 and "has no GPUs in any phase" in res.stderr


def test_sources_print_once_as_numbered_references():
    from colossim.cli.sources import AssumptionRow, assumptions_view, numbered

    assert numbered(["a", "b", "a", "c"]) == {"a": 1, "b": 2, "c": 3}
    from rich.console import Console

    rows = [AssumptionRow("pue", ("1.2",), "-", "site source"), AssumptionRow("water", ("1.05",), "L/kWh",
                                                                               "site source")]
    console = Console(width=200, record=True)
    console.print(assumptions_view("assumptions", ["value"], rows))
    text = console.export_text()
    assert text.count("site source") == 1 and text.count("[1]") == 3  # two rows and the note
