"""`colossim simulate`: JSON summary documented in docs/ops.md, trace/plot outputs, clean exit 2 on bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from colossim.cli.main import app

runner = CliRunner()
DOCS = Path(__file__).parents[2] / "docs" / "ops.md"


def _run(*args: str):
    return runner.invoke(app, ["simulate", *args])


def test_json_summary_and_documented_fields():
    out = _run("--scenario", "colossus", "--days", "80", "--jobs", "1500", "--json", "--seed", "3")
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)
    assert summary["policy"] == "backfill" and summary["jobs_total"] == 1501  # + the flagship
    assert summary["flagship"]["gpus"] == 98_304
    assert summary["capacity_gpu_h"] > summary["busy_gpu_h"] > 0
    documented = set(re.findall(r"`([a-z0-9_]+)`", DOCS.read_text(encoding="utf-8")))
    missing = (set(summary) | set(summary["flagship"])) - documented - {"colossim_version", "schema_version"}
    assert not missing, f"fields not documented in docs/ops.md: {sorted(missing)}"


def test_table_trace_and_plots(tmp_path):
    trace = tmp_path / "ops.json"
    out = _run("--scenario", "helios-venus", "--days", "20", "--jobs", "2000", "--profile", "helios_venus",
               "--policy", "fifo", "--trace", str(trace), "--plot", str(tmp_path / "plots"))
    assert out.exit_code == 0, out.output
    assert "utilisation" in out.output and "flagship" not in out.output
    assert json.loads(trace.read_text())["traceEvents"]
    assert len(list((tmp_path / "plots").glob("*.png"))) == 4


def test_trace_file_workload_and_config(tmp_path):
    jobs = tmp_path / "jobs.csv"
    jobs.write_text("submit_s,gpus,duration_s\n0,8,3600\n60,64,600\n")
    cfg = tmp_path / "ops.yaml"
    cfg.write_text("days: 1\npolicy: {kind: priority, preempt: false}\nspares: {kind: none}\n")
    out = _run("--scenario", "colossus", "--no-flagship", "--workload", str(jobs), "--config", str(cfg),
               "--days", "90", "--json")
    assert out.exit_code == 0, out.output
    s = json.loads(out.stdout)
    assert s["jobs_total"] == 2 and s["jobs_completed"] == 2 and s["policy"] == "priority" and s["days"] == 90


def test_bad_inputs_exit_2(tmp_path):
    assert _run("--days", "5").exit_code == 2  # neither --scenario nor --cluster
    assert _run("--scenario", "nowhere").exit_code == 2
    assert _run("--scenario", "colossus", "--policy", "random").exit_code == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("submit_s,gpus,duration_s\n0,eight,1\n")
    out = _run("--scenario", "colossus", "--workload", str(bad))
    assert out.exit_code == 2 and "line 2, column gpus" in out.output
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("days: -3\n")
    out = _run("--scenario", "colossus", "--config", str(cfg))
    assert out.exit_code == 2 and "days" in out.output


def test_cluster_file(tmp_path):
    cluster = tmp_path / "small.yaml"
    cluster.write_text(
        "name: small\nsite: us_average\nfabric: {switch: spectrum4_sn5600}\n"
        "phases:\n  - {name: p1, start: 2024-03-01, add: [{system: dgx_h100, count: 64}], source: test}\n"
    )
    out = _run("--cluster", str(cluster), "--days", "80", "--jobs", "500", "--policy", "priority", "--json")
    assert out.exit_code == 0, out.output
    s = json.loads(out.stdout)
    assert s["peak_capacity_gpus"] == 512 and s["pools"] == 1 and "flagship" not in s
    assert s["jobs_total"] == 500
    both = _run("--cluster", str(cluster), "--scenario", "colossus")
    assert both.exit_code == 2
