"""Monte Carlo of whole training runs with failures, checkpoints and restarts, vectorised over runs.

The model is Daly's (FGCS 22, 2006), so the mean wall time converges to his closed form:
- the run needs `compute_h` of ideal compute, cut into segments of `interval_s` compute followed by a
  blocking checkpoint of `write_s` (the last segment holds the remainder and also ends with a save);
- failures of the whole job are a Poisson process of rate lambda = 1 / MTTF at all times (compute,
  checkpoint writes and restarts);
- a failure loses the work since the segment began (the last checkpoint) and costs a restart of
  `restart_s`, which a failure can interrupt too (then the restart begins again).

Instead of stepping through failures one by one, each run draws in bulk:
- failures during work: K ~ NegativeBinomial(segments, p = e^{-lambda (tau + delta)}) (failed attempts
  before each segment's success are geometric), and each failed attempt lasts X | X < tau + delta, a
  truncated exponential drawn by inverse CDF: X = -log(1 + U expm1(-lambda w)) / lambda;
- failures during restarts: J ~ NegativeBinomial(K, e^{-lambda R}), each lasting Y | Y < R.
Only the K + J truncated exponentials are drawn (one uniform each), summed per run with a cumulative
sum; runs are processed in chunks to bound memory. Streams come from numpy SeedSequence, so the same
seed gives the same result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

SECONDS_PER_HOUR = 3600.0
_SAMPLES_PER_CHUNK = 4_000_000
_MAX_EXPECTED_FAILURES_PER_RUN = 5e7


@dataclass(frozen=True)
class Percentiles:
    p10: float
    p50: float
    p90: float
    mean: float
    std_error: float  # standard error of the mean (sample std / sqrt(runs))

    @classmethod
    def of(cls, x: np.ndarray) -> Percentiles:
        p10, p50, p90 = np.percentile(x, [10, 50, 90])
        se = float(np.std(x, ddof=1) / math.sqrt(x.size)) if x.size > 1 else float("nan")
        return cls(float(p10), float(p50), float(p90), float(np.mean(x)), se)

    def to_dict(self) -> dict[str, float]:
        return {
            "p10": self.p10,
            "p50": self.p50,
            "p90": self.p90,
            "mean": self.mean,
            "std_error": self.std_error,
        }


@dataclass(frozen=True)
class MonteCarloResult:
    """Per-run arrays (hours, counts) of `runs` simulated training runs."""

    compute_h: float
    gpus: float
    checkpoint_h: float  # successful checkpoint writes (the same in every run)
    rework_h: np.ndarray  # time in failed attempts (work lost to failures, incl. interrupted saves)
    restart_h: np.ndarray  # restarts, including restarts cut short by another failure
    interruptions: np.ndarray  # failures per run (during work and during restarts)
    wall_h: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "wall_h", self.compute_h + self.checkpoint_h + self.rework_h + self.restart_h
        )

    @property
    def runs(self) -> int:
        return int(self.wall_h.size)

    @property
    def wall_days(self) -> np.ndarray:
        return self.wall_h / 24.0

    @property
    def goodput(self) -> np.ndarray:
        """ETTR per run: ideal compute time / wall time."""
        return self.compute_h / self.wall_h

    @property
    def lost_gpu_hours(self) -> np.ndarray:
        """GPU-hours not spent on useful compute: (wall - compute) x GPUs."""
        return (self.wall_h - self.compute_h) * self.gpus

    def summary(self) -> dict[str, dict[str, float]]:
        return {
            "wall_days": Percentiles.of(self.wall_days).to_dict(),
            "lost_gpu_hours": Percentiles.of(self.lost_gpu_hours).to_dict(),
            "interruptions": Percentiles.of(self.interruptions.astype(float)).to_dict(),
            "goodput": Percentiles.of(self.goodput).to_dict(),
        }


def _sum_truncated_exponentials(rng: np.random.Generator, counts: np.ndarray, rate: float, upper: float):
    """Per entry i, the sum of counts[i] draws of X ~ Exp(rate) conditioned on X < upper."""
    total = int(counts.sum())
    if total == 0 or upper <= 0:
        return np.zeros(counts.size)
    u = rng.random(total)
    x = np.log1p(u * math.expm1(-rate * upper))  # = -rate * X, inverse CDF of the truncated exponential
    csum = np.concatenate(([0.0], np.cumsum(x)))
    ends = np.cumsum(counts)
    return (csum[ends] - csum[ends - counts]) / -rate


def _negative_binomial(rng: np.random.Generator, n, p: float, size: int) -> np.ndarray:
    """Failures before n successes (numpy's convention); n may be an array and may be 0."""
    n = np.broadcast_to(np.asarray(n, dtype=np.int64), (size,))
    out = np.zeros(size, dtype=np.int64)
    pos = n > 0
    if p >= 1.0:
        return out
    out[pos] = rng.negative_binomial(n[pos], p)
    return out


def _simulate_chunk(rng, runs, lam, segments_full, tau, last_work, delta, restart):
    w_full = tau + delta
    k = _negative_binomial(rng, segments_full, math.exp(-lam * w_full), runs)
    lost = _sum_truncated_exponentials(rng, k, lam, w_full)
    if last_work > 0:
        k_last = _negative_binomial(rng, 1, math.exp(-lam * last_work), runs)
        lost += _sum_truncated_exponentials(rng, k_last, lam, last_work)
        k = k + k_last
    j = _negative_binomial(rng, k, math.exp(-lam * restart), runs) if restart > 0 else np.zeros_like(k)
    restart_lost = _sum_truncated_exponentials(rng, j, lam, restart)
    return lost, k * restart + restart_lost, k + j


def simulate_training(
    compute_h: float,
    gpus: float,
    job_failures_per_hour: float,
    interval_s: float,
    write_s: float,
    restart_s: float,
    runs: int = 10_000,
    seed: int | np.random.SeedSequence = 0,
) -> MonteCarloResult:
    """Simulate `runs` training runs needing `compute_h` hours of ideal compute on `gpus` GPUs.

    job_failures_per_hour: the job's failure rate (nodes x per-node rate, see FailureModel).
    interval_s: compute time between checkpoints; write_s: blocking time per checkpoint;
    restart_s: time from a failure to resumed training.
    """
    if not (compute_h > 0 and gpus > 0 and interval_s > 0 and runs >= 1):
        raise ValueError("need compute_h > 0, gpus > 0, interval_s > 0 and runs >= 1")
    if not (job_failures_per_hour >= 0 and write_s >= 0 and restart_s >= 0):
        raise ValueError("need job_failures_per_hour >= 0, write_s >= 0 and restart_s >= 0")
    lam = job_failures_per_hour / SECONDS_PER_HOUR  # per second
    compute_s = compute_h * SECONDS_PER_HOUR
    segments_full = int(compute_s // interval_s)
    remainder = compute_s - segments_full * interval_s
    if remainder <= 1e-9 * compute_s:
        remainder = 0.0
    last_work = remainder + write_s if remainder > 0 else 0.0
    segments = segments_full + (1 if remainder > 0 else 0)

    # expected failures per run (Daly): segments x (e^{lambda w} - 1) x e^{lambda R}
    expected_k = segments_full * math.expm1(min(lam * (interval_s + write_s), 700.0))
    expected_k += math.expm1(min(lam * last_work, 700.0))
    expected_k *= math.exp(min(lam * restart_s, 700.0))
    if expected_k > _MAX_EXPECTED_FAILURES_PER_RUN:
        raise ValueError(
            f"about {expected_k:.3g} failures per run: the run practically never finishes; "
            "shorten the checkpoint interval, the write or restart time, or the failure rate"
        )
    chunk = max(1, min(runs, int(_SAMPLES_PER_CHUNK / max(1.0, expected_k))))
    starts = range(0, runs, chunk)
    seeds = (seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)).spawn(
        len(starts)
    )
    lost, restart_total, interruptions = (np.empty(runs), np.empty(runs), np.empty(runs, dtype=np.int64))
    for start, ss in zip(starts, seeds, strict=True):
        n = min(chunk, runs - start)
        out = _simulate_chunk(
            np.random.default_rng(ss), n, lam, segments_full, interval_s, last_work, write_s, restart_s
        )
        lost[start : start + n], restart_total[start : start + n], interruptions[start : start + n] = out
    return MonteCarloResult(
        compute_h=compute_h,
        gpus=gpus,
        checkpoint_h=segments * write_s / SECONDS_PER_HOUR,
        rework_h=lost / SECONDS_PER_HOUR,
        restart_h=restart_total / SECONDS_PER_HOUR,
        interruptions=interruptions,
    )
