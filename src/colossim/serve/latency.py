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
Disaggregated replicas queue prompts at the prefill replica the same way, then add the KV transfer.
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
from colossim.serve.step import accepted_tokens, stage_time
from colossim.serve.throughput import ServeArrays, busiest_prefill
from colossim.serve.workload import ServeWorkload

CURVE_POINTS = 32


class LatencyTarget(BaseModel):
    """p99 latency targets a served rate must meet."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    ttft_s: float = Field(default=2.0, gt=0, description="p99 time to first token, seconds")
    tpot_s: float = Field(default=0.05, gt=0, description="p99 time per output token, seconds")


class LoadCurve(NamedTuple):
    """Per row (axis 0) and load point (axis 1)."""

    running: np.ndarray  # requests decoding at once, per (decode) replica
    rate_rps: np.ndarray  # arrival rate of one replica that sustains it
    tpot_s: np.ndarray
    ttft_p99_s: np.ndarray
    ttft_p50_s: np.ndarray


class ServedRate(NamedTuple):
    rate_rps: np.ndarray  # largest arrival rate per replica meeting both targets (0: none)
    running: np.ndarray  # requests in flight at that rate
    tpot_s: np.ndarray
    ttft_p99_s: np.ndarray
    binding: np.ndarray  # 0 capacity (memory), 1 TPOT target, 2 TTFT target, 3 none met


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
    st = stage_time(m, ly, h, c, mb, ctx, pf, prompt / 2.0, busiest_prefill(ly, mem, mb, pf, prompt))
    tau = ly.pp * st.total_s
    tpot = tau / acc
    per_replica = flat * acc / (output * tau)
    ratio, prefill_rps = take(res.decode_replicas), take(res.prefill_rps)
    rate = np.where(dis, per_replica * ratio, per_replica)  # a disaggregated unit has `ratio` decode replicas
    p99 = take(np.asarray(prompt_p99, dtype=float))

    # colocated: prompts queue for the iteration budget left after the decode tokens
    room = np.maximum(mem.budget_tokens - mb * (1.0 + ly.spec_k), c.tile_rows)
    rho = pf / room
    s_mean = np.ceil(prompt / room) * tau
    w50, w99 = _wait_quantiles(rho, s_mean)
    co99 = np.ceil(p99 / room) * tau + w99 + tau / 2.0
    co50 = s_mean + w50 + tau / 2.0
    # disaggregated: prompts queue at the prefill replica, then their KV cache moves
    ttft_pf = take(res.ttft_s) - take(res.kv_transfer_s)
    rho_p = rate / np.maximum(prefill_rps, 1e-30)
    d50, d99 = _wait_quantiles(rho_p, ttft_pf)
    di99 = ttft_pf * p99 / prompt + d99 + take(res.kv_transfer_s)
    di50 = ttft_pf + d50 + take(res.kv_transfer_s)
    shape = (rows, points)
    over = np.where(dis, rho_p >= 1.0, rho >= 1.0)
    ttft99 = np.where(over, np.inf, np.where(dis, di99, co99))
    ttft50 = np.where(over, np.inf, np.where(dis, di50, co50))
    return LoadCurve(running, rate.reshape(shape), tpot.reshape(shape), ttft99.reshape(shape), ttft50.reshape(shape))


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

    return ServedRate(rate, at(curve.running), at(curve.tpot_s), at(curve.ttft_p99_s), binding)


BINDING = ("memory capacity", "TPOT target", "TTFT target", "no rate meets the targets")

__all__ = ["BINDING", "CURVE_POINTS", "LatencyTarget", "LoadCurve", "ServedRate", "load_curve", "served_rate"]
