"""One call that a `train`/`compare` command needs: for a job of G GPUs, a failure model and a checkpoint
cost, choose the checkpoint interval and report MTTF and expected goodput (closed forms)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

from colossim.reliability.checkpoint import CheckpointCost
from colossim.reliability.ettr import daly_wall_time_s, ettr_daly, ettr_meta
from colossim.reliability.interval import daly_interval_s, optimal_interval_s, young_interval_s
from colossim.reliability.rates import FailureModel

IntervalRule = Literal["exact", "daly", "young", "practice"]
_RULES = {"exact": optimal_interval_s, "daly": daly_interval_s, "young": young_interval_s}
_MIN_WRITE_S = 1e-6  # the interval formulas need delta > 0; a zero-cost save is treated as 1 us


@dataclass(frozen=True)
class CheckpointPlan:
    gpus: float
    job_mttf_h: float
    expected_failures_per_day: float
    interval_s: float
    interval_rule: IntervalRule
    blocking_s: float  # effective blocking time per checkpoint at this interval
    restart_s: float
    ettr_daly: float
    ettr_meta: float  # first-order; only trustworthy while (R + tau/2) / MTTF << 1
    wall_h: float | None  # Daly's expected wall time, when compute_h was given
    optimal_interval_s: float = 0.0  # the exact minimiser of Daly's wall time (floored as the interval is)
    ettr_optimal: float = 0.0  # goodput at that optimum

    def to_dict(self) -> dict:
        return asdict(self)


def plan_checkpoints(
    gpus: float,
    failures: FailureModel,
    cost: CheckpointCost,
    rule: IntervalRule = "exact",
    compute_h: float | None = None,
    interval_s: float | None = None,
) -> CheckpointPlan:
    """Interval by `rule` (exact minimiser of Daly's wall time, Daly's or Young's formula, or "practice": the
    fixed `interval_s` a lab uses), never below the async persist time (the optimum of the unimodal T_w(tau)
    under that floor), and its ETTR; the exact optimum and its ETTR beside it."""
    mttf_s = failures.job_mttf_h(gpus) * 3600.0
    write = max(cost.blocking_s, _MIN_WRITE_S)
    best = float(max(optimal_interval_s(write, mttf_s), cost.min_interval_s))
    if rule == "practice":
        if interval_s is None or not interval_s > 0:
            raise ValueError("the practice rule needs interval_s > 0 (a checkpoint_practices preset)")
        tau = float(max(interval_s, cost.min_interval_s))
    else:
        tau = float(max(_RULES[rule](write, mttf_s), cost.min_interval_s))
    blocking = float(cost.effective_blocking_s(tau))
    wall = (
        None
        if compute_h is None
        else float(daly_wall_time_s(compute_h * 3600.0, tau, blocking, cost.restart_s, mttf_s) / 3600.0)
    )
    return CheckpointPlan(
        gpus=gpus,
        job_mttf_h=mttf_s / 3600.0,
        expected_failures_per_day=24.0 * 3600.0 / mttf_s,
        interval_s=tau,
        interval_rule=rule,
        blocking_s=blocking,
        restart_s=cost.restart_s,
        ettr_daly=float(ettr_daly(tau, blocking, cost.restart_s, mttf_s)),
        ettr_meta=float(ettr_meta(tau, blocking, cost.restart_s, mttf_s)),
        wall_h=wall,
        optimal_interval_s=best,
        ettr_optimal=float(ettr_daly(best, cost.effective_blocking_s(best), cost.restart_s, mttf_s)),
    )


def goodput_vs_interval(intervals_s, gpus: float, failures: FailureModel, cost: CheckpointCost) -> np.ndarray:
    """Daly ETTR for each interval, with the async stall when an interval is shorter than the persist."""
    intervals = np.asarray(intervals_s, dtype=float)
    mttf_s = failures.job_mttf_h(gpus) * 3600.0
    return ettr_daly(intervals, cost.effective_blocking_s(intervals), cost.restart_s, mttf_s)
