"""Time one simulated year of the full Colossus scenario: ~230,000 GPUs delivered in three phases (with
burn-in), node failures and repairs, 100,000 synthetic jobs fitted to the Acme Kalos trace plus the
~100k-GPU flagship training run, EASY backfill, topology-aware placement, 1 % hot spares.

Goal: under 10 s in all (workload generation + simulation) on a 2-core machine.
Run: .venv/bin/python benchmarks/bench_simulate.py [--policy fifo|priority|backfill] [--seed 1]
"""

from __future__ import annotations

import argparse
import time

GOAL_S = 10.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--policy", default="backfill", choices=["fifo", "priority", "backfill"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=100_000)
    args = parser.parse_args()

    t0 = time.perf_counter()
    from colossim.ops import OpsConfig, build_workload, load_ops_cluster, simulate

    cluster = load_ops_cluster("colossus")
    config = OpsConfig.model_validate({
        "days": 365, "seed": args.seed, "policy": {"kind": args.policy}, "flagship": {},
        "spares": {"kind": "reserved", "fraction": 0.01}, "workload": {"jobs": args.jobs},
    })
    t1 = time.perf_counter()
    work = build_workload(cluster, config)
    t2 = time.perf_counter()
    result = simulate(cluster, work, config)
    t3 = time.perf_counter()

    s = result.summary
    events = s["events"]
    print(f"colossus, {config.days:g} days, policy {args.policy}, seed {args.seed}: "
          f"{s['peak_capacity_gpus']:,} GPUs at peak, {len(work):,} jobs")
    print(f"  setup (imports, cluster) {t1 - t0:.2f} s; workload {t2 - t1:.2f} s; simulation {t3 - t2:.2f} s; "
          f"total {t3 - t0:.2f} s")
    print(f"  {events:,} events ({s['stale_events']:,} cancelled timers skipped): "
          f"{events / (t3 - t2):,.0f} events/s in the simulation")
    print(f"  failures {s['failures']:,} (hit jobs {s['failures_hit_jobs']:,}), repairs {s['repairs']:,}, "
          f"spare swaps {s['spare_swaps']:,}; utilisation {s['utilisation']:.3f}, goodput {s['goodput']:.3f}, "
          f"queue mean {s['queue_time_s_mean'] / 3600:.1f} h")
    f = s.get("flagship") or {}
    if f:
        print(f"  flagship: {f['status']}, {f['interruptions']:,} interruptions, goodput {f['goodput']:.3f} "
              f"(Daly {f['expected_goodput_daly']:.3f})")
    total = t3 - t0
    print(f"total {total:.2f} s, goal < {GOAL_S:.0f} s: {'OK' if total < GOAL_S else 'MISSED'}")


if __name__ == "__main__":
    main()
