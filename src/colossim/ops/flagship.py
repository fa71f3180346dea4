"""The flagship training run: one big gang job with its own checkpoint/restart behaviour, and the closed
forms its simulated interruptions and goodput are checked against (from colossim.reliability).

Model (the same as Daly's): compute proceeds in cycles of tau seconds of compute plus a blocking
checkpoint write of delta; a failure of any of its N nodes loses the work since the last completed
checkpoint and costs a restart of R (which can itself be interrupted). Failures are exponential with
job MTTF M = 1 / (N r) (series system, reliability.md sec. 3).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from colossim.ops.config import FlagshipConfig
from colossim.ops.pools import OpsCluster, PoolSpec
from colossim.ops.workload import KINDS, Workload
from colossim.reliability import daly_interval_s, daly_wall_time_s, ettr_daly, ettr_meta, young_interval_s

DAY_S = 86_400.0


@dataclass(frozen=True)
class FlagshipPlan:
    gpus: int
    nodes: int
    pool: str
    compute_s: float
    checkpoint_interval_s: float
    checkpoint_write_s: float
    restart_s: float
    mttf_s: float  # 1 / (nodes x failure rate per node)

    @property
    def failure_free(self) -> bool:
        return not np.isfinite(self.mttf_s)

    @property
    def expected_wall_s(self) -> float:
        """Daly: T_w = M e^(R/M) (e^((tau+delta)/M) - 1) T_s / tau (no failures: T_s (1 + delta/tau))."""
        if self.failure_free:
            return self.compute_s * (1.0 + self.checkpoint_write_s / self.checkpoint_interval_s)
        return float(
            daly_wall_time_s(
                self.compute_s,
                self.checkpoint_interval_s,
                self.checkpoint_write_s,
                self.restart_s,
                self.mttf_s,
            )
        )

    @property
    def expected_goodput_daly(self) -> float:
        if self.failure_free:
            return self.compute_s / self.expected_wall_s
        return float(
            ettr_daly(self.checkpoint_interval_s, self.checkpoint_write_s, self.restart_s, self.mttf_s)
        )

    @property
    def expected_goodput_meta(self) -> float:
        """Kokolis et al. first order: (1 - N r (u0 + dt/2)) / (1 + w/dt)."""
        if self.failure_free:
            return self.compute_s / self.expected_wall_s
        return float(
            ettr_meta(self.checkpoint_interval_s, self.checkpoint_write_s, self.restart_s, self.mttf_s)
        )

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


def plan_flagship(cfg: FlagshipConfig, cluster: OpsCluster, failures_per_node_day: float) -> FlagshipPlan:
    """Resolve the checkpoint interval ('young' / 'daly' from the job's MTTF) for the flagship.
    `failures_per_node_day` is the rate for the chosen pool's node size."""
    pool = flagship_pool(cfg, cluster)
    nodes = int(pool.nodes_for(np.array([cfg.gpus]))[0])
    mttf_s = DAY_S / (nodes * failures_per_node_day) if failures_per_node_day > 0 else float("inf")
    if cfg.checkpoint_interval == "young":
        tau = (
            float(young_interval_s(cfg.checkpoint_write_s, mttf_s))
            if np.isfinite(mttf_s)
            else cfg.ideal_days * DAY_S
        )
    elif cfg.checkpoint_interval == "daly":
        tau = (
            float(daly_interval_s(cfg.checkpoint_write_s, mttf_s))
            if np.isfinite(mttf_s)
            else cfg.ideal_days * DAY_S
        )
    else:
        tau = float(cfg.checkpoint_interval)
    if cfg.checkpoint_write_s == 0 and cfg.checkpoint_interval in ("young", "daly"):
        raise ValueError(
            "the Young/Daly interval needs checkpoint_write_s > 0; give checkpoint_interval in seconds"
        )
    return FlagshipPlan(
        cfg.gpus, nodes, pool.name, cfg.ideal_days * DAY_S, tau, cfg.checkpoint_write_s, cfg.restart_s, mttf_s
    )


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
