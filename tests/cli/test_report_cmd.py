"""`colossim report`: a terminal summary by default (nothing written), the JSON behind it with --json
(consistent with `colossim cluster --json`), files only with --out, and exit code 2 on bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from colossim.cli.main import app

runner = CliRunner()
QUICK = ("--ops-days", "20", "--ops-jobs", "1000")
DOCS = Path(__file__).parents[2] / "docs" / "report.md"


def test_json_totals_equal_the_cluster_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = runner.invoke(app, ["report", "colossus", "--json", *QUICK])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    cluster = json.loads(runner.invoke(app, ["cluster", "colossus", "--json"]).stdout)
    assert [g["gpus"] for g in data["growth"]] == [g["gpus"] for g in cluster["growth"]]
    assert [g["facility_power_mw"] for g in data["growth"]] == [g["facility_power_mw"] for g in cluster["growth"]]
    assert data["figures"]["capex_usd_high"] == cluster["figures"]["capex_usd_high"]
    assert list(tmp_path.iterdir()) == [], "nothing is written without --out"
    assert "report built in" in out.output


def test_report_json_fields_are_documented():
    out = runner.invoke(app, ["report", "--json", *QUICK])
    data = json.loads(out.stdout)
    documented = set(re.findall(r"`([a-z0-9_]+)`", DOCS.read_text(encoding="utf-8")))
    own = set(data) | set(data["failures"]) | set(data["failures"]["phases"][0]) | set(data["assumptions"][0])
    own |= {k for k in data["failures"]["restart_sensitivity"][0] if not k.startswith("goodput_")}
    missing = own - documented
    assert not missing, f"document these JSON fields in docs/report.md: {sorted(missing)}"


def test_out_writes_the_html_report(tmp_path):
    target = tmp_path / "rep"
    out = runner.invoke(app, ["report", "colossus", "--out", str(target), *QUICK])
    assert out.exit_code == 0, out.output
    assert (target / "index.html").is_file() and (target / "report.json").is_file()
    assert (target / "tables" / "growth.csv").is_file() and (target / "figures" / "growth.png").is_file()
    assert "EFLOP/s" in out.stdout and "Failures and goodput" in out.stdout


def test_bad_scenario_exits_2_without_traceback():
    out = runner.invoke(app, ["report", "no-such-scenario", *QUICK])
    assert out.exit_code == 2
    assert "Traceback" not in out.output and "no-such-scenario" in out.output
