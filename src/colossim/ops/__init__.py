"""Cluster operations: many jobs, node failures, repairs and rack deliveries over months.

    from colossim.ops import OpsConfig, load_ops_cluster, build_workload, simulate
    cluster = load_ops_cluster("colossus")             # pools with dated deliveries (colossim.cluster)
    config = OpsConfig(days=365, policy={"kind": "backfill"}, flagship={})
    result = simulate(cluster, build_workload(cluster, config), config)
    result.summary["utilisation"], result.series["busy_gpus"], result.jobs["queue_s"]

Pure core (no I/O): engine, pools, fit, synthetic, workload, policies, placement, spares, simulator,
results, flagship. I/O: tracefile (CSV), perfetto (trace JSON), plots (matplotlib), adapter (reads the
cluster scenarios shipped with colossim.cluster).
"""

from colossim.ops.adapter import load_ops_cluster, pools_from_cluster
from colossim.ops.config import (
    FailureConfig,
    FlagshipConfig,
    OpsConfig,
    RecoveryConfig,
    RepairConfig,
    SyntheticWorkloadConfig,
)
from colossim.ops.fit import PROFILE_NAMES, TraceProfile, WorkloadFit, fit_profile, get_profile, load_profiles
from colossim.ops.flagship import FlagshipPlan, plan_flagship
from colossim.ops.placement import FirstFitPlacement, PlacementConfig, TopologyPlacement
from colossim.ops.policies import BackfillConfig, FifoConfig, PolicyConfig, PriorityConfig
from colossim.ops.pools import Delivery, OpsCluster, PoolSpec, pool_from_capacity_series, ramp
from colossim.ops.results import STATUSES, OpsResult, Timeline
from colossim.ops.scenario import build_workload, flagship_plan, run
from colossim.ops.simulator import simulate
from colossim.ops.spares import NoSpares, ReservedSpares, SparesConfig
from colossim.ops.synthetic import synthetic_workload
from colossim.ops.tracefile import parse_trace_csv, read_trace_csv, trace_csv_text, write_trace_csv
from colossim.ops.workload import KINDS, OUTCOMES, JobKind, JobOutcome, Workload

__all__ = [
    "BackfillConfig",
    "Delivery",
    "FailureConfig",
    "FifoConfig",
    "FirstFitPlacement",
    "FlagshipConfig",
    "FlagshipPlan",
    "JobKind",
    "JobOutcome",
    "KINDS",
    "NoSpares",
    "OUTCOMES",
    "OpsCluster",
    "OpsConfig",
    "OpsResult",
    "PROFILE_NAMES",
    "PlacementConfig",
    "PolicyConfig",
    "PoolSpec",
    "PriorityConfig",
    "RecoveryConfig",
    "RepairConfig",
    "ReservedSpares",
    "STATUSES",
    "SparesConfig",
    "SyntheticWorkloadConfig",
    "Timeline",
    "TopologyPlacement",
    "TraceProfile",
    "Workload",
    "WorkloadFit",
    "build_workload",
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
