"""`colossim simulate`: JSON summary documented in docs/ops.md, trace/plot outputs, clean exit 2 on bad input."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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


# ---- hostile input (issue 12): refused up front, exit 2, a message naming the input and what to change


def test_gpu_type_typo_in_a_trace_is_named_not_dropped(tmp_path):
    jobs = tmp_path / "t.csv"
    jobs.write_text("submit_s,gpus,duration_s,gpu_type\n0,8,3600,h100_sxm5\n10,8,3600,h100_sxm\n")
    out = _run("--scenario", "colossus", "--no-flagship", "--workload", str(jobs), "--days", "2")
    assert out.exit_code == 2
    assert "'h100_sxm'" in out.output and "h100_sxm5" in out.output and "gb200_nvl72_gpu" in out.output


def test_non_finite_days_are_refused():
    for value in ("inf", "nan", "-inf"):
        out = _run("--scenario", "colossus", "--days", value)
        assert out.exit_code == 2 and "days" in out.output, value


def test_unwritable_outputs_are_refused_before_the_work(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        cases = [("--trace", str(tmp_path / "missing" / "t.json"), "does not exist"),
                 ("--trace", str(tmp_path), "folder"),
                 ("--plot", str(tmp_path / "missing" / "deeper"), "does not exist"),
                 ("--plot", str(ro / "plots"), "not writable" if os.geteuid() != 0 else None)]
        for flag, path, says in cases:
            if says is None:  # root writes anywhere: nothing to refuse
                continue
            start = time.perf_counter()
            out = _run("--scenario", "colossus", "--jobs", "100000000", flag, path)  # huge: would take minutes
            assert out.exit_code == 2 and says in out.output, (flag, path, out.output)
            assert time.perf_counter() - start < 10  # refused before any work
    finally:
        ro.chmod(0o700)


def test_runaway_work_is_refused_from_its_estimate(tmp_path):
    start = time.perf_counter()
    out = _run("--scenario", "colossus", "--jobs", "1000000000")
    assert out.exit_code == 2 and "limit" in out.output and "jobs" in out.output
    for text in ("sample_every_s: 1.0e-9\n", "failures: {failures_per_1000_node_days: 1.0e+300}\n"):
        cfg = tmp_path / "cfg.yaml"
        cfg.write_text(text)
        out = _run("--scenario", "colossus", "--config", str(cfg))
        assert out.exit_code == 2 and "limit" in out.output, text
    assert time.perf_counter() - start < 20  # no run started


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flag=st.sampled_from(["--days", "--jobs", "--load", "--spares", "--seed", "--workers"]),
       value=st.one_of(st.sampled_from(["inf", "-inf", "nan", "1e308", "-1", "0", "abc", "", "1e-300", "3.5"]),
                       st.integers(-10**12, 10**12).map(str), st.floats(allow_nan=True).map(repr)))
def test_fuzzed_flag_values_fail_cleanly(flag, value):
    """Every value either runs (exit 0) or is refused with exit 2: never a traceback."""
    args = ["--scenario", "helios-venus", "--days", "3", "--jobs", "300", "--json", flag, value]
    if flag in ("--workers",):
        args += ["--seeds", "1", "--engine", "serial"]
    out = _run(*args)
    assert out.exit_code in (0, 2), (flag, value, out.output)
    assert "Traceback" not in out.output


def test_bad_seed_counts_and_engine_flags_exit_2():
    for args in (["--seeds", "0"], ["--seeds", "-3"], ["--seeds", "x"], ["--policies", "fifo"],
                 ["--seeds", "2", "--policies", "fifo,random"], ["--seeds", "2", "--engine", "gpu"],
                 ["--seeds", "2", "--trace", "t.json"], ["--seeds", "2", "--out", "x.txt"]):
        out = _run("--scenario", "helios-venus", "--days", "2", "--jobs", "100", *args)
        assert out.exit_code == 2, (args, out.output)
