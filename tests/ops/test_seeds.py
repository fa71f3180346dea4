"""Many seeds through the sweep executors: bands of every headline, the same rows on every engine,
a Parquet journal that resumes after a kill of the driver with no seed lost or run twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from colossim.ops import OpsConfig, load_ops_cluster
from colossim.ops.exports.bands import HEADLINES
from colossim.ops.seeds import plan_points, run_seeds
from colossim.sweep.executors import LocalExecutor, SerialExecutor

CONFIG = {"days": 40, "workload": {"jobs": 2000}, "flagship": {"ideal_days": 10, "submit_day": 1},
          "sample_every_s": 86_400.0}


@pytest.fixture(scope="module")
def colossus():
    return load_ops_cluster("colossus")


def test_bands_on_serial_and_local_engines_are_the_same(colossus, tmp_path):
    cfg = OpsConfig.model_validate(CONFIG)
    serial = run_seeds(colossus, cfg, 4, SerialExecutor(), out=tmp_path / "serial.parquet")
    with LocalExecutor(workers=2) as pool:
        local = run_seeds(colossus, cfg, 4, pool, out=tmp_path / "local.parquet")
    assert (tmp_path / "serial.parquet").read_bytes() == (tmp_path / "local.parquet").read_bytes()
    assert [r["seed"] for r in serial.rows] == [1, 2, 3, 4]
    band = serial.bands["backfill"]
    assert set(band) == set(HEADLINES)
    for b in band.values():
        assert b.seeds == 4 and b.p5 <= b.median <= b.p95
    assert band["utilisation"].p5 < band["utilisation"].p95  # seeds differ
    assert local.to_dict()["bands"] == serial.to_dict()["bands"]


def test_policy_grid_and_resume_only_runs_new_points(colossus, tmp_path):
    cfg = OpsConfig.model_validate(CONFIG)
    out = tmp_path / "grid.parquet"
    grid = [{"kind": "fifo"}, {"kind": "backfill"}]
    first = run_seeds(colossus, cfg, 2, SerialExecutor(), policies=grid, out=out)
    assert first.computed == 4 and set(first.bands) == {"fifo", "backfill"}
    again = run_seeds(colossus, cfg, 3, SerialExecutor(), policies=grid, out=out)
    assert again.computed == 2 and len(again.rows) == 6  # seed 3 of each policy
    edited = OpsConfig.model_validate({**CONFIG, "days": 41})  # an edited input reruns every point
    keys = {p.key for p in plan_points(colossus, cfg, 2, grid, None)}
    assert not keys & {p.key for p in plan_points(colossus, edited, 2, grid, None)}


def _cli(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "colossim.cli.main", "simulate", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, **kw)


def test_a_killed_run_resumes_with_no_seed_lost(tmp_path):
    out = tmp_path / "seeds.parquet"
    args = ["--scenario", "colossus", "--days", "60", "--jobs", "20000", "--seeds", "12", "--engine", "serial",
            "--out", str(out), "--json"]
    proc = _cli(*args)
    manifest = out.with_name(out.name + ".parts") / "manifest.jsonl"
    deadline = time.time() + 240
    while time.time() < deadline and (not manifest.exists() or len(manifest.read_bytes().splitlines()) < 3):
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    done_before = len(manifest.read_bytes().splitlines())
    assert 3 <= done_before < 12, "the run should be killed midway"
    rerun = _cli(*args)
    stdout, stderr = rerun.communicate(timeout=600)
    assert rerun.returncode == 0, stderr.decode()
    table = pd.read_parquet(out)
    assert sorted(table.seed) == list(range(1, 13))  # none lost, none twice
    fresh = tmp_path / "fresh.parquet"
    whole = _cli(*[a if a != str(out) else str(fresh) for a in args])
    whole.communicate(timeout=600)
    assert out.read_bytes() == fresh.read_bytes()  # the resumed table is the uninterrupted one
