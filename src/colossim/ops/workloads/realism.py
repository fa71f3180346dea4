"""How close a simulated run comes to the real trace its jobs were fitted to: job size, run time and
queue wait (means and medians), with the relative residual of each. The sizes and run times check the
generator; the queue waits check the scheduler model (policy, quotas) against what the cluster's users
saw. Pure: a result and a profile in, rows out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from colossim.ops.exports.results import OpsResult
from colossim.ops.workloads.fit import get_profile


@dataclass(frozen=True)
class RealismRow:
    quantity: str
    trace: float
    simulated: float

    @property
    def residual(self) -> float | None:
        """(simulated - trace) / trace; None when the trace value is 0."""
        return None if self.trace == 0 else (self.simulated - self.trace) / self.trace


def realism(result: OpsResult, profile: str) -> list[RealismRow]:
    """Trace summary vs simulation for the jobs that started (queue waits) and the jobs submitted."""
    p = get_profile(profile)
    j = result.jobs
    flagship = np.zeros(len(j), bool)
    if result.job_ids is not None and "flagship" in result.job_ids:
        flagship[result.job_ids.index("flagship")] = True
    asked = ~flagship & (j.status != 6)  # submitted before the horizon
    started = asked & np.isfinite(j.first_start_s)
    rows = [
        RealismRow("gpus_mean", p.mean_gpus, float(j.gpus[asked].mean())),
        RealismRow("gpus_median", p.median_gpus, float(np.median(j.gpus[asked]))),
        RealismRow("run_s_mean", p.mean_run_s, float(j.duration_s[asked].mean())),
        RealismRow("run_s_median", p.median_run_s, float(np.median(j.duration_s[asked]))),
        RealismRow("queue_s_mean", p.mean_queue_s, float(j.queue_s[started].mean())),
        RealismRow("queue_s_median", p.median_queue_s, float(np.median(j.queue_s[started]))),
    ]
    return rows


def main(seeds: tuple[int, ...] = (1, 2)) -> None:
    """Print the realism table of docs/ops.md: Helios Venus and Earth at their traces' own job rates,
    one shared queue and virtual-cluster quotas, EASY backfill, 181 days."""
    from colossim.ops.config import OpsConfig
    from colossim.ops.scenario import build_workload, simulate
    from colossim.ops.workloads.helios import helios_cluster

    jobs = {"venus": 125_303, "earth": 427_148}  # the traces' GPU jobs (helios_cluster_summary.csv)
    for name, n in jobs.items():
        cluster = helios_cluster(name)
        for quotas in (None, {"helios": name}):
            for seed in seeds:
                policy = {"kind": "backfill"} | ({"quotas": quotas} if quotas else {})
                cfg = OpsConfig.model_validate({"days": 181, "seed": seed, "policy": policy, "workload": {
                    "profile": f"helios_{name}", "jobs": n, "scaling": "none"}})
                rows = realism(simulate(cluster, build_workload(cluster, cfg), cfg), f"helios_{name}")
                cells = ", ".join(f"{r.quantity} {r.simulated:,.4g} vs {r.trace:,.4g}"
                                  + ("" if r.residual is None else f" ({r.residual:+.0%})") for r in rows)
                print(f"{name} {'quotas' if quotas else 'shared'} seed {seed}: {cells}")
