"""`colossim sweep`: JSON summary, plot, exit code 2 with a clear message for every bad request."""

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sweep_helpers import TOY
from typer.testing import CliRunner

from colossim.cli.main import app

GOOD = {"evaluator": TOY, "models": ["tiny", "large"], "clusters": ["fast"], "gpu_counts": [8, 16, 64],
        "global_batch_sizes": [256], "top_k": 2, "options": {"samples": 1000}}
runner = CliRunner()


def write(tmp_path, data, name="sweep.yaml"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data))
    return path


def test_sweep_writes_table_plot_and_json_summary(tmp_path):
    sweep = write(tmp_path, GOOD)
    res = runner.invoke(app, ["sweep", str(sweep), "--engine", "serial", "--plot", str(tmp_path / "t.png")])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["out"] == str(tmp_path / "sweep.parquet")  # default: next to the sweep file
    assert summary["points_total"] == 6 and summary["points_infeasible"] == 1  # large does not fit 8 GPUs
    frame = pd.read_parquet(tmp_path / "sweep.parquet")
    assert len(frame) == summary["rows"] and set(frame["rank"]) == {1, 2}
    assert (tmp_path / "t.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "1 of 6 grid points have no feasible result" in res.stderr


def test_rerun_of_a_finished_sweep_runs_nothing(tmp_path):
    sweep = write(tmp_path, GOOD)
    out = tmp_path / "r.csv"
    base = ["sweep", str(sweep), "--out", str(out), "--engine", "serial"]
    assert runner.invoke(app, base).exit_code == 0
    again = runner.invoke(app, [*base, "--no-progress"])
    assert json.loads(again.stdout)["points_run"] == 0
    fresh = runner.invoke(app, [*base, "--fresh"])
    assert json.loads(fresh.stdout)["points_run"] == 6


@pytest.mark.parametrize("data,words", [
    ({**GOOD, "gpu_count": [8]}, "gpu_count: Extra inputs are not permitted"),
    ({**GOOD, "models": ["gpt9"]}, "unknown model 'gpt9'"),
    ({**GOOD, "models": ["huge"]}, "none of the 3 grid points has a feasible result"),
    ({**GOOD, "evaluator": "nowhere.at_all:f"}, "evaluator 'nowhere.at_all:f' is not registered"),
    ({**GOOD, "evaluator": "os:system"}, "evaluator 'os:system' is not registered"),
])
def test_bad_requests_exit_2_with_a_message(tmp_path, data, words):
    res = runner.invoke(app, ["sweep", str(write(tmp_path, data)), "--engine", "serial", "--no-progress"])
    assert res.exit_code == 2 and words in res.stderr and "sweep.yaml" in res.stderr
    assert res.stdout == "" and not (tmp_path / "sweep.parquet").exists()


def test_evaluator_bug_exits_1_with_the_worker_traceback(tmp_path):
    sweep = write(tmp_path, {**GOOD, "evaluator": "buggy"})
    res = runner.invoke(app, ["sweep", str(sweep), "--engine", "serial", "--no-progress"])
    assert res.exit_code == 1 and "ZeroDivisionError" in res.stderr and "1 / 0" in res.stderr


@pytest.mark.parametrize("extra,words", [(["--address", "auto"], "--address is for --engine ray"),
                                         (["--out", "x.json"], "unknown output format"),
                                         (["--workers", "0"], "Invalid value for '--workers'")])
def test_bad_command_lines_exit_2(tmp_path, extra, words):
    res = runner.invoke(app, ["sweep", str(write(tmp_path, GOOD)), "--no-progress", *extra])
    assert res.exit_code == 2 and words in res.stderr


def test_plot_of_a_table_without_throughput_says_what_is_missing(tmp_path):
    sweep = write(tmp_path, {**GOOD, "evaluator": "no_throughput"})
    res = runner.invoke(app, ["sweep", str(sweep), "--engine", "serial", "--no-progress", "--plot",
                              str(tmp_path / "p.png")])
    assert res.exit_code == 2 and "no column(s) ['tokens_per_s']" in res.stderr
    assert (tmp_path / "sweep.parquet").exists() and not (tmp_path / "p.png").exists()


scalars = st.none() | st.booleans() | st.integers(-5, 10**6) | st.text(max_size=6)
junk = st.recursive(scalars, lambda inner: (st.lists(inner, max_size=3)
                                           | st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                    max_leaves=8)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from([*GOOD, "chunking", "objectives", "extra"]), value=junk)
def test_fuzzed_sweep_files_never_crash_the_command(tmp_path, key, value):
    res = runner.invoke(app, ["sweep", str(write(tmp_path, {**GOOD, key: value})), "--engine", "serial",
                              "--no-progress", "--out", str(tmp_path / "f.parquet"), "--fresh"])
    assert res.exit_code in (0, 2), res.output
    if res.exit_code == 2:
        assert res.stderr.startswith("error") and "Traceback" not in res.stderr


def test_default_evaluator_without_the_plan_search_exits_2(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "colossim.plan.search", None)  # as in a checkout without it
    sweep = write(tmp_path, {"models": ["llama3-8b"], "clusters": ["colossus"], "gpu_counts": [64],
                             "global_batch_sizes": [256]})
    res = runner.invoke(app, ["sweep", str(sweep), "--engine", "serial", "--no-progress"])
    assert res.exit_code == 2 and "colossim.plan.search" in res.stderr and "evaluator:" in res.stderr


def _can_mount_a_private_tmpfs(tmp_path) -> bool:
    probe = tmp_path / "probe"
    probe.mkdir()
    try:
        done = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {probe}"],
                              capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def test_a_really_full_disk_stops_with_exit_2_and_the_saved_points_resume(tmp_path):
    """A 300 kB tmpfs in a private mount namespace (unshare: no root needed, nothing mounted outside)."""
    if shutil.which("unshare") is None or not _can_mount_a_private_tmpfs(tmp_path):
        pytest.skip("needs unshare and user namespaces to mount a private tmpfs")
    full_sweep = {**GOOD, "models": ["tiny", "small", "large"], "clusters": ["fast", "slow"],
                  "gpu_counts": [8, 16, 32, 64, 128, 256, 512, 1024], "global_batch_sizes": [256, 512, 1024, 2048],
                  "top_k": 50, "options": {"samples": 200}, "chunking": {"points_per_chunk": 4}, "save_every_s": 0}
    sweep = write(tmp_path, full_sweep)
    disk = tmp_path / "disk"
    disk.mkdir()
    kept = tmp_path / "kept"
    run = (f"{sys.executable} -m colossim.sweep {sweep} --engine serial --no-progress --out {disk}/r.parquet; "
           f"echo EXIT=$?; cp -r {disk}/r.parquet.parts {kept}")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=300k tmpfs {disk} && {run}"],
                          capture_output=True, text=True, timeout=120)
    assert "EXIT=2" in done.stdout, done.stdout + done.stderr
    assert "No space left on device" in done.stderr and "points saved so far are kept" in done.stderr
    assert "Traceback" not in done.stderr
    lines = (kept / "manifest.jsonl").read_bytes()
    assert lines.endswith(b"\n") and all(json.loads(line) for line in lines.splitlines())  # no torn line
    assert not [p for p in kept.iterdir() if p.name.startswith(".tmp-")]
    saved = sum(len(json.loads(line)["done"]) for line in lines.splitlines())

    roomy = tmp_path / "roomy.parquet"  # the same journal on a disk with space: resume, then compare
    shutil.copytree(kept, tmp_path / "roomy.parquet.parts")
    res = runner.invoke(app, ["sweep", str(sweep), "--engine", "serial", "--no-progress", "--out", str(roomy)])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert 0 < saved < summary["points_total"] and summary["points_done_before"] == saved
    ref = runner.invoke(app, ["sweep", str(sweep), "--engine", "serial", "--no-progress", "--out",
                              str(tmp_path / "ref.parquet")])
    assert ref.exit_code == 0
    pd.testing.assert_frame_equal(pd.read_parquet(roomy), pd.read_parquet(tmp_path / "ref.parquet"))


def test_the_command_says_what_to_do_when_a_worker_always_dies(tmp_path):
    sweep = tmp_path / "s.yaml"
    sweep.write_text("evaluator: always_dies\nmodels: [tiny]\nclusters: [fast]\ngpu_counts: [8, 16]\n"
                     "global_batch_sizes: [256]\nchunking: {points_per_chunk: 2}\n")
    res = runner.invoke(app, ["sweep", str(sweep), "--workers", "2", "--no-progress"])
    assert res.exit_code == 1 and res.stdout == ""
    assert "died on each of 4 attempts" in res.stderr and "fewer --workers" in res.stderr
