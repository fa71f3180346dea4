"""Job-size and run-time distributions fitted to real GPU-cluster trace summaries (ops/data/*.csv).

Each trace summary gives, for GPU jobs: mean/median/max GPUs per job, mean/median/max run time,
completed/cancelled/failed shares by count, and total GPU time. From these we fit, per trace:

- job size: a log-normal on log2(GPUs), rounded to a power of two and clipped to [1, max]
  (`SizeFit`); its median is the trace median, its sigma is solved so the discrete mean is the trace mean;
- run time: a log-normal clipped at the trace maximum (`DurationFit`); mu = ln(median), sigma solved so
  the clipped mean is the trace mean;
- size/run-time dependence: a Gaussian copula with correlation rho solved so that the mean GPU time per
  job equals the trace's total GPU time / GPU jobs (big jobs run longer in every trace).

Each "solved" is a root found by Brent's method (scipy.optimize.brentq) to machine precision; the normal
CDF is scipy.special.ndtr; the copula's integral is Gauss-Legendre quadrature between the size steps. The
fitted means match the trace summaries to ~1e-14 relative (tests/ops/workloads/test_fit.py checks them with
math.erf and scipy.integrate.quad). scipy is imported inside the functions, so `colossim --help` does not
load it. Everything here is pure and deterministic (no random sampling).
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal, get_args

import numpy as np

ProfileName = Literal[
    "philly",
    "helios",
    "helios_venus",
    "helios_earth",
    "helios_saturn",
    "helios_uranus",
    "acme_seren",
    "acme_kalos",
]
PROFILE_NAMES: tuple[str, ...] = get_args(ProfileName)


def norm_cdf(x: np.ndarray | float) -> np.ndarray:
    """Standard normal CDF, elementwise (scipy.special.ndtr; scipy is imported here, not at start-up)."""
    from scipy.special import ndtr

    return ndtr(np.asarray(x, dtype=float))


def _root(f, lo: float, hi: float) -> float:
    """The root of f in [lo, hi] (f(lo), f(hi) of opposite signs or zero): Brent's method to machine
    precision (scipy.optimize.brentq)."""
    from scipy.optimize import brentq

    return float(brentq(f, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=200))


@dataclass(frozen=True)
class TraceProfile:
    """What one real trace summary says about its GPU jobs (seconds, GPUs, shares of job count)."""

    name: str
    source: str
    gpu_jobs: int
    days: float
    cluster_gpus: int | None
    mean_gpus: float
    median_gpus: float
    max_gpus: int
    mean_run_s: float
    median_run_s: float
    max_run_s: float
    mean_queue_s: float
    median_queue_s: float
    completed_share: float
    cancelled_share: float
    failed_share: float
    gpu_s_per_job: float

    @property
    def jobs_per_day(self) -> float:
        return self.gpu_jobs / self.days


# Trace periods (days), from the trace READMEs as quoted in ops/data/README.md and reliability.md:
# Philly 2017-08-07..2017-12-22; Helios 2020-04-01..2020-09-28 (the daily capacity files); Acme Mar-Aug 2023.
_DAYS = {"philly": 137.0, "helios": 181.0, "acme": 184.0}
_ACME_ROWS = {"philly": "Philly", "helios": "Helios", "acme_seren": "Seren", "acme_kalos": "Kalos"}
_HELIOS_ROWS = {
    "helios_venus": "Venus",
    "helios_earth": "Earth",
    "helios_saturn": "Saturn",
    "helios_uranus": "Uranus",
}
_ACME_SRC = "InternLM/AcmeTrace data/cluster_summary.csv (ops/data/acme_trace_cluster_summary.csv), CC BY 4.0"
_HELIOS_SRC = (
    "S-Lab-System-Group/HeliosArtifact helios_cluster_summary.csv "
    "(ops/data/helios_cluster_summary.csv), CC BY 4.0"
)


def _read_csv(name: str) -> list[dict[str, str]]:
    text = (resources.files("colossim.ops") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=1)
def load_profiles() -> dict[str, TraceProfile]:
    """All trace profiles shipped with colossim, by name."""
    acme = {r["id"]: r for r in _read_csv("acme_trace_cluster_summary.csv")}
    helios = {r["id"]: r for r in _read_csv("helios_cluster_summary.csv")}
    out: dict[str, TraceProfile] = {}
    for name, row_id in _ACME_ROWS.items():
        r = acme[row_id]
        total_gpu_s = float(r["complete_gpu_time"]) + float(r["cancel_gpu_time"]) + float(r["fail_gpu_time"])
        jobs = int(r["gpu_job_num"])
        days = _DAYS["acme"] if name.startswith("acme") else _DAYS[name]
        cluster = int(helios["total"]["gpu_num"]) if name == "helios" else None
        out[name] = TraceProfile(
            name=name,
            source=f"{_ACME_SRC}, row {row_id}",
            gpu_jobs=jobs,
            days=days,
            cluster_gpus=cluster,
            mean_gpus=float(r["avg_gpu_num"]),
            median_gpus=float(r["med_gpu_num"]),
            max_gpus=int(float(r["max_gpu"])),
            mean_run_s=float(r["avg_run_time_gpu"]),
            median_run_s=float(r["med_run_time_gpu"]),
            max_run_s=float(r["max_run_time_gpu"]),
            mean_queue_s=float(r["avg_que_time_gpu"]),
            median_queue_s=float(r["med_que_time_gpu"]),
            completed_share=float(r["complete_rate_gpu"]),
            cancelled_share=float(r["cancel_rate_gpu"]),
            failed_share=float(r["fail_rate_gpu"]),
            gpu_s_per_job=total_gpu_s / jobs,
        )
    helios_all = out["helios"]
    for name, row_id in _HELIOS_ROWS.items():
        r = helios[row_id]
        total_gpu_s = float(r["complete_gpu_time"]) + float(r["cancel_gpu_time"]) + float(r["fail_gpu_time"])
        jobs = int(r["gpu_job_num"])
        gpus = int(r["gpu_num"])
        # The per-cluster rows carry no maxima: size is capped at the cluster's GPUs (and Helios' max),
        # run time at the Helios-wide maximum (Acme summary, Helios row).
        out[name] = TraceProfile(
            name=name,
            source=f"{_HELIOS_SRC}, row {row_id}; maxima from the Helios row of {_ACME_SRC}",
            gpu_jobs=jobs,
            days=_DAYS["helios"],
            cluster_gpus=gpus,
            mean_gpus=float(r["avg_gpu_num"]),
            median_gpus=float(r["med_gpu_num"]),
            max_gpus=min(gpus, helios_all.max_gpus),
            mean_run_s=float(r["avg_run_time_gpu"]),
            median_run_s=float(r["med_run_time_gpu"]),
            max_run_s=helios_all.max_run_s,
            mean_queue_s=float(r["avg_que_time_gpu"]),
            median_queue_s=float(r["med_que_time_gpu"]),
            completed_share=float(r["complete_rate_gpu"]),
            cancelled_share=float(r["cancel_rate_gpu"]),
            failed_share=float(r["fail_rate_gpu"]),
            gpu_s_per_job=total_gpu_s / jobs,
        )
    return out


def get_profile(name: str) -> TraceProfile:
    profiles = load_profiles()
    if name not in profiles:
        raise KeyError(f"unknown workload profile '{name}': use one of {', '.join(PROFILE_NAMES)}")
    return profiles[name]


@lru_cache(maxsize=1)
def philly_runtimes_s() -> np.ndarray:
    """The 83,154 real Philly GPU-job run times (seconds), sorted ascending (read-only)."""
    text = (resources.files("colossim.ops") / "data" / "philly_gpu_job_runtime.csv").read_text(
        encoding="utf-8"
    )
    values = np.sort(np.array(text.split()[1:], dtype=float))
    values.setflags(write=False)
    return values


# ---------------------------------------------------------------------------------------------- job size


@dataclass(frozen=True)
class SizeFit:
    """GPUs = 2**clip(round(mu2 + sigma2 * z), 0, kmax), z ~ N(0, 1)."""

    mu2: float
    sigma2: float
    kmax: int

    def probabilities(self) -> np.ndarray:
        """P(GPUs = 2**k) for k = 0..kmax."""
        return _size_probs(self.mu2, self.sigma2, self.kmax)

    def mean(self) -> float:
        return float(np.dot(self.probabilities(), 2.0 ** np.arange(self.kmax + 1)))

    def exponent(self, z: np.ndarray, shift2: float = 0.0, kmax: int | None = None) -> np.ndarray:
        top = self.kmax if kmax is None else kmax
        return np.clip(np.rint(self.mu2 + shift2 + self.sigma2 * z), 0, top).astype(np.int64)


def _size_probs(mu2: float, s2: float, kmax: int) -> np.ndarray:
    if kmax == 0:
        return np.ones(1)
    cdf = norm_cdf((np.arange(kmax) + 0.5 - mu2) / s2)  # boundaries between k and k+1 (round half up)
    return np.diff(np.concatenate([[0.0], cdf, [1.0]]))


def fit_size(mean: float, median: float, max_gpus: int) -> SizeFit:
    """Discretised log-normal on powers of two with the given median and mean, clipped at max_gpus."""
    if not (1 <= median <= mean <= max_gpus):
        raise ValueError(f"need 1 <= median ({median}) <= mean ({mean}) <= max ({max_gpus}) GPUs")
    kmax = int(math.floor(math.log2(max_gpus)))
    mu2 = math.log2(median)
    lo, hi = 1e-4, 40.0

    def excess(s2: float) -> float:  # rises with sigma when median <= mean
        return SizeFit(mu2, s2, kmax).mean() - mean

    if excess(hi) < 0:
        raise ValueError(f"a mean of {mean} GPUs is out of reach with median {median} and max {max_gpus}")
    return SizeFit(mu2, lo if excess(lo) >= 0 else _root(excess, lo, hi), kmax)


# ------------------------------------------------------------------------------------------ run time


def clipped_lognormal_mean(mu: np.ndarray | float, sigma: np.ndarray | float, cap: float) -> np.ndarray:
    """E[min(X, cap)] for ln X ~ N(mu, sigma^2):
    e^(mu + s^2/2) Phi((ln c - mu - s^2)/s) + c (1 - Phi((ln c - mu)/s))."""
    mu = np.asarray(mu, dtype=float)
    sigma = np.asarray(sigma, dtype=float)
    lc = math.log(cap)
    return np.exp(mu + 0.5 * sigma**2) * norm_cdf((lc - mu - sigma**2) / sigma) + cap * (
        1.0 - norm_cdf((lc - mu) / sigma)
    )


@dataclass(frozen=True)
class DurationFit:
    """Run time = min(exp(mu + sigma z), max_s), z ~ N(0, 1); at least 1 s."""

    mu: float
    sigma: float
    max_s: float

    def mean(self) -> float:
        return float(clipped_lognormal_mean(self.mu, self.sigma, self.max_s))

    def median(self) -> float:
        return min(math.exp(self.mu), self.max_s)


def fit_duration(mean_s: float, median_s: float, max_s: float) -> DurationFit:
    """Clipped log-normal with the trace median and mean (sigma found on the rising branch of the mean)."""
    if not (0 < median_s < mean_s < max_s):
        raise ValueError(f"need 0 < median ({median_s}) < mean ({mean_s}) < max ({max_s}) seconds")
    mu = math.log(median_s)
    grid = np.linspace(1e-3, 12.0, 12_000)
    means = clipped_lognormal_mean(mu, grid, max_s)
    above = np.nonzero(means >= mean_s)[0]
    if above.size == 0:
        raise ValueError(
            f"a mean run time of {mean_s} s is out of reach with median {median_s} s, max {max_s} s"
        )
    lo, hi = (grid[above[0] - 1] if above[0] > 0 else 1e-6), grid[above[0]]
    sigma = _root(lambda s: float(clipped_lognormal_mean(mu, s, max_s)) - mean_s, float(lo), float(hi))
    return DurationFit(mu, sigma, max_s)


# ------------------------------------------------------------------------------------------ dependence

Z_TAIL = 10.0  # the size normal is integrated over [-10, 10]: Phi(-10) = 7.6e-24 is left out
_GAUSS_NODES, _GAUSS_WEIGHTS = np.polynomial.legendre.leggauss(24)


def _size_bins_quadrature(size: SizeFit) -> tuple[np.ndarray, np.ndarray]:
    """Nodes z and weights phi(z) dz for integrals over the size normal: Gauss-Legendre (24 points) on
    each interval between the size bins' edges (z where the power of two changes) and the integers of
    [-10, 10], so every interval holds one job size and the integrand is smooth on it."""
    bounds = (np.arange(size.kmax) + 0.5 - size.mu2) / size.sigma2
    edges = np.unique(np.clip(np.concatenate([bounds, np.arange(-Z_TAIL, Z_TAIL + 1.0)]), -Z_TAIL, Z_TAIL))
    half = 0.5 * np.diff(edges)[:, None]
    z = (0.5 * (edges[1:] + edges[:-1]))[:, None] + half * _GAUSS_NODES[None, :]
    density = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)  # standard normal density
    return z.ravel(), (density * half * _GAUSS_WEIGHTS[None, :]).ravel()


def mean_gpu_seconds(size: SizeFit, dur: DurationFit, rho: float) -> float:
    """E[GPUs x run time] under a Gaussian copula with correlation rho: a 1-D integral over the size
    normal z of 2**k(z) x E[run time | z], the clipped log-normal mean with mu + sigma rho z and sigma
    sqrt(1 - rho^2), by Gauss-Legendre quadrature between the size steps (accurate to ~1e-12)."""
    z, w = _size_bins_quadrature(size)
    gpus = 2.0 ** size.exponent(z)
    cond = clipped_lognormal_mean(dur.mu + dur.sigma * rho * z, dur.sigma * math.sqrt(1.0 - rho * rho), dur.max_s)
    return float(np.sum(w * gpus * cond))


def fit_rho(size: SizeFit, dur: DurationFit, gpu_s_per_job: float) -> float:
    """Copula correlation that gives the trace's mean GPU time per job (clamped to [-0.95, 0.95])."""
    lo, hi = -0.95, 0.95
    if mean_gpu_seconds(size, dur, hi) <= gpu_s_per_job:
        return hi
    if mean_gpu_seconds(size, dur, lo) >= gpu_s_per_job:
        return lo
    return _root(lambda rho: mean_gpu_seconds(size, dur, rho) - gpu_s_per_job, lo, hi)


@dataclass(frozen=True)
class WorkloadFit:
    profile: TraceProfile
    size: SizeFit
    duration: DurationFit
    rho: float
    outcome_shares: tuple[float, float, float]  # completed, failed, cancelled (normalised to sum 1)


@lru_cache(maxsize=16)
def fit_profile(name: str) -> WorkloadFit:
    """Fit size, run time, their dependence and the outcome shares to one shipped trace summary."""
    p = get_profile(name)
    size = fit_size(p.mean_gpus, p.median_gpus, p.max_gpus)
    dur = fit_duration(p.mean_run_s, p.median_run_s, p.max_run_s)
    rho = fit_rho(size, dur, p.gpu_s_per_job)
    total = p.completed_share + p.failed_share + p.cancelled_share
    shares = (p.completed_share / total, p.failed_share / total, p.cancelled_share / total)
    return WorkloadFit(p, size, dur, rho, shares)
