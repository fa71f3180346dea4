"""`colossim report`: the JSON behind the report (consistent with `colossim cluster --json`, fields
documented), files only with --out, a terminal summary otherwise, and exit code 2 on bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from cli_clusters import NO_GPU_FIRST
from typer.testing import CliRunner

from colossim.cli.main import app
from colossim.report.document import Report, Section, Table

runner = CliRunner()
QUICK = ("--ops-days", "20", "--ops-jobs", "1000")
DOCS = Path(__file__).parents[2] / "docs" / "report.md"


@pytest.fixture(scope="module")
def run_json_out(tmp_path_factory):
    """One real run: --json and --out together, from an empty working folder."""
    cwd = tmp_path_factory.mktemp("cwd")
    target = cwd / "rep"
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        out = runner.invoke(app, ["report", "colossus", "--json", "--out", str(target), *QUICK])
    assert out.exit_code == 0, out.output
    return cwd, target, out


def test_json_totals_equal_the_cluster_command(run_json_out):
    _, _, out = run_json_out
    data = json.loads(out.stdout)
    cluster = json.loads(runner.invoke(app, ["cluster", "colossus", "--json"]).stdout)
    assert [g["gpus"] for g in data["growth"]] == [g["gpus"] for g in cluster["growth"]]
    assert [g["facility_power_mw"] for g in data["growth"]] == [g["facility_power_mw"] for g in cluster["growth"]]
    assert data["figures"]["capex_usd_high"] == cluster["figures"]["capex_usd_high"]
    assert "report built in" in out.output


def test_report_json_fields_are_documented(run_json_out):
    data = json.loads(run_json_out[2].stdout)
    documented = set(re.findall(r"`([a-z0-9_]+)`", DOCS.read_text(encoding="utf-8")))
    own = set(data) | set(data["failures"]) | set(data["failures"]["phases"][0]) | set(data["assumptions"][0])
    own |= {k for k in data["failures"]["restart_sensitivity"][0] if not k.startswith("goodput_")}
    own |= set(data["training"]) | set(data["training"]["partitions"][0])
    missing = own - documented
    assert not missing, f"document these JSON fields in docs/report.md: {sorted(missing)}"


def test_out_writes_the_html_report_and_nothing_else(run_json_out):
    cwd, target, _ = run_json_out
    assert [p.name for p in cwd.iterdir()] == ["rep"], "only the --out folder is written"
    assert (target / "index.html").is_file() and (target / "report.json").is_file()
    assert (target / "tables" / "growth.csv").is_file() and (target / "figures" / "growth-gpus.svg").is_file()
    assert json.loads((target / "report.json").read_text(encoding="utf-8")) == json.loads(run_json_out[2].stdout)


def test_the_page_footer_quotes_the_command(run_json_out):
    _, target, _ = run_json_out
    page = (target / "index.html").read_text(encoding="utf-8")
    footer = page[page.index("<footer>"):]
    command = f"colossim report colossus --out {target} --json --ops-days 20 --ops-jobs 1000"
    assert f"<code>{command}</code>" in footer


def test_without_out_it_prints_a_summary_and_writes_nothing(tmp_path, monkeypatch):
    table = Table("growth", "Growth by phase", "caption", pd.DataFrame({"phase": ["a"], "gpus": [100_000]}),
                  {"gpus": "GPUs"}, summary=True)
    fake = Report("T", "S", (Section("growth", "Growth by phase", (table,)),), {"build_s": 0.1})
    monkeypatch.setattr("colossim.report.build.build_report", lambda options, progress=None: fake)
    monkeypatch.chdir(tmp_path)
    out = runner.invoke(app, ["report", "colossus"])
    assert out.exit_code == 0, out.output
    assert "Growth by phase" in out.stdout and "100,000" in out.stdout
    assert "nothing written" in out.output
    assert list(tmp_path.iterdir()) == []


def test_bad_scenario_exits_2_without_traceback():
    out = runner.invoke(app, ["report", "no-such-scenario", *QUICK])
    assert out.exit_code == 2
    assert "Traceback" not in out.output and "no-such-scenario" in out.output


def test_a_first_phase_without_gpus_is_reported(tmp_path):
    path = tmp_path / "hall.yaml"
    path.write_text(NO_GPU_FIRST)
    out = runner.invoke(app, ["report", str(path), "--model", "llama3-8b", "--tokens", "1e10", "--ops-days", "2",
                              "--ops-jobs", "50"])
    assert out.exit_code == 0, out.output
    growth = json.loads(runner.invoke(app, ["cluster", str(path), "--json"]).stdout)["growth"]
    assert [g["gpus"] for g in growth] == [0, 128]
    # growth is counted from the first phase with GPUs (one phase here: 1.0x), never divided by zero
    assert "grew from 128 GPUs (2024-03-01) to 128 (2024-03-01): 1.0x the dense BF16 compute" in out.stdout


def test_bad_option_values_exit_2_before_any_work(monkeypatch):
    def refuse(*_a, **_k):
        raise AssertionError("the report was built")

    monkeypatch.setattr("colossim.report.build.build_report", refuse)
    for args in (["--tokens", "-1"], ["--budget", "0"], ["--ops-days", "-3"], ["--tokens", "nan"]):
        out = runner.invoke(app, ["report", "colossus", *args])
        assert out.exit_code == 2 and args[0] in out.stderr and "Traceback" not in out.output, args


def test_report_options_refuse_an_unanswerable_question():
    from colossim.report.context import ReportOptions

    with pytest.raises(ValueError, match="tokens"):
        ReportOptions(tokens=-1.0)
