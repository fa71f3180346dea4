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

pytest.importorskip("ray", reason="the [ray] extra is not installed")
if not Path("/proc/self/cmdline").exists():  # pragma: no cover
    pytest.skip("finds the Ray processes it started through /proc (Linux)", allow_module_level=True)

ARGS = ["--scenario", "colossus", "--days", "60", "--jobs", "20000", "--seeds", "8", "--json"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _session_pids(temp_dir: str) -> list[int]:
    """The processes of the Ray instance whose session lives under temp_dir (and only those)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if temp_dir.encode() in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][0] != "Z"
    except OSError:
        return False


def _stop(pids: list[int]) -> None:
    """SIGTERM, then SIGKILL after 20 s, by PID."""
    for sig, wait_s in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 20.0)):
        for pid in pids:
            if _alive(pid):
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        deadline = time.time() + wait_s
        while time.time() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.2)


@pytest.fixture
def ray_head():
    """A Ray head started with `ray start` in its own short temp dir, 2 CPUs, no dashboard, offline."""
    temp_dir = tempfile.mkdtemp(prefix="rayops", dir="/tmp")
    marks = Path(temp_dir) / "marks"
    marks.mkdir()
    port = _free_port()
    # Ray replaces 127.0.0.1 in an address with the machine's IP unless it runs as a local-only cluster
    # (RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0): the head below listens on the loopback address only
    # (RAY_AUTH_MODE=token: the head and the driver use the same token, ~/.ray/auth_token, made if missing)
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
           "RAY_AUTH_MODE": "token", KILL_MARK_ENV: str(marks)}
    ray_bin = str(Path(sys.executable).with_name("ray"))
    subprocess.run([ray_bin, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}", "--num-cpus=2",
                    "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp_dir}"],
                   env=env, check=True, timeout=180, capture_output=True)
    try:
        yield f"127.0.0.1:{port}", marks, env
    finally:
        _stop(_session_pids(temp_dir))
        assert not [p for p in _session_pids(temp_dir) if _alive(p)], "Ray processes left running"
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
    assert killed is not None, f"no worker picked up a chunk: {stderr.decode()[-3000:]}"
    assert proc.returncode == 0, stderr.decode()
    assert stdout.decode().lstrip().startswith("{")  # --json stdout stays JSON
    assert sorted(pd.read_parquet(ray_out).seed) == list(range(1, 9))
    local_out = tmp_path / "local.parquet"
    local = subprocess.run([sys.executable, "-m", "colossim.cli.main", "simulate", *ARGS, "--engine", "local",
                            "--workers", "2", "--out", str(local_out)], capture_output=True, timeout=600)
    assert local.returncode == 0, local.stderr.decode()
    assert ray_out.read_bytes() == local_out.read_bytes()  # same seeds, same bytes, on both engines
