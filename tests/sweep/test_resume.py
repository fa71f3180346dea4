"""Kill a running `colossim sweep` with SIGKILL, check by PID that no worker outlives it, edit one of its
input files, resume, and compare with an uninterrupted run on the edited inputs: nothing lost, nothing
duplicated, and exactly the points of the edited input run again."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml
from sweep_helpers import TOY

from colossim.sweep.digests import resolved_grid
from colossim.sweep.executors import LocalExecutor
from colossim.sweep.runner import run_sweep
from colossim.sweep.schema import load_sweep
from colossim.sweep.store import MANIFEST, journal_dir

# 4 models x 2 clusters (one a file) x 6 GPU counts = 48 points, 2 per task (~60 ms each: 120k x 8
# lognormal samples ~ 30 ms per point here) = 24 tasks, ~0.7 s of work on 2 workers; saved every 0.1 s.
GPU_COUNTS = [8, 16, 32, 64, 128, 256]


def _sweep(cluster_file: Path) -> dict:
    return {"evaluator": TOY, "models": ["tiny", "small", "large", "huge"], "clusters": ["fast", str(cluster_file)],
            "gpu_counts": GPU_COUNTS, "global_batch_sizes": [512], "top_k": 2, "options": {"samples": 120_000},
            "chunking": {"points_per_chunk": 2}, "save_every_s": 0.1}


def _cmd(sweep_file, out):
    # `python -m colossim.sweep` is `colossim sweep` without importing every other command (quicker start).
    return [sys.executable, "-m", "colossim.sweep", str(sweep_file), "--out", str(out), "--workers", "2",
            "--no-progress"]


def _manifest_lines(out):
    path = journal_dir(out) / MANIFEST
    return path.read_bytes().split(b"\n")[:-1] if path.exists() else []


def _processes() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, state, start time) of every process, from /proc."""
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[int(entry.name)] = (int(fields[1]), fields[0], fields[19])  # ppid, state, starttime
    return out


def _descendants(root: int) -> dict[int, str]:
    """pid -> start time of every live descendant of `root` (the start time tells a reused pid apart)."""
    procs, found, frontier = _processes(), {}, {root}
    while frontier:
        kids = {pid for pid, (ppid, state, _) in procs.items() if ppid in frontier and state != "Z"}
        kids -= set(found)
        found.update({pid: procs[pid][2] for pid in kids})
        frontier = kids
    return found


def _still_alive(pids: dict[int, str]) -> list[int]:
    procs = _processes()
    return [pid for pid, start in pids.items() if pid in procs and procs[pid][2] == start and procs[pid][1] != "Z"]


def test_killed_sweep_leaves_no_worker_and_resumes_only_what_is_missing_or_edited(tmp_path):
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("link_gb_s: 50\n")
    sweep_file = tmp_path / "sweep.yaml"
    sweep_file.write_text(yaml.safe_dump(_sweep(cluster)))
    spec = load_sweep(sweep_file)
    out = tmp_path / "killed.parquet"
    proc = subprocess.Popen(_cmd(sweep_file, out), start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    children: dict[int, str] = {}
    try:
        while len(_manifest_lines(out)) < 3 and proc.poll() is None and time.monotonic() < deadline:
            children.update(_descendants(proc.pid))
            time.sleep(0.005)
        children.update(_descendants(proc.pid))
        os.kill(proc.pid, signal.SIGKILL)  # the driver only: its workers must end by themselves
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
        assert len(children) >= 3, children  # the fork server and two pool workers at least
        alive = _still_alive(children)
        stop = time.monotonic() + 10
        while alive and time.monotonic() < stop:
            time.sleep(0.05)
            alive = _still_alive(children)
        assert not alive, f"processes of the killed sweep still alive: {alive}"
    finally:
        for pid in _still_alive(children):  # never leave a process behind, even when the test fails
            os.kill(pid, signal.SIGKILL)

    at_kill = [json.loads(line) for line in _manifest_lines(out)]
    done_at_kill = {k for e in at_kill for k in e["done"]}
    assert 0 < len(done_at_kill) < spec.n_points
    assert not out.exists()  # the final table is written only once every point is done

    cluster.write_text("link_gb_s: 90\n")  # edit one input between the runs
    edited = resolved_grid(spec)
    expected_run = [p for p in edited if p.key not in done_at_kill]
    assert {p.cluster for p in edited if p.key in done_at_kill} <= {"fast"}  # the edited cluster's are stale
    resumed = subprocess.run(_cmd(sweep_file, out), capture_output=True, text=True, timeout=60)
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["points_run"] == len(expected_run)  # every point of the edited cluster, plus the missing
    assert summary["points_done_before"] == spec.n_points - len(expected_run)
    assert sum(p.cluster == str(cluster) for p in expected_run) == len(GPU_COUNTS) * 4

    entries = [json.loads(line) for line in _manifest_lines(out)]
    keys = [k for e in entries for k in e["done"]]
    assert len(keys) == len(set(keys))  # no key recorded twice (stale keys of the old file stay unused)
    assert {p.key for p in edited} <= set(keys)

    reference = tmp_path / "reference.parquet"
    with LocalExecutor(2) as pool:
        run_sweep(spec, reference, pool)  # an uninterrupted run on the edited inputs
    killed, ref = pd.read_parquet(out), pd.read_parquet(reference)
    assert not killed.duplicated(["point_key", "rank"]).any()
    pd.testing.assert_frame_equal(killed, ref)
