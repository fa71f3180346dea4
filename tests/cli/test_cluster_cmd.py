"""`colossim cluster` and `colossim buy`: tables, stable JSON documented in README.md, and
clean exit code 2 on bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from colossim.cli.main import app

runner = CliRunner()
DOCS = Path(__file__).parents[2] / "README.md"  # the JSON fields of cluster and buy are documented there


def _run(*args: str):
    return runner.invoke(app, list(args))


def _keys(value, prefix=""):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner, key)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner, prefix)


def test_cluster_table_shows_units():
    out = _run("cluster", "colossus", "--at", "2024-09-02")
    assert out.exit_code == 0, out.output
    assert "EFLOP/s" in out.output and "MW" in out.output and "98.9" in out.output


def test_cluster_json_fields_are_documented():
    out = _run("cluster", "colossus", "--json")
    assert out.exit_code == 0
    data = json.loads(out.output)
    assert set(data) == {"figures", "growth", "colossim_version", "schema_version"}  # every --json is stamped
    assert data["figures"]["gpus"] == 230_024
    doc = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z0-9_]+)`", doc))
    dynamic = set(data["figures"]["gpus_by_type"]) | set(data["figures"]["systems_by_id"])
    missing = {k for k in _keys(data) if k not in dynamic} - documented
    assert not missing, f"document these JSON fields in README.md: {sorted(missing)}"


def test_buy_json_fields_are_documented():
    out = _run("buy", "--budget", "5e9", "--system", "gb200_nvl72", "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["option"]["system"] == "gb200_nvl72" and len(data["comparisons"]) == 2
    documented = set(re.findall(r"`([a-z0-9_]+)`", DOCS.read_text(encoding="utf-8")))
    missing = set(_keys(data)) - documented
    assert not missing, f"document these JSON fields in README.md: {sorted(missing)}"


def test_buy_table():
    out = _run("buy", "--budget", "5e9", "--system", "gb200_nvl72", "--scenario", "colossus")
    assert out.exit_code == 0, out.output
    assert "gb200_nvl72" in out.output and "supermicro_hgx" in out.output and "BF16 EFLOP/s" in out.output


def test_list_scenarios():
    out = _run("cluster", "--list")
    assert out.exit_code == 0 and "colossus-2" in out.output


@pytest.mark.parametrize(
    "args",
    [
        ("cluster", "nowhere.yaml"),
        ("cluster", "colossus", "--at", "02/09/2024"),
        ("cluster", "colossus", "--at", "2020-01-01"),
        ("buy", "--budget", "5e9", "--system", "gb900"),
        ("buy", "--budget", "-5", "--system", "gb200_nvl72"),
    ],
)
def test_bad_input_exits_2_without_traceback(args):
    out = _run(*args)
    assert out.exit_code == 2, out.output
    assert "Traceback" not in out.output and out.exception is None or isinstance(out.exception, SystemExit)


def test_bad_cluster_file_names_file_and_field(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: x\nsite: memphis\nfabric: {switch: spectrum4_sn5600}\nphases:\n"
        "  - {name: p1, start: 2024-09-02, source: test, add: [{system: dgx_h100, count: -1}]}\n"
    )
    out = _run("cluster", str(path))
    assert out.exit_code == 2
    assert "bad.yaml" in out.output and "phases.0.add.0.count" in out.output and "Traceback" not in out.output
