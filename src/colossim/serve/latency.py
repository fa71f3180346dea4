"""Latency under a request stream, in closed form and vectorised over layouts: the load curve of a replica
(arrival rate -> time per output token and time to first token) and the largest rate that meets a target.

Load curve. With N requests running, each iteration advances them all and admits N x accepted x E[P]/E[O]
prompt tokens (the replacements of those finishing), so the iteration time tau(N) is the serving step model's
at that batch, and Little's law gives the arrival rate it sustains: lambda(N) = N x accepted / (E[O] x tau(N)).
Sweeping N from 1 to the memory limit traces lambda -> TPOT = tau / accepted without a fixed point.

Time to first token. A prompt waits for room in the iteration token budget, then needs ceil(P / C) iterations,
C the budget left after the decode tokens. The budget is a queue: utilisation rho = prompt tokens admitted per
iteration / C; the mean wait is the M/D/1 Pollaczek-Khinchine value rho S / (2 (1 - rho)) (Kleinrock,
Queueing Systems Vol. I, 1975, ch. 5) with S = ceil(P / C) tau, and its tail is taken exponential (Kingman's
heavy-traffic approximation): P(W > t) = rho exp(-rho t / W_mean), so W_p99 = (W_mean / rho) ln(100 rho).
Disaggregated replicas queue prompts at the prefill replica the same way, then add the KV transfer; each
prefill replica runs at the highest utilisation that meets the TTFT target and gets as many decode replicas
as that rate needs at the TPOT target (SLO-driven provisioning, DistServe, Zhong et al. OSDI 2024).
The event simulation (serve/simulate.py) checks these figures for the chosen layout.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from colossim.perf.hardware import HardwareArrays
from colossim.serve.constants import ServeConstants, constants
from colossim.serve.layout import ServeLayoutArrays
from colossim.serve.shapes import ServeModel
from colossim.serve.step import accepted_tokens
from colossim.serve.throughput import ServeArrays, mixed_iteration
from colossim.serve.workload import ServeWorkload

CURVE_POINTS = 32


class LatencyTarget(BaseModel):
    """p99 latency targets a served rate must meet."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    ttft_s: float = Field(default=2.0, gt=0, description="p99 time to first token, seconds")
    tpot_s: float = Field(default=0.05, gt=0, description="p99 time per output token, seconds")


class LoadCurve(NamedTuple):
    """Per row (axis 0) and load point (axis 1); for a disaggregated row the curve is its decode replica's and
    the prefill replica is described per row (the last five fields)."""

    running: np.ndarray  # requests decoding at once, per (decode) replica
    rate_rps: np.ndarray  # arrival rate of one (decode) replica that sustains it
    tpot_s: np.ndarray
    ttft_p99_s: np.ndarray  # colocated rows only (0 for disaggregated rows: the prefill replica sets it)
    ttft_p50_s: np.ndarray
    disagg: np.ndarray  # per row
    replica_gpus: np.ndarray  # GPUs of one prefill or decode replica
    prefill_rps: np.ndarray  # requests/s a prefill replica admits at full load
    prefill_s: np.ndarray  # a mean prompt's time on an idle prefill replica
    prefill_p99_s: np.ndarray  # a p99 prompt's
    kv_transfer_s: np.ndarray


class ServedRate(NamedTuple):
    rate_rps: np.ndarray  # largest arrival rate per replica meeting both targets (0: none)
    running: np.ndarray  # requests in flight at that rate
    tpot_s: np.ndarray
    ttft_p99_s: np.ndarray
    binding: np.ndarray  # 0 capacity (memory), 1 TPOT target, 2 TTFT target, 3 none met
    gpus: np.ndarray  # GPUs of one replica at this rate (a disaggregated one: prefill + its decode replicas)
    decode_replicas: np.ndarray  # decode replicas per prefill replica, provisioned for the target (0: colocated)


