"""Sweep machinery timings: per-task overhead and throughput of the serial, process-pool and Ray executors.

Run: .venv/bin/python benchmarks/bench_sweep.py [--workers N] [--no-ray]
Cases (each on a fresh output file, so every point runs):
  overhead: 400 one-point tasks of a no-op evaluator; wall time / tasks = the cost of one task end to end
            (submit, pickle, run, return, journal commit with fsync, progress), tasks/s = its inverse;
  journal:  Journal.commit alone for one group of one 2-point chunk (Parquet part + fsync + manifest line +
            fsync); running sweeps save a group of chunks every save_every_s (1 s), not every chunk;
  sleep:    10 ms of sleep per point, chunked by the default rule (>= 100 ms tasks): points/s against the
            ideal workers / 10 ms, i.e. the efficiency of the machinery alone, whatever the CPUs;
  work:     ~10 ms of numpy per point, same chunking: points/s and speed-up over the serial executor (on a
            shared or SMT machine this is bounded by the CPUs, not by the sweep; see `raw` below);
  raw:      the same numpy work in `workers` bare processes without colossim, as the CPU's own ceiling.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), os.environ.get("PYTHONPATH", "")) if p)
sys.path.insert(0, str(HERE))

OVERHEAD_TASKS, WORK_POINTS, WORK_MS = 400, 400, 10.0


def noop(point) -> list[dict]:
    return [{"tokens_per_s": float(point.gpus)}]


def sleep_work(point) -> list[dict]:
    time.sleep(WORK_MS / 1000.0)
    return [{"tokens_per_s": float(point.gpus)}]


def numpy_work(point) -> list[dict]:
    """Real vectorised numpy work (elementwise, like the plan search), `reps` passes over 20k values."""
    x = np.linspace(0.0, 1.0, 20_000) + point.gpus
    reps = int(point.opts.get("reps", 1))
    for _ in range(reps):
        x = np.sin(x) * 1.0001 + 0.5
    return [{"tokens_per_s": float(x.sum()), "reps": reps}]


def _spec(evaluator: str, n: int, **extra):
    from colossim.sweep.schema import SweepSpec

    return SweepSpec.model_validate({"evaluator": f"bench_{evaluator}", "models": ["m"],  # registered names
                                     "clusters": ["c"], "gpu_counts": list(range(1, n + 1)),
                                     "global_batch_sizes": [1], **extra})


def _run(spec, executor) -> tuple[float, object]:
    from colossim.sweep.runner import run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        summary = run_sweep(spec, Path(tmp) / "out.parquet", executor)
        return time.perf_counter() - t0, summary


def _reps_for(ms: float) -> int:
    from colossim.sweep.grid import SweepPoint

    p = SweepPoint("m", "c", 1, 1, "throughput", options=(("reps", 100),))
    numpy_work(p)
    t0 = time.perf_counter()
    numpy_work(p)
    return max(1, int(100 * ms / 1000.0 / (time.perf_counter() - t0)))


def _burn(reps: int) -> float:
    from colossim.sweep.grid import SweepPoint

    t0 = time.perf_counter()
    for g in range(1, 51):
        numpy_work(SweepPoint("m", "c", g, 1, "throughput", options=(("reps", reps),)))
    return time.perf_counter() - t0


def _raw_speedup(workers: int, reps: int) -> float:
    """Throughput of `workers` bare processes running numpy_work at once, relative to one process."""
    from concurrent.futures import ProcessPoolExecutor

    one = _burn(reps)
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_burn, [1] * workers))  # start the processes
        t0 = time.perf_counter()
        list(pool.map(_burn, [reps] * workers))
        return workers * one / (time.perf_counter() - t0)


def _journal_commit_ms() -> float:
    from colossim.sweep.grid import expand_grid
    from colossim.sweep.store import Journal
    from colossim.sweep.tasks import run_chunk

    points = expand_grid(_spec("noop", 200))
    with tempfile.TemporaryDirectory() as tmp, Journal(Path(tmp) / "j.parquet").open() as journal:
        results = [run_chunk(points[i:i + 2]) for i in range(0, len(points), 2)]
        t0 = time.perf_counter()
        for r in results:
            journal.commit([r])
        return (time.perf_counter() - t0) / len(results) * 1000.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()

    from colossim.sweep.executors import LocalExecutor, SerialExecutor
    from colossim.sweep.ray_engine import RayExecutor

    print(f"machine: {os.cpu_count()} CPUs, workers={args.workers}")
    print(f"journal commit: {_journal_commit_ms():.2f} ms per saved group (Parquet part + 2 fsyncs)")
    reps = _reps_for(WORK_MS)
    overhead = _spec("noop", OVERHEAD_TASKS, chunking={"points_per_chunk": 1}, save_every_s=1.0)
    work = _spec("numpy_work", WORK_POINTS, options={"reps": reps})
    sleep = _spec("sleep_work", WORK_POINTS)
    raw = _raw_speedup(args.workers, reps)
    print(f"raw numpy in {args.workers} bare processes: {raw:.2f}x one process (the CPUs' ceiling here)")

    engines = [("serial", SerialExecutor), ("local", lambda: LocalExecutor(args.workers))]
    if not args.no_ray:
        def ray_executor():
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            import ray

            if not ray.is_initialized():
                t0 = time.perf_counter()
                ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False,
                         configure_logging=False)
                print(f"ray.init: {time.perf_counter() - t0:.1f} s (once)")
            return RayExecutor(args.workers)
        engines.append(("ray", ray_executor))

    serial_rate = None
    for name, make in engines:
        executor = make()
        try:
            _run(_spec("noop", 4 * executor.workers, chunking={"points_per_chunk": 1}), executor)  # warm-up
            wall, _ = _run(overhead, executor)
            per_task_ms = wall / OVERHEAD_TASKS * 1000
            print(f"{name:6s} overhead: {OVERHEAD_TASKS} tasks in {wall:.2f} s = "
                  f"{OVERHEAD_TASKS / wall:,.0f} tasks/s, {per_task_ms:.2f} ms per task end to end")
            wall, s = _run(sleep, executor)
            ideal = executor.workers / (WORK_MS / 1000.0)
            print(f"{name:6s} sleep: {WORK_POINTS} points x {WORK_MS:.0f} ms in {wall:.2f} s = "
                  f"{WORK_POINTS / wall:,.0f} points/s, {s.chunks} tasks of {s.points_per_chunk} points, "
                  f"{WORK_POINTS / wall / ideal:.0%} of ideal ({ideal:,.0f} points/s)")
            wall, s = _run(work, executor)
            rate = WORK_POINTS / wall
            serial_rate = serial_rate or rate
            speedup = rate / serial_rate
            task_ms = s.task_compute_s / s.chunks * 1000
            print(f"{name:6s} work: {WORK_POINTS} points x ~{WORK_MS:.0f} ms in {wall:.2f} s = {rate:,.0f} "
                  f"points/s, {s.chunks} tasks of {s.points_per_chunk} points (~{task_ms:.0f} ms), "
                  f"{speedup:.2f}x serial on {executor.workers} workers "
                  f"({speedup / executor.workers:.0%} efficiency)")
        finally:
            executor.close()
    if not args.no_ray:
        import ray

        ray.shutdown()


if __name__ == "__main__":
    main()
