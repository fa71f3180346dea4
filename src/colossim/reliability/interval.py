"""Optimal checkpoint intervals: Young, Daly (higher order) and the exact minimiser of Daly's wall time.

Notation: delta = checkpoint (blocking) write time, M = job MTTF, tau = compute time between checkpoints.
All functions take seconds (any one unit works) and broadcast over numpy arrays.
"""

from __future__ import annotations

import numpy as np


def _positive(*arrays):
    out = [np.asarray(a, dtype=float) for a in arrays]
    if any(np.any(~(a > 0)) for a in out):
        raise ValueError("write time and MTTF must be > 0")
    return out


def young_interval_s(write_s, mttf_s):
    """tau = sqrt(2 delta M) (Young, CACM 17(9), 1974)."""
    d, m = _positive(write_s, mttf_s)
    return np.sqrt(2.0 * d * m)


def daly_interval_s(write_s, mttf_s):
    """Daly (FGCS 22, 2006) higher-order estimate:
    tau = sqrt(2 delta M) [1 + (1/3) sqrt(delta/(2M)) + (1/9) delta/(2M)] - delta  for delta < 2M, else M."""
    d, m = _positive(write_s, mttf_s)
    x = d / (2.0 * m)
    tau = np.sqrt(2.0 * d * m) * (1.0 + np.sqrt(x) / 3.0 + x / 9.0) - d
    return np.where(d < 2.0 * m, tau, m)


def _log1p_neg_plus(v):
    """h(v) = log(1 - v) + v, accurate for small v (series) and v up to 1."""
    series = -sum(v**k / k for k in range(2, 12))
    return np.where(v < 0.05, series, np.log1p(-np.minimum(v, 1.0 - 1e-300)) + v)


def optimal_interval_s(write_s, mttf_s, tol: float = 1e-14, max_iter: int = 200):
    """Exact minimiser of Daly's expected wall time T_w(tau) ~ (e^{(tau+delta)/M} - 1) / tau.

    Setting dT_w/dtau = 0 gives (1 - v) e^v = e^{-delta/M} with v = tau/M, i.e.
    tau* = M (1 + W0(-e^{-(1 + delta/M)})) (Lambert W); solved by Newton on
    g(v) = log(1 - v) + v + delta/M, which is concave and decreasing on (0, 1), starting right of the
    root at Young's v = sqrt(2 delta/M) (g(v_Young) = -v^3/3 - ... < 0), so the iterates decrease
    monotonically to the root. R (restart) does not move the optimum: e^{R/M} is a constant factor.
    """
    d, m = _positive(write_s, mttf_s)
    d, m = np.broadcast_arrays(d, m)
    a = d / m
    v = np.minimum(np.sqrt(2.0 * a), 1.0 - 1e-12)
    for _ in range(max_iter):
        g = _log1p_neg_plus(v) + a
        dg = -v / (1.0 - v)
        step = g / dg
        v_new = np.clip(v - step, 0.0, 1.0 - 1e-15)
        if np.all(np.abs(v_new - v) <= tol * np.maximum(v_new, 1e-300)):
            v = v_new
            break
        v = v_new
    return v * m
