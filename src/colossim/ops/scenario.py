"""Put a run together: the workload (synthetic or a trace, plus the flagship) for a cluster and config."""

from __future__ import annotations

import numpy as np

from colossim.ops import defaults
from colossim.ops.config import OpsConfig
from colossim.ops.engine import spawn_streams
from colossim.ops.flagship import FlagshipPlan, flagship_pool, flagship_workload, plan_flagship
from colossim.ops.pools import OpsCluster
from colossim.ops.results import OpsResult
from colossim.ops.simulator import simulate
from colossim.ops.synthetic import synthetic_workload
from colossim.ops.workload import Workload


def pool_failure_rate_per_node_day(config: OpsConfig, cluster: OpsCluster, pool_name: str) -> float:
    """The failure rate the simulator will use for one pool (per node of that pool, per day)."""
    spec = next(p for p in cluster.pools if p.name == pool_name)
    if not config.failures.enabled:
        return 0.0
    if spec.failures_per_node_day is not None:
        return spec.failures_per_node_day
    ref = config.failures.failures_per_1000_node_days
    if ref is None:
        ref = defaults.failures_per_1000_node_days(config.failures.preset).value
    return ref / 1000.0 * spec.gpus_per_node / defaults.REFERENCE_GPUS_PER_NODE


def flagship_plan(config: OpsConfig, cluster: OpsCluster) -> FlagshipPlan | None:
    if config.flagship is None:
        return None
    pool = flagship_pool(config.flagship, cluster)
    return plan_flagship(config.flagship, cluster, pool_failure_rate_per_node_day(config, cluster, pool.name))


def build_workload(cluster: OpsCluster, config: OpsConfig, trace: Workload | None = None) -> Workload:
    """The jobs of a run: `trace` if given, else the synthetic generator; plus the flagship if configured.
    Synthetic draws use the 'workload' stream of SeedSequence(config.seed)."""
    if trace is not None:
        jobs = trace
    elif config.workload.jobs > 0:
        jobs = synthetic_workload(
            config.workload, cluster, config.horizon_s, spawn_streams(config.seed)["workload"]
        )
    else:
        jobs = Workload.build(np.zeros(0), np.zeros(0, np.int64), np.zeros(0), source="empty")
    plan = flagship_plan(config, cluster)
    if plan is not None:
        flag = flagship_workload(config.flagship, plan)
        jobs = flag if len(jobs) == 0 else jobs.merge(flag)
    return jobs


def run(cluster: OpsCluster, config: OpsConfig | None = None, trace: Workload | None = None) -> OpsResult:
    """Build the workload and simulate it (the one-call entry point)."""
    config = config or OpsConfig()
    return simulate(cluster, build_workload(cluster, config, trace), config)
