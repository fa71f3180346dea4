"""The fitted distributions reproduce the real trace summaries they were fitted to (values read here
straight from the CSV files, not from the fitting code)."""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from importlib import resources

import numpy as np
import pytest
from scipy.integrate import quad

from colossim.ops import PROFILE_NAMES, fit_profile, get_profile
from colossim.ops.workloads.fit import clipped_lognormal_mean, fit_duration, fit_size, mean_gpu_seconds, norm_cdf

ACME_ROWS = {"philly": "Philly", "helios": "Helios", "acme_seren": "Seren", "acme_kalos": "Kalos"}
HELIOS_ROWS = {
    "helios_venus": "Venus",
    "helios_earth": "Earth",
    "helios_saturn": "Saturn",
    "helios_uranus": "Uranus",
}


def _rows(name: str) -> dict[str, dict[str, str]]:
    text = (resources.files("colossim.ops") / "data" / name).read_text(encoding="utf-8")
    return {r["id"]: r for r in csv.DictReader(text.splitlines())}


def _csv_row(profile: str) -> dict[str, str]:
    if profile in ACME_ROWS:
        return _rows("acme_trace_cluster_summary.csv")[ACME_ROWS[profile]]
    return _rows("helios_cluster_summary.csv")[HELIOS_ROWS[profile]]


def test_shipped_data_is_a_byte_copy_of_shared_data(shared_data):
    for name in (
        "acme_trace_cluster_summary.csv",
        "helios_cluster_summary.csv",
        "philly_gpu_job_runtime.csv",
        "helios_venus_vc_gpu_count_daily.csv",
        "helios_earth_vc_gpu_count_daily.csv",
    ):
        shipped = (resources.files("colossim.ops") / "data" / name).read_bytes()
        assert shipped == (shared_data / name).read_bytes(), name


