"""Cluster operations: many jobs, node failures, repairs, rack deliveries and serving over months.

    from colossim.ops import OpsConfig, load_ops_cluster, build_workload, simulate
    cluster = load_ops_cluster("colossus")             # pools with dated deliveries (colossim.cluster)
    config = OpsConfig(days=365, policy={"kind": "backfill"}, flagship={})
    result = simulate(cluster, build_workload(cluster, config), config)
    result.summary.utilisation, result.series.busy_gpus, result.jobs.to_frame()

Three rooms: workloads (generators fitted to real traces, the trace CSV reader, fits), sim (the
compiled event engine: pool state, jobs table and GPU-time ledger, policies, flagship, work budget)
and exports (typed results, Perfetto trace, plots); seeds runs many seeds on an executor and reports
bands. The core is pure; tracefile, perfetto, plots and seeds do I/O when asked.
"""

from colossim.ops.adapter import load_ops_cluster, pools_from_cluster
from colossim.ops.config import (
    FailureConfig,
    FlagshipConfig,
    OpsConfig,
    RecoveryConfig,
    RepairConfig,
    ServingConfig,
    SyntheticWorkloadConfig,
)
from colossim.ops.exports.results import (
    STATUSES,
    FlagshipOutcome,
    JobsTable,
    OpsResult,
    OpsSummary,
    Timeline,
    TimeSeries,
)
from colossim.ops.flagship import FlagshipPlan, plan_flagship
from colossim.ops.placement import FirstFitPlacement, PlacementConfig, TopologyPlacement
from colossim.ops.pools import Delivery, OpsCluster, PoolSpec, pool_from_capacity_series, ramp
from colossim.ops.scenario import build_workload, check_run, flagship_plan, run, simulate
from colossim.ops.sim.budget import WorkEstimate, WorkTooLarge, estimate_work
from colossim.ops.sim.policies import BackfillConfig, FifoConfig, PolicyConfig, PriorityConfig, QuotaConfig
from colossim.ops.spares import NoSpares, ReservedSpares, SparesConfig
from colossim.ops.workloads.fit import PROFILE_NAMES, TraceProfile, WorkloadFit, fit_profile, get_profile, load_profiles
from colossim.ops.workloads.synthetic import synthetic_workload
from colossim.ops.workloads.tracefile import parse_trace_csv, read_trace_csv, trace_csv_text, write_trace_csv
from colossim.ops.workloads.workload import KINDS, OUTCOMES, JobKind, JobOutcome, Workload

__all__ = [
    "KINDS",
    "OUTCOMES",
    "PROFILE_NAMES",
    "STATUSES",
    "BackfillConfig",
    "Delivery",
    "FailureConfig",
    "FifoConfig",
    "FirstFitPlacement",
    "FlagshipConfig",
    "FlagshipOutcome",
    "FlagshipPlan",
    "JobKind",
    "JobOutcome",
    "JobsTable",
    "NoSpares",
    "OpsCluster",
    "OpsConfig",
    "OpsResult",
    "OpsSummary",
    "PlacementConfig",
    "PolicyConfig",
    "PoolSpec",
    "PriorityConfig",
    "QuotaConfig",
    "RecoveryConfig",
    "RepairConfig",
    "ReservedSpares",
    "ServingConfig",
    "SparesConfig",
    "SyntheticWorkloadConfig",
    "TimeSeries",
    "Timeline",
    "TopologyPlacement",
    "TraceProfile",
    "WorkEstimate",
    "WorkTooLarge",
    "Workload",
    "WorkloadFit",
    "build_workload",
    "check_run",
    "estimate_work",
    "fit_profile",
    "flagship_plan",
    "get_profile",
    "load_ops_cluster",
    "load_profiles",
    "parse_trace_csv",
    "plan_flagship",
    "pool_from_capacity_series",
    "pools_from_cluster",
    "ramp",
    "read_trace_csv",
    "run",
    "simulate",
    "synthetic_workload",
    "trace_csv_text",
    "write_trace_csv",
]
