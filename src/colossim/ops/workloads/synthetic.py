"""Synthetic workloads drawn, all at once with numpy, from the distributions fitted to a real trace.

Per job: a correlated normal pair (z1, z2) with the profile's copula correlation rho gives the size
(power of two, from z1) and run time (log-normal or the empirical Philly quantiles, from z2); the user
outcome (completed / failed / cancelled) is drawn with the trace's shares; submit times are a Poisson
process over the horizon, at a constant rate or at a rate proportional to in-service capacity.

Scaling to a bigger cluster: the trace's jobs are scaled so the offered load (GPU-time asked / GPU-time
in service) equals `target_load`: sizes are multiplied (a shift of the log2-size normal, so the shape of
the size distribution is kept and sizes stay powers of two), run times are multiplied, or both (half of
the factor each, in log scale; run times absorb the rounding of sizes to powers of two).
"""

from __future__ import annotations

import math

import numpy as np

from colossim.ops.config import SyntheticWorkloadConfig
from colossim.ops.pools import OpsCluster
from colossim.ops.workloads.fit import WorkloadFit, fit_profile, norm_cdf, philly_runtimes_s
from colossim.ops.workloads.workload import DEFAULT_PRIORITY, KINDS, Workload


def _durations(fit: WorkloadFit, z2: np.ndarray, model: str, scale: float) -> np.ndarray:
    if model == "philly_empirical":
        table = philly_runtimes_s()
        idx = np.minimum((norm_cdf(z2) * len(table)).astype(np.int64), len(table) - 1)
        base = table[idx]
    else:
        d = fit.duration
        base = np.minimum(np.exp(d.mu + d.sigma * z2), d.max_s)
    return np.maximum(base, 1.0) * scale


def _size_exponents(fit: WorkloadFit, z1: np.ndarray, shift2: float, kcap: int) -> np.ndarray:
    lo = int(round(shift2))
    hi = min(fit.size.kmax + lo, kcap)
    lo = min(max(lo, 0), hi)
    return np.clip(np.rint(fit.size.mu2 + shift2 + fit.size.sigma2 * z1), lo, hi).astype(np.int64)


def offered_load(gpus: np.ndarray, durations: np.ndarray, capacity_gpu_s: float, gpus_per_node: int) -> float:
    """GPU-seconds asked (rounded up to whole nodes) / GPU-seconds in service."""
    alloc = -(-gpus // gpus_per_node) * gpus_per_node
    return float(np.dot(alloc, durations)) / capacity_gpu_s if capacity_gpu_s > 0 else math.inf


def solve_shift2(
    fit: WorkloadFit,
    z1: np.ndarray,
    durations: np.ndarray,
    capacity_gpu_s: float,
    kcap: int,
    gpus_per_node: int,
    target_load: float,
) -> float:
    """log2 of the size scale that brings the offered load to target_load (bisection; the load is a
    non-decreasing step function of the shift)."""

    def load(shift: float) -> float:
        return offered_load(
            2 ** _size_exponents(fit, z1, shift, kcap), durations, capacity_gpu_s, gpus_per_node
        )

    lo, hi = -8.0, float(kcap)
    if load(hi) < target_load:
        return hi
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if load(mid) < target_load:
            lo = mid
        else:
            hi = mid
    return hi


def _arrivals(
    cfg: SyntheticWorkloadConfig, cluster: OpsCluster, horizon_s: float, n: int, rng: np.random.Generator
) -> np.ndarray:
    u = rng.random(n)
    if cfg.arrivals == "uniform":
        return np.sort(u * horizon_s)
    # Poisson process with intensity proportional to in-service GPUs: given n points, they are iid with
    # density capacity(t) / integral(capacity); sample by inverting the (piecewise-linear) cumulative.
    times, gpus = cluster.capacity_curve(horizon_s)
    edges = np.append(times, horizon_s)
    cum = np.concatenate([[0.0], np.cumsum(gpus * np.diff(edges))])
    if cum[-1] <= 0:
        return np.sort(u * horizon_s)
    return np.sort(np.interp(u * cum[-1], cum, edges))


def _kinds(gpu_s: np.ndarray, pretrain_share: float, finetune_share: float) -> np.ndarray:
    """Label by GPU-time rank (estimate following Acme: few pre-training jobs use most GPU time)."""
    n = len(gpu_s)
    rank = np.empty(n, np.int64)
    rank[np.argsort(-gpu_s, kind="stable")] = np.arange(n)
    n_pre = int(round(pretrain_share * n))
    n_fine = int(round(finetune_share * n))
    kind = np.full(n, KINDS.index("eval"), np.int8)
    kind[rank < n_pre + n_fine] = KINDS.index("finetune")
    kind[rank < n_pre] = KINDS.index("pretrain")
    return kind


def synthetic_workload(
    cfg: SyntheticWorkloadConfig, cluster: OpsCluster, horizon_s: float, rng: np.random.Generator
) -> Workload:
    """cfg.jobs jobs over [0, horizon_s) for `cluster`, sizes capped at max_job_share of its biggest pool."""
    fit = fit_profile(cfg.profile)
    n = cfg.jobs
    z1 = rng.standard_normal(n)
    z2 = fit.rho * z1 + math.sqrt(1.0 - fit.rho**2) * rng.standard_normal(n)
    base = _durations(fit, z2, cfg.duration_model, 1.0)
    largest = max(cluster.pools, key=lambda p: p.max_gpus)
    kcap = max(0, int(math.floor(math.log2(max(1.0, cfg.max_job_share * largest.max_gpus)))))
    capacity = cluster.capacity_gpu_seconds(horizon_s)
    gpn = largest.gpus_per_node

    def load(shift: float, dscale: float) -> float:
        return offered_load(2 ** _size_exponents(fit, z1, shift, kcap), base * dscale, capacity, gpn)

    if cfg.scaling == "none" or n == 0 or capacity <= 0:
        shift2, dscale = math.log2(cfg.size_scale), cfg.duration_scale
    elif cfg.scaling == "size":
        shift2, dscale = solve_shift2(fit, z1, base, capacity, kcap, gpn, cfg.target_load), 1.0
    elif cfg.scaling == "duration":
        shift2, dscale = 0.0, cfg.target_load / load(0.0, 1.0)
    else:  # both: half the factor on sizes (powers of two), the rest exactly on run times
        shift2 = 0.5 * math.log2(cfg.target_load / load(0.0, 1.0))
        dscale = cfg.target_load / load(shift2, 1.0)
    durations = base * dscale
    gpus = 2 ** _size_exponents(fit, z1, shift2, kcap)
    outcome = rng.choice(3, size=n, p=np.array(fit.outcome_shares)).astype(np.int8)
    submit = _arrivals(cfg, cluster, horizon_s, n, rng)
    kind = _kinds(gpus * durations, cfg.pretrain_share, cfg.finetune_share)
    priority = np.array([DEFAULT_PRIORITY[k] for k in KINDS], dtype=np.int64)[kind]
    meta = {
        "profile": cfg.profile,
        "size_scale": 2.0**shift2,
        "duration_scale": dscale,
        "rho": fit.rho,
        "offered_load": offered_load(
            gpus, durations, cluster.capacity_gpu_seconds(horizon_s), largest.gpus_per_node
        ),
    }
    # submit times are already sorted and independent of the job attributes, so pairing them in order is
    # a valid draw; Workload.build keeps that order (stable sort).
    return Workload.build(
        submit,
        gpus,
        durations,
        priority=priority,
        kind=kind,
        outcome=outcome,
        source=f"synthetic:{cfg.profile}",
        meta=meta,
    )
