"""Put a run together: the workload (synthetic or a trace, plus the flagship) for a cluster and config,
the work estimate, the simulation and its typed results.

    cluster = load_ops_cluster("colossus")
    config = OpsConfig(days=365, flagship={})
    result = simulate(cluster, build_workload(cluster, config), config)   # or run(cluster, config)
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from colossim.ops.config import OpsConfig
from colossim.ops.exports.build import build_result
from colossim.ops.exports.results import OpsResult
from colossim.ops.flagship import FlagshipPlan, flagship_pool, flagship_workload, plan_flagship
from colossim.ops.pools import OpsCluster
from colossim.ops.sim.budget import WorkEstimate, check_work, estimate_work
from colossim.ops.sim.engine import execute, spawn_streams
from colossim.ops.sim.resolve import run_reliability
from colossim.ops.workloads.synthetic import synthetic_workload
from colossim.ops.workloads.workload import Workload


def flagship_plan(config: OpsConfig, cluster: OpsCluster) -> FlagshipPlan | None:
    """The flagship's checkpoint plan (colossim.reliability) for the failure model of its pool."""
    if config.flagship is None:
        return None
    pool = flagship_pool(config.flagship, cluster)
    return plan_flagship(config.flagship, cluster, run_reliability(config).pool_model(pool))


def check_run(cluster: OpsCluster, config: OpsConfig, n_jobs: int | None = None) -> WorkEstimate:
    """Refuse a run whose estimated events or memory are over the limits (before anything is drawn)."""
    jobs = config.workload.jobs + (config.flagship is not None) if n_jobs is None else n_jobs
    return check_work(estimate_work(cluster, config, jobs))


def _with_groups(jobs: Workload, config: OpsConfig, cluster: OpsCluster) -> Workload:
    """Jobs without a group, in a run with quotas, join one of the groups whose quota holds them (at the
    cluster's peak GPUs), with probability proportional to the groups' shares: demand follows the quota,
    and a big job belongs to a group big enough to run it (a job bigger than every quota has none)."""
    quotas = config.policy.quotas
    if quotas is None or jobs.group is not None or len(jobs) == 0:
        return jobs
    shares = quotas.shares()
    names = sorted(shares, key=lambda g: (shares[g], g))  # smallest quota first
    w = np.array([shares[g] for g in names])
    cum = np.concatenate([[0.0], np.cumsum(w)])
    first = np.searchsorted(w * cluster.max_gpus, jobs.gpus, side="left")  # first group that holds the job
    u = spawn_streams(config.seed)["groups"].random(len(jobs))
    fits = first < len(names)
    pick = np.full(len(jobs), -1, np.int64)
    lo = cum[np.minimum(first, len(names))]
    pick[fits] = np.searchsorted(cum, lo[fits] + u[fits] * (cum[-1] - lo[fits]), side="right") - 1
    return jobs.with_groups(np.where(fits, np.minimum(pick, len(names) - 1), -1), tuple(names))


def build_workload(cluster: OpsCluster, config: OpsConfig, trace: Workload | None = None) -> Workload:
    """The jobs of a run: `trace` if given, else the synthetic generator (stream 'workload' of
    SeedSequence(config.seed)); quota groups when the policy has quotas; plus the flagship if configured."""
    if trace is not None:
        jobs = trace
    else:
        check_run(cluster, config)
        if config.workload.jobs > 0:
            rng = spawn_streams(config.seed)["workload"]
            jobs = synthetic_workload(config.workload, cluster, config.horizon_s, rng)
        else:
            jobs = Workload.build(np.zeros(0), np.zeros(0, np.int64), np.zeros(0), source="empty")
    jobs = _with_groups(jobs, config, cluster)
    plan = flagship_plan(config, cluster)
    if plan is not None:
        flag = flagship_workload(config.flagship, plan)
        jobs = flag if len(jobs) == 0 else jobs.merge(flag)
    return jobs


def simulate(cluster: OpsCluster, workload: Workload, config: OpsConfig | None = None) -> OpsResult:
    """Simulate `workload` on `cluster` for config.days (pure: the same inputs and seed give the same result)."""
    config = config or OpsConfig()
    estimate = check_run(cluster, config, len(workload))
    result = build_result(execute(cluster, workload, config, estimate.event_budget), cluster, workload, config)
    return replace(result, summary=replace(result.summary, notes=cluster.notes))


def run(cluster: OpsCluster, config: OpsConfig | None = None, trace: Workload | None = None) -> OpsResult:
    """Build the workload and simulate it (the one-call entry point)."""
    config = config or OpsConfig()
    return simulate(cluster, build_workload(cluster, config, trace), config)
