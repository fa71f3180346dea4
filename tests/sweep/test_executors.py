"""map_chunks over the serial and process-pool executors: every result once, in completion order."""

import json
import os
import subprocess
import sys
import time

import pytest
from sweep_helpers import spec

from colossim.inputs import InputError
from colossim.sweep.chunking import make_chunks
from colossim.sweep.executors import (
    MAX_RETRIES,
    THREAD_VARS,
    LocalExecutor,
    SerialExecutor,
    WorkerLost,
    make_executor,
    map_chunks,
)
from colossim.sweep.grid import expand_grid
from colossim.sweep.ray_engine import import_ray
from colossim.sweep.tasks import run_chunk


def _rows(results):
    return sorted((r["point_key"], r["rank"], r["tokens_per_s"]) for x in results for r in x.rows)


def _keys(results):
    return sorted(k for r in results for k in r.done)


def test_local_pool_and_serial_give_the_same_results():
    chunks = make_chunks(expand_grid(spec()), 3)
    serial = list(map_chunks(run_chunk, chunks, SerialExecutor()))
    with LocalExecutor(2) as pool:
        local = list(map_chunks(run_chunk, chunks, pool))
    assert _keys(local) == _keys(serial) == sorted(p.key for c in chunks for p in c)
    assert _rows(local) == _rows(serial)
    assert len({r.worker for r in local}) >= 1 and all(r.worker != serial[0].worker for r in local)


def test_results_come_back_as_they_complete():
    slow = expand_grid(spec(evaluator="sleepy", models=["a"], clusters=["x"], gpu_counts=[1],
                            options={"work_ms": 600}))
    fast = expand_grid(spec(evaluator="sleepy", models=["b"], clusters=["x"], gpu_counts=[1],
                            options={"work_ms": 1}))
    warm = expand_grid(spec(evaluator="sleepy", models=["c"], clusters=["x"], gpu_counts=[1],
                            options={"work_ms": 300}))
    with LocalExecutor(2) as pool:
        list(map_chunks(run_chunk, [warm, warm], pool))  # start (and import in) both workers first
        order = [next(iter(r.done)) for r in map_chunks(run_chunk, [slow, fast], pool)]
    assert order == [fast[0].key, slow[0].key]


def test_in_flight_work_is_bounded():
    submitted = []

    def chunks():
        for i in range(50):
            submitted.append(i)
            yield [expand_grid(spec(evaluator="noop", models=[f"m{i}"]))[0]]

    with LocalExecutor(2, max_in_flight=3) as pool:
        it = map_chunks(run_chunk, chunks(), pool)
        next(it)
        assert len(submitted) <= 4  # three in flight plus the one submitted when the first finished
        assert len(list(it)) == 49


def test_pool_runs_chunks_concurrently():
    s = spec(evaluator="sleepy", models=["a", "b"], clusters=["x"], gpu_counts=[1, 2],
             options={"work_ms": 150})
    chunks = make_chunks(expand_grid(s), 1)
    with LocalExecutor(2) as pool:
        list(map_chunks(run_chunk, chunks[:2], pool))  # start both workers
        start = time.perf_counter()
        list(map_chunks(run_chunk, chunks, pool))
        elapsed = time.perf_counter() - start
    assert elapsed < 4 * 0.150 * 0.9  # 4 tasks of 150 ms (wall) on 2 workers: ~0.3 s; one at a time: 0.6 s


def test_address_without_ray_engine_is_a_clean_error():
    with pytest.raises(InputError, match="--address is for --engine ray"):
        make_executor("local", address="auto")


def test_missing_ray_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(InputError, match=r"colossim\[ray\]"):
        import_ray()


def test_pool_workers_get_a_share_of_native_threads_and_the_env_is_restored():
    # A fresh process: the fork server (whose environment workers inherit) starts once per process.
    code = """
import os, json
from colossim.sweep.executors import THREAD_VARS, LocalExecutor, map_chunks
from colossim.sweep.grid import SweepPoint
from colossim.sweep.tasks import run_chunk
if __name__ == "__main__":
    point = SweepPoint("m", "c", 1, 1, "throughput", evaluator="worker_env")
    with LocalExecutor(2) as pool:
        [result] = map_chunks(run_chunk, [[point]], pool)
    print(json.dumps({**result.rows[0], "after": os.environ.get("OPENBLAS_NUM_THREADS")}))
"""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    env["OMP_NUM_THREADS"] = "3"  # a user's own setting wins
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["openblas"] == str(max(1, (os.cpu_count() or 1) // 2)) and seen["omp"] == "3"
    assert seen["after"] is None


def test_a_killed_worker_s_chunk_is_retried_and_the_results_are_exact(tmp_path):
    marker = tmp_path / "died"
    s = spec(evaluator="dies_once", options={"samples": 2000, "marker": str(marker), "die_at": 16})
    chunks = make_chunks(expand_grid(s), 2)
    with LocalExecutor(2) as pool:
        local = list(map_chunks(run_chunk, chunks, pool))
        assert pool.restarts == 1  # one worker was killed (kill -9 of itself), one fresh pool
    assert marker.exists()
    serial = list(map_chunks(run_chunk, chunks, SerialExecutor()))  # the marker exists: nothing dies now
    assert _keys(local) == _keys(serial) == sorted(p.key for c in chunks for p in c)  # each chunk once
    assert _rows(local) == _rows(serial)


def test_a_chunk_that_always_kills_its_worker_stops_after_the_retries():
    chunks = make_chunks(expand_grid(spec(evaluator="always_dies", models=["tiny"], clusters=["fast"])), 3)
    with LocalExecutor(2) as pool:
        with pytest.raises(WorkerLost) as info:
            list(map_chunks(run_chunk, chunks, pool))
        assert pool.restarts == MAX_RETRIES  # a pool per retry; the last attempt stops the sweep
    assert info.value.attempts == MAX_RETRIES + 1 and info.value.chunk in chunks

