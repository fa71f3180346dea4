"""The numbers a run uses that come from colossim.reliability: the failure model (rate and cause mix)
of each pool, repair and restart times, and each job's checkpoint interval (Young, Daly or the exact
optimum for its own MTTF). Nothing here re-derives a rate or an interval: it only picks the preset,
scales it to the pool's node size (a constant rate per GPU) and calls reliability's functions."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from colossim.ops import defaults
from colossim.ops.config import OpsConfig
from colossim.ops.pools import OpsCluster, PoolSpec
from colossim.reliability import (
    FailureModel,
    custom_failure_model,
    daly_interval_s,
    failure_model,
    job_mttf_h,
    optimal_interval_s,
    young_interval_s,
)

HOURS_PER_DAY = 24.0
_RULES = {"exact": optimal_interval_s, "daly": daly_interval_s, "young": young_interval_s}


@dataclass(frozen=True)
class RunReliability:
    fleet: FailureModel  # the preset (or the configured rate with the preset's cause mix)
    enabled: bool
    repair_share: float
    repair_auto_s: float
    repair_manual_s: float
    escalate_share: float
    restart_s: float  # ordinary jobs' restart after an interruption

    def pool_model(self, spec: PoolSpec) -> FailureModel | None:
        """The failure model of one node of `spec` (None: this pool does not fail)."""
        if not self.enabled:
            return None
        if spec.failures_per_node_day is not None:
            if spec.failures_per_node_day <= 0:
                return None
            per_node_hour = spec.failures_per_node_day / HOURS_PER_DAY
        else:  # the preset's rate is per its node size: the same rate per GPU for this pool's nodes
            per_node_hour = self.fleet.failures_per_gpu_hour * spec.gpus_per_node
        return replace(self.fleet, failures_per_node_hour=per_node_hour, gpus_per_node=spec.gpus_per_node)

    def rate_per_node_day(self, spec: PoolSpec) -> float:
        model = self.pool_model(spec)
        return 0.0 if model is None else model.failures_per_node_hour * HOURS_PER_DAY


def run_reliability(config: OpsConfig) -> RunReliability:
    f = config.failures
    fleet = (
        failure_model(f.preset)
        if f.failures_per_1000_node_days is None or f.failures_per_1000_node_days == 0
        else custom_failure_model(f.failures_per_1000_node_days, defaults.REFERENCE_GPUS_PER_NODE, f.preset,
                                  "OpsConfig failures.failures_per_1000_node_days")
    )
    enabled = f.enabled and f.failures_per_1000_node_days != 0
    auto_h, manual_h, esc = defaults.repair_hours()
    rc, rec = config.repair, config.recovery
    return RunReliability(
        fleet=fleet,
        enabled=enabled,
        repair_share=f.node_repair_share if f.node_repair_share is not None else fleet.repair_share,
        repair_auto_s=3600.0 * (rc.automated_h if rc.automated_h is not None else auto_h.value),
        repair_manual_s=3600.0 * (rc.manual_h if rc.manual_h is not None else manual_h.value),
        escalate_share=rc.escalate_share if rc.escalate_share is not None else esc.value,
        restart_s=rec.restart_s if rec.restart_s is not None else defaults.restart_s().value,
    )


def job_intervals_s(config: OpsConfig, nodes: np.ndarray, per_node_hour: np.ndarray) -> np.ndarray:
    """Ordinary jobs' checkpoint interval: a fixed number, or the configured reliability rule for each
    job's MTTF (1 / (nodes x per-node rate), reliability.job_mttf_h); inf where a job cannot fail."""
    rec = config.recovery
    n = len(nodes)
    if not isinstance(rec.checkpoint_interval, str):
        return np.full(n, float(rec.checkpoint_interval))
    tau = np.full(n, np.inf)
    ok = (per_node_hour > 0) & (nodes > 0)
    if ok.any():
        mttf_s = job_mttf_h(nodes[ok], per_node_hour[ok]) * 3600.0
        tau[ok] = _RULES[rec.checkpoint_interval](rec.checkpoint_write_s, mttf_s)
    return tau


def pool_of(cluster: OpsCluster, name: str) -> PoolSpec:
    return next(p for p in cluster.pools if p.name == name)
