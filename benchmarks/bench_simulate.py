"""Speed of the operations simulator: a simulated year of Colossus 1 (230,024 GPUs in three phases, with
deliveries and burn-in) and of the whole 2026 Memphis campus (Colossus 1 and 2: 780,104 GPUs), with node
failures and repairs, synthetic jobs fitted to the Acme Kalos trace, EASY backfill and topology-aware
placement, each beside a minimal SimPy model of the same jobs run in the same process.

Each case runs in a fresh Python process so "whole process" counts everything a user waits for:
interpreter start, imports (numba loads the compiled kernel from its cache), the cluster, the workload,
the simulation and its results. "In the loop" is events / time inside the compiled event loop (a second
run in the same process, so the kernel is loaded). Goals (issue 13): >= 500k events/s in the loop; a
year of Colossus 1 < 1.5 s and of the campus (300,000 jobs) < 5 s whole process.

Run: .venv/bin/python benchmarks/bench_simulate.py [--case colossus|campus] [--jobs N] [--no-simpy]
(the first run after a change compiles the kernel, once; SimPy is the [bench] extra). Timings on a shared
2-core machine vary with its load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

CASES = {"colossus": (100_000, 1.5), "campus": (300_000, 5.0)}  # jobs, whole-process goal (s)
LOOP_GOAL = 500_000  # events/s


def _campus(start):
    from colossim.cluster import load_cluster
    from colossim.ops import OpsCluster, pools_from_cluster

    pools, pue = [], None
    for prefix, name in (("c1", "colossus"), ("c2", "colossus-2")):
        part = pools_from_cluster(load_cluster(name), start=start)
        pools += [p.__class__(**{**p.__dict__, "name": f"{prefix}-{p.name}"}) for p in part.pools]
        pue = part.pue
    return OpsCluster("memphis-2026", tuple(pools), start, pue=pue)


def child(case: str, jobs: int, simpy: bool) -> None:
    from datetime import date

    from colossim.ops import OpsConfig, build_workload, load_ops_cluster, simulate

    if case == "campus":
        cluster = _campus(date(2026, 7, 1))  # every phase of both sites in service from day 0
        flagship = {"gpus": 200_000, "gpu_type": "gb200_nvl72_gpu", "submit_day": 10, "ideal_days": 60}
    else:
        cluster = load_ops_cluster("colossus")
        flagship = {}
    config = OpsConfig.model_validate({
        "days": 365, "policy": {"kind": "backfill"}, "flagship": flagship,
        "spares": {"kind": "reserved", "fraction": 0.01}, "workload": {"jobs": jobs},
    })
    work = build_workload(cluster, config)
    result = simulate(cluster, work, config)
    whole_s = time.time() - float(os.environ["BENCH_T0"])
    from colossim.ops.scenario import check_run
    from colossim.ops.sim.engine import execute

    loop = execute(cluster, work, config, check_run(cluster, config, len(work)).event_budget)
    s = result.summary
    out = {"case": case, "gpus": s.peak_capacity_gpus, "jobs": len(work), "events": s.events,
           "whole_s": whole_s, "loop_s": loop.kernel_s, "utilisation": s.utilisation, "goodput": s.goodput,
           "failures": s.failures, "by_policy": {}}
    for kind in ("fifo", "priority"):  # the same jobs under the other policies, in the loop
        other = OpsConfig.model_validate({**config.model_dump(), "policy": {"kind": kind}})
        run = execute(cluster, work, other, check_run(cluster, other, len(work)).event_budget)
        out["by_policy"][kind] = int(run.core.cnt[0]) / run.kernel_s
    if simpy:
        try:
            from simpy_model import run_simpy
        except ImportError:
            out["simpy"] = None
        else:
            fifo = OpsConfig.model_validate({**config.model_dump(), "policy": {"kind": "fifo"},
                                             "placement": {"kind": "first_fit"}})
            t0 = time.perf_counter()
            ours = simulate(cluster, work, fifo)
            ours_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            stats = run_simpy(cluster, work, fifo)
            out["simpy"] = {"s": time.perf_counter() - t0, "events": stats["events"], "ours_fifo_s": ours_s,
                            "ours_fifo_events": ours.summary.events}
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=[*CASES, "all"], default="all")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--no-simpy", action="store_true")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.jobs, not args.no_simpy)
        return
    ok = True
    for case in (CASES if args.case == "all" else [args.case]):
        jobs, goal = CASES[case]
        jobs = args.jobs or jobs
        env = {**os.environ, "BENCH_T0": repr(time.time())}
        cmd = [sys.executable, __file__, "--child", case, "--jobs", str(jobs)]
        cmd += ["--no-simpy"] if args.no_simpy else []
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=Path(__file__).parent)
        if done.returncode:
            print(done.stdout, done.stderr, file=sys.stderr)
            raise SystemExit(done.returncode)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        rate = r["events"] / r["loop_s"]
        print(f"{case}: {r['gpus']:,} GPUs, {r['jobs']:,} jobs, 365 days, backfill: {r['events']:,} events; "
              f"utilisation {r['utilisation']:.3f}, goodput {r['goodput']:.3f}, {r['failures']:,} node failures")
        print(f"  whole process {r['whole_s']:.2f} s (goal < {goal:g} s: {'OK' if r['whole_s'] < goal else 'MISSED'})")
        print(f"  in the loop {r['loop_s']:.3f} s = {rate:,.0f} events/s (goal >= {LOOP_GOAL:,}: "
              f"{'OK' if rate >= LOOP_GOAL else 'MISSED'})")
        others = ", ".join(f"{k} {v:,.0f}" for k, v in r["by_policy"].items())
        print(f"  in the loop with the other policies (events/s): {others}")
        ok &= r["whole_s"] < goal and rate >= LOOP_GOAL
        sp = r.get("simpy")
        if sp is None and not args.no_simpy:
            print("  SimPy model: not run (pip install 'colossim[bench]')")
        elif sp:
            print(f"  same jobs, FIFO first-fit: colossim {sp['ours_fifo_s']:.2f} s "
                  f"({sp['ours_fifo_events']:,} events), "
                  f"SimPy model {sp['s']:.2f} s ({sp['events']:,} events): {sp['s'] / sp['ours_fifo_s']:.1f}x faster, "
                  f"{sp['events'] / sp['s']:,.0f} SimPy events/s")
    print("all goals met" if ok else "some goals missed")


if __name__ == "__main__":
    main()