def _wait_quantiles(rho, service):
    """(p50, p99) of the M/D/1 wait with the exponential tail above."""
    rho = np.clip(rho, 0.0, 0.999)
    mean = rho * service / (2.0 * (1.0 - rho))
    scale = mean / np.maximum(rho, 1e-9)

    def q(p):
        return np.where(rho > (1.0 - p), scale * np.log(np.maximum(rho / (1.0 - p), 1.0)), 0.0)

    return q(0.5), q(0.99)


def load_curve(model: ServeModel, lay: ServeLayoutArrays, hw: HardwareArrays, work: ServeWorkload,
               res: ServeArrays, prompt_p99, points: int = CURVE_POINTS, c: ServeConstants | None = None) -> LoadCurve:
    """The load curve of every row at `points` batch sizes from 1 to its memory limit."""
    c = c or constants()
    rows = lay.rows
    cap = np.maximum(res.batch, 1.0)
    frac = np.linspace(0.0, 1.0, max(points, 2))
    points = frac.size
    running = np.maximum(np.round(1.0 + np.outer(cap - 1.0, frac ** 2)), 1.0)  # denser at light load
    flat = running.reshape(-1)
    rep = np.repeat(np.arange(rows), points)

    def take(v):
        return v[rep] if np.ndim(v) and np.shape(v)[0] == rows else v

    m = type(model)(*(take(v) for v in model))
    h = type(hw)(*(take(v) for v in hw))
    ly = type(lay)(*(take(v) for v in lay))
    mem = type(res.memory)(*(take(v) for v in res.memory))
    prompt, output, ctx = take(np.asarray(work.prompt, float)), take(np.asarray(work.output, float)), \
        take(np.asarray(work.context, float))
    dis = ly.disagg > 0
    acc = accepted_tokens(ly.spec_k, ly.spec_a)
    mb = np.maximum(flat / ly.pp, 1.0)  # fewer requests than stages: micro-batches of one
    pf = np.where(dis, 0.0, mb * acc * prompt / output)
    st = mixed_iteration(m, ly, h, c, mem, mb, ctx, pf, prompt)
    tau = ly.pp * st.total_s
    tpot = tau / acc
    per_replica = flat * acc / (output * tau)
    p99 = take(np.asarray(prompt_p99, dtype=float))

    # colocated: prompts queue for the iteration budget left after the decode tokens
    room = np.maximum(mem.budget_tokens - mb * (1.0 + ly.spec_k), c.tile_rows)
    rho = pf / room
    s_mean = np.ceil(prompt / room) * tau
    w50, w99 = _wait_quantiles(rho, s_mean)
    co99 = np.ceil(p99 / room) * tau + w99 + tau / 2.0
    co50 = s_mean + w50 + tau / 2.0
    shape = (rows, points)
    over = rho >= 1.0
    ttft99 = np.where(dis, 0.0, np.where(over, np.inf, co99))
    ttft50 = np.where(dis, 0.0, np.where(over, np.inf, co50))
    prefill_s = res.ttft_s - res.kv_transfer_s
    return LoadCurve(running, per_replica.reshape(shape), tpot.reshape(shape), ttft99.reshape(shape),
                     ttft50.reshape(shape), lay.disagg > 0, lay.gpus, res.prefill_rps, prefill_s,
                     prefill_s * np.asarray(prompt_p99, dtype=float) / np.asarray(work.prompt, dtype=float),
                     res.kv_transfer_s)


def prefill_ttft(curve: LoadCurve, rho):
    """(p50, p99) TTFT of a disaggregated row whose prefill replica runs at utilisation rho."""
    w50, w99 = _wait_quantiles(rho, curve.prefill_s)
    return curve.prefill_s + w50 + curve.kv_transfer_s, curve.prefill_p99_s + w99 + curve.kv_transfer_s


