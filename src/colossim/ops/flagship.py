"""The flagship training run: one big gang job with its own checkpoint/restart behaviour, planned with
colossim.reliability's checkpoint chain (the one `colossim train` uses), and the closed forms its
simulated interruptions and goodput are checked against.

Model (Daly's, as in reliability's Monte Carlo): compute proceeds in cycles of tau seconds of compute
plus a blocking checkpoint write of delta; a failure of any of its N nodes loses the work since the last
completed checkpoint and costs a restart of R (which can itself be interrupted). Failures are
exponential with job MTTF M = 1 / (N r) (series system, reliability.md sec. 3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from colossim.ops.config import FlagshipConfig
from colossim.ops.pools import OpsCluster, PoolSpec
from colossim.ops.workloads.workload import KINDS, Workload
from colossim.reliability import (
    CheckpointCost,
    CheckpointPlan,
    FailureModel,
    daly_wall_time_s,
    ettr_daly,
    ettr_meta,
    plan_checkpoints,
)

DAY_S = 86_400.0


@dataclass(frozen=True)
class FlagshipPlan:
    gpus: int  # asked for
    nodes: int
    pool: str
    compute_s: float
    checkpoint: CheckpointPlan | None  # None: the pool does not fail (no interruptions to plan for)
    checkpoint_write_s: float
    restart_s: float

    @property
    def failure_free(self) -> bool:
        return self.checkpoint is None

    @property
    def checkpoint_interval_s(self) -> float:
        return self.compute_s if self.checkpoint is None else self.checkpoint.interval_s

    @property
    def mttf_s(self) -> float:
        return math.inf if self.checkpoint is None else self.checkpoint.job_mttf_h * 3600.0

    @property
    def expected_wall_s(self) -> float:
        """Daly: T_w = M e^(R/M) (e^((tau+delta)/M) - 1) T_s / tau (no failures: T_s (1 + delta/tau))."""
        tau, d = self.checkpoint_interval_s, self.checkpoint_write_s
        if self.failure_free:
            return self.compute_s * (1.0 + d / tau)
        return float(daly_wall_time_s(self.compute_s, tau, d, self.restart_s, self.mttf_s))

    @property
    def expected_goodput_daly(self) -> float:
        return self.compute_s / self.expected_wall_s if self.failure_free else self.checkpoint.ettr_daly

    @property
    def expected_goodput_meta(self) -> float:
        """Kokolis et al. first order: (1 - N r (u0 + dt/2)) / (1 + w/dt)."""
        return self.compute_s / self.expected_wall_s if self.failure_free else self.checkpoint.ettr_meta

    @property
    def expected_interruptions(self) -> float:
        """N r T over the run's expected wall time."""
        return self.expected_wall_s / self.mttf_s


def flagship_pool(cfg: FlagshipConfig, cluster: OpsCluster) -> PoolSpec:
    """The pool the flagship is sized for: the largest pool of its GPU type."""
    pools = [p for p in cluster.pools if cfg.gpu_type is None or p.gpu == cfg.gpu_type]
    if not pools:
        types = ", ".join(sorted({p.gpu for p in cluster.pools}))
        raise ValueError(f"flagship gpu_type '{cfg.gpu_type}' matches no pool: use one of {types} or null")
    return max(pools, key=lambda p: p.max_nodes)


def _fixed_interval(gpus: int, model: FailureModel, tau: float, write_s: float, restart_s: float,
                    compute_s: float) -> CheckpointPlan:
    """reliability's checkpoint plan for an interval given in seconds (its closed forms at that tau)."""
    mttf_s = model.job_mttf_h(gpus) * 3600.0
    return CheckpointPlan(
        gpus=gpus, job_mttf_h=mttf_s / 3600.0, expected_failures_per_day=DAY_S / mttf_s, interval_s=tau,
        interval_rule="exact", blocking_s=write_s, restart_s=restart_s,
        ettr_daly=float(ettr_daly(tau, write_s, restart_s, mttf_s)),
        ettr_meta=float(ettr_meta(tau, write_s, restart_s, mttf_s)),
        wall_h=float(daly_wall_time_s(compute_s, tau, write_s, restart_s, mttf_s)) / 3600.0,
    )


def plan_flagship(cfg: FlagshipConfig, cluster: OpsCluster, model: FailureModel | None) -> FlagshipPlan:
    """The flagship's checkpoint plan for the failure model of its pool's nodes (None: no failures).
    Its MTTF counts the GPUs it is allocated (whole nodes), as the simulation does."""
    pool = flagship_pool(cfg, cluster)
    nodes = int(pool.nodes_for(np.array([cfg.gpus]))[0])
    compute_s = cfg.ideal_days * DAY_S
    plan = None
    if model is not None:
        allocated = nodes * pool.gpus_per_node
        if isinstance(cfg.checkpoint_interval, str):
            cost = CheckpointCost(mode="blocking", size_bytes=0.0, blocking_s=cfg.checkpoint_write_s,
                                  background_s=0.0, restart_s=cfg.restart_s)  # size: not needed here
            plan = plan_checkpoints(allocated, model, cost, cfg.checkpoint_interval, compute_h=compute_s / 3600.0)
        else:
            plan = _fixed_interval(allocated, model, float(cfg.checkpoint_interval), cfg.checkpoint_write_s,
                                   cfg.restart_s, compute_s)
    fixed = cfg.checkpoint_interval if not isinstance(cfg.checkpoint_interval, str) else None
    if plan is None and fixed is not None:  # failure-free with a given interval: keep it
        plan_tau = float(fixed)
        return _FailureFree(cfg.gpus, nodes, pool.name, compute_s, None, cfg.checkpoint_write_s, cfg.restart_s,
                            plan_tau)
    return FlagshipPlan(cfg.gpus, nodes, pool.name, compute_s, plan, cfg.checkpoint_write_s, cfg.restart_s)


@dataclass(frozen=True)
class _FailureFree(FlagshipPlan):
    """No failures, an interval given in seconds."""

    given_interval_s: float = math.inf

    @property
    def checkpoint_interval_s(self) -> float:
        return self.given_interval_s


def flagship_workload(cfg: FlagshipConfig, plan: FlagshipPlan) -> Workload:
    """The flagship as a one-job workload (kind pretrain) carrying its checkpoint/restart parameters."""
    types = () if cfg.gpu_type is None else (cfg.gpu_type,)
    return Workload.build(
        [cfg.submit_day * DAY_S],
        [cfg.gpus],
        [plan.compute_s],
        priority=[cfg.priority],
        kind=[KINDS.index("pretrain")],
        outcome=[0],
        gpu_type=[-1 if cfg.gpu_type is None else 0],
        gpu_types=types,
        checkpoint_interval_s=[plan.checkpoint_interval_s],
        checkpoint_write_s=[plan.checkpoint_write_s],
        restart_s=[plan.restart_s],
        job_id=["flagship"],
        source="flagship",
        meta={"flagship_plan": plan},
    )
