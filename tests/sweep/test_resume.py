"""Kill a running `colossim sweep` with SIGKILL, resume it, and compare with an uninterrupted run:
nothing lost, nothing duplicated."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import yaml
from sweep_helpers import TOY

from colossim.sweep.executors import LocalExecutor
from colossim.sweep.runner import run_sweep
from colossim.sweep.schema import load_sweep
from colossim.sweep.store import MANIFEST, journal_dir

# 4 models x 2 clusters x 6 GPU counts = 48 points, 2 per task (~60 ms each: 120k x 8 lognormal samples
# ~ 30 ms per point here) = 24 tasks, ~0.7 s of work on 2 workers; saved every 0.1 s.
SWEEP = {"evaluator": TOY, "models": ["tiny", "small", "large", "huge"], "clusters": ["fast", "slow"],
         "gpu_counts": [8, 16, 32, 64, 128, 256], "global_batch_sizes": [512], "top_k": 2,
         "options": {"samples": 120_000}, "chunking": {"points_per_chunk": 2}, "save_every_s": 0.1}


def _cmd(sweep_file, out):
    # `python -m colossim.sweep` is `colossim sweep` without importing every other command (quicker start).
    return [sys.executable, "-m", "colossim.sweep", str(sweep_file), "--out", str(out), "--workers", "2",
            "--no-progress"]


def _manifest_lines(out):
    path = journal_dir(out) / MANIFEST
    return path.read_bytes().split(b"\n")[:-1] if path.exists() else []


def test_killed_sweep_resumes_without_losing_or_duplicating_rows(tmp_path):
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(yaml.safe_dump(SWEEP))
    spec = load_sweep(sweep_file)
    out = tmp_path / "killed.parquet"
    proc = subprocess.Popen(_cmd(sweep_file, out), start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    try:
        while len(_manifest_lines(out)) < 3 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep's own process group: driver, forkserver, workers
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    at_kill = [json.loads(line) for line in _manifest_lines(out)]
    done_at_kill = sum(len(e["done"]) for e in at_kill)
    assert 0 < done_at_kill < spec.n_points
    assert not out.exists()  # the final table is written only once every point is done

    resumed = subprocess.run(_cmd(sweep_file, out), capture_output=True, text=True, timeout=60)
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["points_done_before"] == done_at_kill
    assert summary["points_run"] == spec.n_points - done_at_kill

    entries = [json.loads(line) for line in _manifest_lines(out)]
    keys = [k for e in entries for k in e["done"]]
    assert len(keys) == len(set(keys)) == spec.n_points  # every point recorded exactly once

    reference = tmp_path / "reference.parquet"
    with LocalExecutor(2) as pool:
        run_sweep(spec, reference, pool)
    killed, ref = pd.read_parquet(out), pd.read_parquet(reference)
    assert not killed.duplicated(["point_key", "rank"]).any()
    pd.testing.assert_frame_equal(killed, ref)