def _prefill_utilisation(curve: LoadCurve, ttft_target: float):
    """The highest prefill-replica utilisation at which the p99 TTFT meets the target (bisection; -1: none)."""
    lo = np.zeros_like(curve.prefill_s)
    hi = np.full_like(lo, 0.999)
    ok0 = prefill_ttft(curve, lo)[1] <= ttft_target
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        good = prefill_ttft(curve, mid)[1] <= ttft_target
        lo, hi = np.where(good, mid, lo), np.where(good, hi, mid)
    return np.where(ok0, lo, -1.0)


def _crossing(x, y, limit):
    """x where y (increasing along axis 1) first reaches `limit`, interpolated between grid points; the last x
    when it never does; 0 when the first point is already above."""
    ok = y <= limit
    prefix = np.cumprod(ok, axis=1).astype(bool)
    n_ok = prefix.sum(axis=1)
    last = np.clip(n_ok - 1, 0, x.shape[1] - 1)
    nxt = np.clip(n_ok, 0, x.shape[1] - 1)
    r = np.arange(x.shape[0])
    x0, x1, y0, y1 = x[r, last], x[r, nxt], y[r, last], y[r, nxt]
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip((limit - y0) / (y1 - y0), 0.0, 1.0)
    t = np.where(np.isfinite(t), t, 0.0)
    inside = np.where(n_ok < x.shape[1], x0 + t * (x1 - x0), x[r, -1])
    return np.where(n_ok == 0, 0.0, inside), n_ok


def served_rate(curve: LoadCurve, target: LatencyTarget) -> ServedRate:
    """The largest arrival rate per replica at which the p99 TPOT and TTFT stay within `target`."""
    x = curve.rate_rps
    by_tpot, n_tpot = _crossing(x, curve.tpot_s, target.tpot_s)
    by_ttft, n_ttft = _crossing(x, curve.ttft_p99_s, target.ttft_s)
    rate = np.minimum(by_tpot, by_ttft)
    points = x.shape[1]
    binding = np.where(rate <= 0, 3, np.where((n_tpot == points) & (n_ttft == points), 0,
                                              np.where(by_tpot <= by_ttft, 1, 2)))
    r = np.arange(x.shape[0])
    j = np.clip((x <= rate[:, None]).sum(axis=1) - 1, 0, points - 1)
    k = np.clip(j + 1, 0, points - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.clip((rate - x[r, j]) / (x[r, k] - x[r, j]), 0.0, 1.0)
    t = np.where(np.isfinite(t), t, 0.0)

    def at(y):
        with np.errstate(invalid="ignore"):
            return np.where(rate > 0, y[r, j] + t * (y[r, k] - y[r, j]), np.nan)

    running, tpot, ttft99 = at(curve.running), at(curve.tpot_s), at(curve.ttft_p99_s)
    gpus = curve.replica_gpus * np.ones_like(rate)
    ratio = np.zeros_like(rate)
    if np.any(curve.disagg):  # provision decode replicas per prefill replica for the target (DistServe)
        rho = _prefill_utilisation(curve, target.ttft_s)
        prefill = np.maximum(rho, 0.0) * curve.prefill_rps
        ratio = np.where(curve.disagg & (rate > 0), prefill / np.maximum(rate, 1e-30), 0.0)
        ok = curve.disagg & (rho > 0) & (rate > 0)
        binding = np.where(curve.disagg, np.where(ok, binding, np.where(rho < 0, 3, binding)), binding)
        ttft99 = np.where(curve.disagg, prefill_ttft(curve, np.maximum(rho, 0.0))[1], ttft99)
        running = np.where(curve.disagg, running * ratio, running)
        gpus = np.where(curve.disagg, curve.replica_gpus * (1.0 + ratio), gpus)
        rate = np.where(curve.disagg, np.where(ok, prefill, 0.0), rate)
    return ServedRate(rate, running, tpot, ttft99, binding, gpus, ratio)


BINDING = ("memory capacity", "TPOT target", "TTFT target", "no rate meets the targets")

__all__ = ["BINDING", "CURVE_POINTS", "LatencyTarget", "LoadCurve", "ServedRate", "load_curve", "prefill_ttft",
           "served_rate"]
