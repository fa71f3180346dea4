"""`colossim serve` and `colossim validate --serving`: tables, JSON and clean errors (exit 2)."""

import json

from typer.testing import CliRunner

from colossim.cli.main import app

runner = CliRunner()


def test_serve_json_has_the_answer_and_its_units():
    result = runner.invoke(app, ["serve", "--model", "llama3-8b", "--scenario", "colossus", "--partition", "h100",
                                 "--gpus", "64", "--prompt-tokens", "1000", "--output-tokens", "200", "--json",
                                 "--top", "3"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in ("output_tokens_per_s", "requests_per_s_per_gpu", "concurrent_users", "power_mw",
                "energy_kwh_per_mtok", "cost_usd_per_mtok", "ttft_p99_s", "tpot_p99_s", "layout", "runner_up"):
        assert key in data
    assert data["partition"] == "h100" and len(data["layouts"]) == 3  # the H100s of the h100+h200 partition


def test_serve_table_names_the_runner_up_and_the_mix(tmp_path):
    mix = tmp_path / "mix.csv"
    mix.write_text("prompt_tokens,output_tokens,share\n500,100,1\n2000,400,1\n")
    result = runner.invoke(app, ["serve", "--model", "llama3-70b", "--scenario", "colossus", "--gpus", "64",
                                 "--mix", str(mix), "--tpot-ms", "80", "--fast"])
    assert result.exit_code == 0, result.output
    assert "runner-up" in result.stdout and "mix.csv" in result.stdout


def test_model_that_fits_nothing_exits_2():
    result = runner.invoke(app, ["serve", "--model", "grok-3-class", "--scenario", "colossus", "--gpus", "8"])
    assert result.exit_code == 2 and "fits no serving replica" in result.output
    assert "Traceback" not in result.output


def test_unmeetable_target_exits_2():
    result = runner.invoke(app, ["serve", "--model", "llama3-70b", "--scenario", "colossus", "--gpus", "16",
                                 "--tpot-ms", "1", "--fast"])
    assert result.exit_code == 2 and "no layout meets" in result.output


def test_bad_options_exit_2():
    for args in (["--prompt-tokens", "10"], ["--draft-tokens", "2"], ["--precision", "int3"],
                 ["--partition", "tpu"], ["--tpot-ms", "0"]):
        result = runner.invoke(app, ["serve", "--model", "llama3-8b", "--scenario", "colossus", *args])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output


def test_validate_serving_prints_mape_and_bias():
    result = runner.invoke(app, ["validate", "--serving"])
    assert result.exit_code == 0, result.output
    assert "MAPE" in result.stdout and "mean signed" in result.stdout


def test_validate_serving_json_parses():
    result = runner.invoke(app, ["validate", "--serving", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["headline"]["rows"] >= 100
