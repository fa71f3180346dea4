"""Seeds on a real Ray cluster started as a separate process (`ray start --head` on 127.0.0.1), reached
with --address, with a worker SIGKILLed mid-run: no seed is lost, and the table is byte for byte the
one the local engine writes. The test stops the Ray processes it started, by their PIDs."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from colossim.ops.seeds import KILL_MARK_ENV

psutil = pytest.importorskip("psutil", reason="psutil comes with the [ray] extra")
pytest.importorskip("ray", reason="the [ray] extra is not installed")

ARGS = ["--scenario", "colossus", "--days", "60", "--jobs", "20000", "--seeds", "8", "--json"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _session_pids(temp_dir: str) -> list[int]:
    """The processes of the Ray instance whose session lives under temp_dir (and only those)."""
    pids = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        try:
            if any(temp_dir in part for part in p.info["cmdline"] or ()):
                pids.append(p.info["pid"])
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return pids


def _stop(pids: list[int]) -> None:
    procs = []
    for pid in pids:
        try:
            procs.append(psutil.Process(pid))
            procs[-1].terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(procs, timeout=20)
    for p in alive:
        p.kill()
    psutil.wait_procs(alive, timeout=20)


@pytest.fixture
def ray_head():
    """A Ray head started with `ray start` in its own short temp dir, 2 CPUs, no dashboard, offline."""
    temp_dir = tempfile.mkdtemp(prefix="rayops", dir="/tmp")
    marks = Path(temp_dir) / "marks"
    marks.mkdir()
    port = _free_port()
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", KILL_MARK_ENV: str(marks)}
    ray_bin = str(Path(sys.executable).with_name("ray"))
    subprocess.run([ray_bin, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}", "--num-cpus=2",
                    "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp_dir}"],
                   env=env, check=True, timeout=180, capture_output=True)
    try:
        yield f"127.0.0.1:{port}", marks, env
    finally:
        _stop(_session_pids(temp_dir))
        assert not _session_pids(temp_dir), "Ray processes left running"
        shutil.rmtree(temp_dir, ignore_errors=True)


def test_seeds_on_ray_survive_a_killed_worker_and_match_local(ray_head, tmp_path):
    address, marks, env = ray_head
    ray_out = tmp_path / "ray.parquet"
    proc = subprocess.Popen([sys.executable, "-m", "colossim.cli.main", "simulate", *ARGS, "--engine", "ray",
                             "--address", address, "--out", str(ray_out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.time() + 300
    killed = None
    while killed is None and time.time() < deadline and proc.poll() is None:
        for mark in marks.iterdir():
            killed = int(mark.name.split("-")[0])
            os.kill(killed, signal.SIGKILL)  # a Ray worker, in the middle of its chunk
            break
        time.sleep(0.05)
    stdout, stderr = proc.communicate(timeout=600)
    assert killed is not None, "no worker picked up a chunk"
    assert proc.returncode == 0, stderr.decode()
    assert stdout.decode().lstrip().startswith("{")  # --json stdout stays JSON
    assert sorted(pd.read_parquet(ray_out).seed) == list(range(1, 9))
    local_out = tmp_path / "local.parquet"
    local = subprocess.run([sys.executable, "-m", "colossim.cli.main", "simulate", *ARGS, "--engine", "local",
                            "--workers", "2", "--out", str(local_out)], capture_output=True, timeout=600)
    assert local.returncode == 0, local.stderr.decode()
    assert ray_out.read_bytes() == local_out.read_bytes()  # same seeds, same bytes, on both engines
