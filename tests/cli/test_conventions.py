"""The command-line conventions every command shares: --version and `python -m colossim`, the lazy command
table, `colossim models`, `colossim schema`, `colossim catalog KIND`, --model-file and the positional
SCENARIO|FILE, and the version stamp on JSON output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from colossim import __version__
from colossim.cli.main import COMMANDS, app
from colossim.cli.schema_cmd import Kind, json_schema
from colossim.models.zoo import get_model, load_model_file

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _json(res) -> dict:
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_version_flag_and_python_dash_m_agree():
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout.strip() == f"colossim {__version__}"
    proc = subprocess.run([sys.executable, "-m", "colossim", "--version"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0 and proc.stdout.strip() == f"colossim {__version__}"


def test_help_lists_every_command_without_importing_them():
    code = ("import sys; from colossim.cli.main import app; "
            "sys.argv=['colossim','--help']\n"
            "try:\n    app()\nexcept SystemExit:\n    pass\n"
            "print('LOADED', sorted(m for m in sys.modules if m.startswith('colossim.cli.') and m.endswith('_cmd')))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for name in COMMANDS:
        assert name in proc.stdout
    assert "LOADED []" in proc.stdout  # the listing comes from the command table, not from the modules


def test_every_listed_command_has_help():
    for name in COMMANDS:
        res = runner.invoke(app, [name, "--help"])
        assert res.exit_code == 0, (name, res.output)
        assert "Usage" in res.stdout


def test_models_json_lists_the_zoo_with_sizes():
    data = _json(runner.invoke(app, ["models", "--json"]))
    assert data["colossim_version"] == __version__ and "schema_version" in data
    by_id = {m["id"]: m for m in data["models"]}
    assert "llama3-405b" in by_id
    # Llama 3 405B: 405B parameters by name (Llama 3 paper, Table 3); the count is computed from the shape
    assert 395 < by_id["llama3-405b"]["params_b"] < 415
    moe = [m for m in data["models"] if m["moe"]]
    assert moe and all(m["active_params_b"] < m["params_b"] for m in moe)


@pytest.mark.parametrize("kind", list(Kind))
def test_schema_is_the_json_schema_of_the_loaders(kind):
    res = runner.invoke(app, ["schema", kind.value])
    data = _json(res)
    assert data["$schema"].startswith("https://json-schema.org/")
    assert "colossim_version" not in data  # a schema is not a result: no stamp
    assert data == json.loads(json.dumps(json_schema(kind)))


def test_model_schema_names_the_fields_of_a_model_file():
    props = json_schema(Kind.model)["properties"]
    for field in ("id", "layers", "hidden", "heads", "seq_len"):
        assert field in props
    assert json_schema(Kind.model).get("additionalProperties") is False  # extra="forbid"


@pytest.mark.parametrize("kind,expect", [("gpus", "h100_sxm5"), ("systems", "gb200_nvl72")])
def test_catalog_kinds_list_their_ids(kind, expect):
    data = _json(runner.invoke(app, ["catalog", kind, "--json"]))
    ids = json.dumps(data)
    assert expect in ids


def test_catalog_unknown_kind_exits_2():
    res = runner.invoke(app, ["catalog", "spaceships"])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_model_file_round_trips_a_zoo_entry(tmp_path):
    zoo = get_model("llama3-8b")
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(zoo.model_dump(mode="json", exclude_none=True)))
    assert load_model_file(path) == zoo


def test_model_file_gives_the_same_step_as_the_zoo_id(tmp_path):
    zoo = get_model("llama3-8b")
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(zoo.model_dump(mode="json", exclude_none=True)))
    common = ["--gpu", "h100_sxm5", "--gpus", "64", "--gbs", "256", "--tp", "1", "--json"]
    by_id = _json(runner.invoke(app, ["step", "--model", "llama3-8b", *common]))
    by_file = _json(runner.invoke(app, ["step", "--model-file", str(path), *common]))
    assert by_file["step"]["step_time_s"] == pytest.approx(by_id["step"]["step_time_s"], rel=1e-12)
    assert by_file["layout"] == by_id["layout"]


def test_example_model_file_plans(tmp_path):
    res = runner.invoke(app, ["plan", "colossus", "--model-file", str(EXAMPLES / "my_model.yaml"),
                              "--gpus", "1024", "--top", "1", "--json"])
    data = _json(res)
    assert data["colossim_version"] == __version__


def test_model_file_with_an_unknown_field_names_file_and_field(tmp_path):
    path = tmp_path / "bad.yaml"
    data = get_model("llama3-8b").model_dump(mode="json", exclude_none=True)
    data["layerz"] = 3
    path.write_text(yaml.safe_dump(data))
    res = runner.invoke(app, ["step", "--model-file", str(path), "--gpu", "h100_sxm5", "--gpus", "8",
                              "--gbs", "64"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "bad.yaml" in res.stderr and "layerz" in res.stderr


def test_model_and_model_file_together_exit_2(tmp_path):
    res = runner.invoke(app, ["train", "colossus", "--model", "llama3-8b", "--model-file", str(tmp_path / "x.yaml"),
                              "--tokens", "1e12"])
    assert res.exit_code == 2 and "--model-file" in res.stderr


def test_positional_scenario_and_scenario_flag_give_one_answer():
    a = _json(runner.invoke(app, ["train", "colossus", "--model", "llama3-8b", "--tokens", "1e12", "--gpus", "1024",
                                  "--json"]))
    b = _json(runner.invoke(app, ["train", "--scenario", "colossus", "--model", "llama3-8b", "--tokens", "1e12",
                                  "--gpus", "1024", "--json"]))
    assert a == b


def test_two_clusters_named_exit_2():
    res = runner.invoke(app, ["train", "colossus", "--scenario", "colossus", "--model", "llama3-8b",
                              "--tokens", "1e12"])
    assert res.exit_code == 2 and "name one cluster" in res.stderr
