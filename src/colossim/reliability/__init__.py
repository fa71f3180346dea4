"""Reliability core: failure rates as sourced data, checkpoint costs, optimal intervals, goodput
(closed forms), a vectorised Monte Carlo of training runs, and hot-spare sizing.

Pure functions over small typed values and numpy arrays; presets ship in presets.yaml.
"""

from colossim.reliability.checkpoint import (
    CheckpointCost,
    CheckpointMode,
    bytes_per_param,
    checkpoint_bytes,
    checkpoint_cost,
    checkpoint_cost_from_presets,
    restart_time_s,
    transfer_time_s,
)
from colossim.reliability.ettr import (
    EttrModel,
    TimeBreakdown,
    daly_segment_time_s,
    daly_wall_time_s,
    ettr_curve,
    ettr_daly,
    ettr_meta,
    expected_time_breakdown,
)
from colossim.reliability.interval import daly_interval_s, optimal_interval_s, young_interval_s
from colossim.reliability.montecarlo import MonteCarloResult, Percentiles, simulate_training
from colossim.reliability.plan import CheckpointPlan, IntervalRule, goodput_vs_interval, plan_checkpoints
from colossim.reliability.presets import (
    CheckpointPracticeName,
    CheckpointStateName,
    ComponentClass,
    FailurePresetName,
    HostLinkName,
    IntervalPolicy,
    RepairPresetName,
    RestartPresetName,
    StoragePresetName,
    load_presets,
)
from colossim.reliability.rates import (
    ComponentRate,
    FailureModel,
    custom_failure_model,
    failure_model,
    job_failure_rate_per_hour,
    job_mttf_h,
    per_node_hour,
)
from colossim.reliability.spares import (
    SparesPlan,
    nodes_under_repair_mean,
    poisson_tail,
    simulate_nodes_down,
    spares_needed,
)

__all__ = [
    "CheckpointCost",
    "CheckpointMode",
    "CheckpointPlan",
    "CheckpointPracticeName",
    "CheckpointStateName",
    "ComponentClass",
    "ComponentRate",
    "EttrModel",
    "FailureModel",
    "FailurePresetName",
    "HostLinkName",
    "IntervalPolicy",
    "IntervalRule",
    "MonteCarloResult",
    "Percentiles",
    "RepairPresetName",
    "RestartPresetName",
    "SparesPlan",
    "StoragePresetName",
    "TimeBreakdown",
    "expected_time_breakdown",
    "bytes_per_param",
    "checkpoint_bytes",
    "checkpoint_cost",
    "checkpoint_cost_from_presets",
    "custom_failure_model",
    "daly_interval_s",
    "daly_segment_time_s",
    "daly_wall_time_s",
    "ettr_curve",
    "ettr_daly",
    "ettr_meta",
    "failure_model",
    "goodput_vs_interval",
    "job_failure_rate_per_hour",
    "job_mttf_h",
    "load_presets",
    "nodes_under_repair_mean",
    "optimal_interval_s",
    "per_node_hour",
    "plan_checkpoints",
    "poisson_tail",
    "restart_time_s",
    "simulate_nodes_down",
    "simulate_training",
    "spares_needed",
    "transfer_time_s",
    "young_interval_s",
]
