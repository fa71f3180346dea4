"""The Ray executor on a real local Ray instance (2 CPUs, no dashboard, works offline)."""

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pandas as pd
import pytest
import yaml
from sweep_helpers import TOY, spec

from colossim.inputs import InputError
from colossim.sweep.chunking import make_chunks
from colossim.sweep.executors import SerialExecutor, map_chunks
from colossim.sweep.grid import expand_grid
from colossim.sweep.ray_engine import RayExecutor, check_ray_address
from colossim.sweep.runner import run_sweep
from colossim.sweep.tasks import run_chunk

ray = pytest.importorskip("ray", reason="the [ray] extra is not installed")


@pytest.fixture(scope="module")
def ray_session():
    """The module's one Ray session, started the way `--engine ray --workers 2` starts one:
    ray.init(num_cpus=2, include_dashboard=False), offline; the executor that started it stops it."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # offline: no usage report
    assert not ray.is_initialized()
    owner = RayExecutor(workers=2)
    try:
        assert ray.is_initialized() and ray.cluster_resources()["CPU"] == 2
        yield ray
    finally:
        owner.close()
        assert not ray.is_initialized()


def test_map_chunks_on_ray_matches_serial(ray_session):
    chunks = make_chunks(expand_grid(spec()), 2)
    executor = RayExecutor()
    assert executor.workers == 2  # one per CPU of the session
    remote = list(map_chunks(run_chunk, chunks, executor))
    local = list(map_chunks(run_chunk, chunks, SerialExecutor()))
    assert sorted(k for r in remote for k in r.done) == sorted(p.key for c in chunks for p in c)
    assert sorted((r["point_key"], r["rank"], r["tokens_per_s"]) for x in remote for r in x.rows) == \
        sorted((r["point_key"], r["rank"], r["tokens_per_s"]) for x in local for r in x.rows)
    assert all(r.worker.split(":")[1] != str(os.getpid()) for r in remote)  # ran in Ray workers
    executor.close()
    assert ray_session.is_initialized()  # an executor never stops a session it did not start


def test_sweep_on_ray_writes_the_same_table_as_serial(ray_session, tmp_path):
    s = spec(models=["tiny", "small", "large"], chunking={"points_per_chunk": 3})
    ray_summary = run_sweep(s, tmp_path / "ray.parquet", RayExecutor(max_in_flight=2))
    run_sweep(s, tmp_path / "serial.parquet", SerialExecutor())
    assert ray_summary.chunks == -(-s.n_points // 3) and ray_summary.workers == 2
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "ray.parquet"),
                                  pd.read_parquet(tmp_path / "serial.parquet"))


def test_ray_bad_request_is_reported_cleanly(ray_session, tmp_path):
    from colossim.inputs import InputError

    with pytest.raises(InputError, match="unknown model 'gpt9'"):
        run_sweep(spec(models=["gpt9"], chunking={"points_per_chunk": 2}), tmp_path / "r.parquet",
                  RayExecutor())


def test_command_line_engine_ray_uses_the_session(ray_session, tmp_path):
    from typer.testing import CliRunner

    from colossim.cli.main import app

    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(yaml.safe_dump({"evaluator": TOY, "models": ["tiny", "large"], "clusters": ["fast"],
                                     "gpu_counts": [8, 16, 64], "global_batch_sizes": [256], "top_k": 2}))
    runner = CliRunner()
    res = runner.invoke(app, ["sweep", str(sweep), "--engine", "ray", "--no-progress", "--out",
                              str(tmp_path / "ray.parquet")])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["workers"] == 2
    assert runner.invoke(app, ["sweep", str(sweep), "--engine", "serial", "--no-progress"]).exit_code == 0
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "ray.parquet"),
                                  pd.read_parquet(tmp_path / "sweep.parquet"))
    assert ray_session.is_initialized()


def _sweep_file(tmp_path, **over):
    data = {"evaluator": TOY, "models": ["tiny", "small"], "clusters": ["fast", "slow"], "gpu_counts": [8, 16, 32],
            "global_batch_sizes": [256], "top_k": 2, "options": {"samples": 2000},
            "chunking": {"points_per_chunk": 2}, **over}
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_an_address_where_nothing_answers_fails_within_seconds(tmp_path):
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "colossim.sweep", str(_sweep_file(tmp_path)), "--engine", "ray",
                           "--address", "127.0.0.1:1", "--no-progress"], capture_output=True, text=True, timeout=120)
    assert time.monotonic() - started < 30
    assert done.returncode == 2 and "--address: no Ray cluster answers at 127.0.0.1:1" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_a_service_that_is_not_ray_is_refused():
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def answer():
        conn, _ = server.accept()
        with conn:
            conn.recv(64)
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    try:
        with pytest.raises(InputError, match=f"127.0.0.1:{port} is not a Ray cluster"):
            check_ray_address(f"127.0.0.1:{port}")
    finally:
        thread.join(timeout=10)
        server.close()


def test_a_malformed_address_is_refused():
    with pytest.raises(InputError, match="is not host:port"):
        check_ray_address("ray://head-without-port")


def test_a_running_cluster_passes_the_probe(ray_session):
    check_ray_address(ray_session.get_runtime_context().gcs_address)  # no error: a real Ray GCS answers


def test_ray_retries_a_chunk_whose_worker_was_killed(ray_session, tmp_path):
    marker = tmp_path / "died"
    s = spec(evaluator="dies_once", options={"samples": 2000, "marker": str(marker), "die_at": 16})
    chunks = make_chunks(expand_grid(s), 2)
    remote = list(map_chunks(run_chunk, chunks, RayExecutor()))
    assert marker.exists()  # a worker did die
    local = list(map_chunks(run_chunk, chunks, SerialExecutor()))
    assert sorted(k for r in remote for k in r.done) == sorted(p.key for c in chunks for p in c)
    assert sorted((r["point_key"], r["rank"], r["tokens_per_s"]) for x in remote for r in x.rows) == \
        sorted((r["point_key"], r["rank"], r["tokens_per_s"]) for x in local for r in x.rows)


def test_stdout_stays_json_when_a_ray_worker_dies(tmp_path):
    """The command starts and stops its own Ray; Ray's notice of the dead worker goes to stderr."""
    marker = tmp_path / "died"
    sweep = _sweep_file(tmp_path, evaluator="dies_once",
                        options={"samples": 2000, "marker": str(marker), "die_at": 16})
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    done = subprocess.run([sys.executable, "-m", "colossim.sweep", str(sweep), "--engine", "ray", "--workers", "2",
                           "--no-progress", "--out", str(tmp_path / "r.parquet")],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert marker.exists()
    summary = json.loads(done.stdout)  # nothing else on stdout
    assert summary["points_run"] == summary["points_total"] == 12