def test_data_readme_keeps_the_cc_by_attribution():
    text = (resources.files("colossim.ops") / "data" / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in text
    for paper in ("NSDI '24", "SC '21", "NSDI '22", "ATC '19"):
        assert paper in text


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_profile_numbers_come_from_the_csv(name):
    row, p = _csv_row(name), get_profile(name)
    jobs_col = "gpu_job_num"
    assert p.gpu_jobs == int(row[jobs_col])
    assert p.mean_gpus == float(row["avg_gpu_num"])
    assert p.median_run_s == float(row["med_run_time_gpu"])
    total = sum(float(row[c]) for c in ("complete_gpu_time", "cancel_gpu_time", "fail_gpu_time"))
    assert p.gpu_s_per_job == pytest.approx(total / int(row[jobs_col]))


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_fit_reproduces_means_medians_and_gpu_time(name):
    row = _csv_row(name)
    f = fit_profile(name)
    assert f.size.mean() == pytest.approx(float(row["avg_gpu_num"]), rel=1e-6)
    probs = f.size.probabilities()
    assert probs.sum() == pytest.approx(1.0)
    median_k = int(np.searchsorted(np.cumsum(probs), 0.5))  # first k with CDF >= 1/2
    assert 2**median_k == float(row["med_gpu_num"])
    assert f.duration.mean() == pytest.approx(float(row["avg_run_time_gpu"]), rel=1e-6)
    assert f.duration.median() == pytest.approx(float(row["med_run_time_gpu"]), rel=1e-9)
    total = sum(float(row[c]) for c in ("complete_gpu_time", "cancel_gpu_time", "fail_gpu_time"))
    assert mean_gpu_seconds(f.size, f.duration, f.rho) == pytest.approx(
        total / int(row["gpu_job_num"]), rel=1e-3
    )
    shares = [float(row[k]) for k in ("complete_rate_gpu", "fail_rate_gpu", "cancel_rate_gpu")]
    assert f.outcome_shares == pytest.approx(tuple(s / sum(shares) for s in shares))


def _phi_exact(x: np.ndarray) -> np.ndarray:
    """The normal CDF from the standard library's erf (independent of scipy)."""
    return np.array([0.5 * (1.0 + math.erf(v / math.sqrt(2.0))) for v in np.ravel(x)]).reshape(np.shape(x))


@pytest.mark.parametrize("name", PROFILE_NAMES)
def test_fit_meets_the_published_means_to_machine_precision(name):
    """The fitted parameters, evaluated with math.erf rather than the module's own CDF, give the trace's
    mean GPUs and mean run time to 1e-12, and (adaptive quadrature on each size step) its GPU time per job to 1e-9."""
    row, p, f = _csv_row(name), get_profile(name), fit_profile(name)
    kmax = f.size.kmax
    cdf = _phi_exact((np.arange(kmax) + 0.5 - f.size.mu2) / f.size.sigma2)
    probs = np.diff(np.concatenate([[0.0], cdf, [1.0]]))
    assert float(probs @ 2.0 ** np.arange(kmax + 1)) == pytest.approx(float(row["avg_gpu_num"]), rel=1e-12)
    mu, s, cap = f.duration.mu, f.duration.sigma, p.max_run_s
    lc = math.log(cap)
    run_mean = math.exp(mu + s * s / 2) * _phi_exact(np.array((lc - mu - s * s) / s)) + cap * (
        1 - _phi_exact(np.array((lc - mu) / s)))
    assert float(run_mean) == pytest.approx(float(row["avg_run_time_gpu"]), rel=1e-12)
    sc = s * math.sqrt(1.0 - f.rho**2)

    def integrand(z: float, k: int) -> float:  # phi(z) 2^k E[min(T, cap) | z], T | z log-normal
        m = mu + s * f.rho * z
        cond = math.exp(m + sc * sc / 2) * _phi_exact(np.array((lc - m - sc * sc) / sc)) + cap * (
            1 - _phi_exact(np.array((lc - m) / sc)))
        return math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) * 2.0**k * float(cond)

    bounds = (np.arange(kmax) + 0.5 - f.size.mu2) / f.size.sigma2
    edges = np.concatenate([[-12.0], bounds, [12.0]])  # the tails beyond +-12 hold < cap x 1e-32
    gpu_s = sum(quad(integrand, edges[k], edges[k + 1], args=(k,), epsabs=0, epsrel=1e-12)[0]
                for k in range(kmax + 1))
    total = sum(float(row[c]) for c in ("complete_gpu_time", "cancel_gpu_time", "fail_gpu_time"))
    assert gpu_s == pytest.approx(total / int(row["gpu_job_num"]), rel=1e-9)


def test_norm_cdf_matches_math_erf():
    x = np.linspace(-7, 7, 2001)
    exact = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x])
    assert np.max(np.abs(norm_cdf(x) - exact)) < 1e-15


def test_clipped_lognormal_mean_against_numeric_integration():
    mu, sigma, cap = 5.0, 2.0, 20_000.0
    z = np.linspace(-12, 12, 400_001)
    w = np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi) * (z[1] - z[0])
    numeric = np.sum(w * np.minimum(np.exp(mu + sigma * z), cap))
    assert float(clipped_lognormal_mean(mu, sigma, cap)) == pytest.approx(numeric, rel=1e-5)


def test_bad_fit_inputs_are_refused():
    with pytest.raises(ValueError):
        fit_size(mean=0.5, median=1, max_gpus=8)
    with pytest.raises(ValueError):
        fit_size(mean=200, median=1, max_gpus=8)  # mean above what max 8 allows
    with pytest.raises(ValueError):
        fit_duration(mean_s=10, median_s=100, max_s=1000)


def test_scipy_is_loaded_only_when_a_fit_runs():
    # (numba imports the bare `scipy` package when it is installed; the fits' parts come on first use)
    loaded = "print(all(m in sys.modules for m in ('scipy.special', 'scipy.optimize')))"
    code = (f"import sys\nimport colossim.ops\nfrom colossim.cli.main import app\n{loaded}\n"
            f"colossim.ops.fit_profile('philly')\n{loaded}")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]
