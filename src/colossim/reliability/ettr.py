"""Expected effective training time ratio (ETTR, goodput = ideal compute time / wall time).

- Daly's exponential model (FGCS 22, 2006): a run of T_s compute split into segments of tau compute
  + delta checkpoint, failures exponential with mean M at any time (also during checkpoints and
  restarts), each failure costs the work since the last checkpoint plus a restart of R:
      T_w = M e^{R/M} (e^{(tau+delta)/M} - 1) T_s / tau,   ETTR = T_s / T_w.
  This is exact for that model when T_s is a multiple of tau; the Monte Carlo simulates the same model.
- Meta's first-order formula (Kokolis et al., HPCA'25, arXiv 2410.21680):
      E[ETTR] ~ (1 - N r_f (u0 + dt/2)) / (1 + w/dt)
  with N r_f = 1/M, u0 = R, dt = tau, w = delta; only valid while (R + tau/2)/M << 1
  (it goes negative beyond; it is returned as computed).

All functions take seconds and broadcast over numpy arrays (e.g. a vector of intervals).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

EttrModel = Literal["daly", "meta"]


def _arrays(interval_s, write_s, restart_s, mttf_s):
    tau, d, r, m = (np.asarray(x, dtype=float) for x in (interval_s, write_s, restart_s, mttf_s))
    if np.any(~(tau > 0)) or np.any(~(m > 0)) or np.any(~(d >= 0)) or np.any(~(r >= 0)):
        raise ValueError("need interval > 0, MTTF > 0, write time >= 0 and restart time >= 0")
    return tau, d, r, m


def daly_segment_time_s(work_s, restart_s, mttf_s):
    """Expected wall time to finish `work_s` of uninterruptible work (compute + checkpoint) when each
    failure restarts it after a restart of R that can itself fail: M e^{R/M} (e^{w/M} - 1) (Daly 2006)."""
    w, r, m = (np.asarray(x, dtype=float) for x in (work_s, restart_s, mttf_s))
    with np.errstate(over="ignore"):
        return m * np.exp(r / m) * np.expm1(w / m)


def daly_wall_time_s(compute_s, interval_s, write_s, restart_s, mttf_s):
    """T_w = M e^{R/M} (e^{(tau+delta)/M} - 1) T_s / tau (Daly, FGCS 22, 2006)."""
    tau, d, r, m = _arrays(interval_s, write_s, restart_s, mttf_s)
    return daly_segment_time_s(tau + d, r, m) * np.asarray(compute_s, dtype=float) / tau


def ettr_daly(interval_s, write_s, restart_s, mttf_s):
    """ETTR = T_s / T_w = tau e^{-R/M} / (M (e^{(tau+delta)/M} - 1)), in (0, 1]."""
    tau, d, r, m = _arrays(interval_s, write_s, restart_s, mttf_s)
    with np.errstate(over="ignore"):
        # x / (e^x - 1) <= 1 exactly; the minimum only removes rounding above 1 when e^x - 1 ~ x
        return np.minimum(tau / daly_segment_time_s(tau + d, r, m), 1.0)


def ettr_meta(interval_s, write_s, restart_s, mttf_s):
    """E[ETTR] ~ (1 - (u0 + dt/2)/M) / (1 + w/dt) (Kokolis et al. HPCA'25, first order)."""
    tau, d, r, m = _arrays(interval_s, write_s, restart_s, mttf_s)
    return (1.0 - (r + tau / 2.0) / m) / (1.0 + d / tau)


_MODELS = {"daly": ettr_daly, "meta": ettr_meta}


def ettr_curve(intervals_s, write_s, restart_s, mttf_s, model: EttrModel = "daly") -> np.ndarray:
    """Goodput vs checkpoint interval for plots: one value per interval (broadcasts over all inputs)."""
    return np.asarray(_MODELS[model](intervals_s, write_s, restart_s, mttf_s), dtype=float)


@dataclass(frozen=True)
class TimeBreakdown:
    """Expected hours of a run by activity, and expected interruptions (Daly's model)."""

    compute_h: float
    checkpoint_h: float  # successful blocking saves
    rework_h: float  # failed attempts: work (and interrupted saves) lost to failures
    restart_h: float  # restarts, including restarts cut short by another failure
    failures: float

    @property
    def wall_h(self) -> float:
        return self.compute_h + self.checkpoint_h + self.rework_h + self.restart_h

    @property
    def goodput(self) -> float:
        return self.compute_h / self.wall_h


def expected_time_breakdown(
    compute_s: float, interval_s: float, write_s: float, restart_s: float, mttf_s: float
) -> TimeBreakdown:
    """Per segment of work w = tau + delta (the last one: remainder + delta), with lambda = 1/M:
    E[failed attempts] = e^{lambda w} - 1, E[time lost in them] = (e^{lambda w} - 1)/lambda - w,
    E[restart per failure] = (e^{lambda R} - 1)/lambda, E[interruptions] = E[failed attempts] e^{lambda R}.
    They add up to Daly's M e^{R/M} (e^{w/M} - 1) per segment."""
    tau, d, r, m = (float(x) for x in _arrays(interval_s, write_s, restart_s, mttf_s))
    if compute_s <= 0:
        raise ValueError("compute_s must be > 0")
    full = int(compute_s // tau)
    rem = compute_s - full * tau
    works = [(full, tau + d)] + ([(1, rem + d)] if rem > 1e-9 * compute_s else [])
    lam = 1.0 / m
    attempts = sum(n * math.expm1(min(lam * w, 700.0)) for n, w in works)
    lost = sum(n * (math.expm1(min(lam * w, 700.0)) / lam - w) for n, w in works)
    per_restart = math.expm1(min(lam * r, 700.0)) / lam
    segments = sum(n for n, _ in works)
    return TimeBreakdown(
        compute_h=compute_s / 3600.0,
        checkpoint_h=segments * d / 3600.0,
        rework_h=lost / 3600.0,
        restart_h=attempts * per_restart / 3600.0,
        failures=attempts * math.exp(min(lam * r, 700.0)),
    )
