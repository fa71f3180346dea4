"""A small event simulation of one replica serving a Poisson request stream, iteration by iteration, on a heap
of timed events and a seeded request stream (serve.events).

The engine loop is continuous batching with chunked prefill: each iteration runs every admitted request's
next token and fills the rest of the token budget with prompt tokens of the requests waiting, first come
first served; a request is admitted when its KV reservation fits (at most `max_running` at once) and gets its
first token when its last prompt chunk runs. Iteration times come from the serving step model, tabulated once
over (running requests, prompt tokens) and interpolated. A disaggregated replica runs the prompts on a prefill
replica (first come first served, the same chunking) and the decode steps on its decode replicas.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import deque
from dataclasses import dataclass

import numpy as np

from colossim.perf.hardware import HardwareArrays
from colossim.serve.constants import ServeConstants, constants
from colossim.serve.events import ARRIVAL, ITERATION, EventQueue, request_stream
from colossim.serve.layout import ServeLayoutArrays
from colossim.serve.shapes import ServeModel
from colossim.serve.step import accepted_tokens, stage_time
from colossim.serve.throughput import ServeArrays, busiest_prefill
from colossim.serve.workload import RequestMix


@dataclass(frozen=True)
class SimResult:
    rate_rps: float
    requests: int
    ttft_p50_s: float
    ttft_p99_s: float
    tpot_p50_s: float
    tpot_p99_s: float
    mean_running: float


class PeriodTable:
    """Iteration time of the replica (all pp stages) on a grid of running requests x prompt tokens."""

    def __init__(self, model: ServeModel, lay: ServeLayoutArrays, hw: HardwareArrays, res: ServeArrays,
                 context: float, prompt: float, c: ServeConstants, decode_only: bool = False):
        self.n = np.unique(np.round(np.geomspace(1.0, max(float(res.batch[0]), 1.0), 24)))
        budget = float(res.memory.budget_tokens[0])
        self.p = np.array([0.0]) if decode_only else np.unique(np.round(np.linspace(0.0, budget, 12)))
        nn, pp = np.meshgrid(self.n, self.p, indexing="ij")
        mb = np.maximum(nn.ravel() / lay.pp[0], 1.0)
        pf = pp.ravel() / lay.pp[0]
        mem = type(res.memory)(*(v[:1] if np.ndim(v) else v for v in res.memory))
        busiest = busiest_prefill(lay, mem, mb, pf, prompt)
        st = stage_time(model, lay, hw, c, mb, context, pf, prompt / 2.0, busiest)
        self.table = (lay.pp[0] * st.total_s).reshape(nn.shape).tolist()  # plain lists: scalar lookups are hot
        self._n, self._p = self.n.tolist(), self.p.tolist()

    @staticmethod
    def _cell(grid: list, x: float) -> tuple[int, int, float]:
        if len(grid) < 2:
            return 0, 0, 0.0
        i = min(max(bisect_right(grid, x) - 1, 0), len(grid) - 2)
        return i, i + 1, min(max((x - grid[i]) / (grid[i + 1] - grid[i]), 0.0), 1.0)

    def __call__(self, running: float, prompt_tokens: float) -> float:
        """Bilinear interpolation in the table."""
        i, i1, tn = self._cell(self._n, running)
        j, j1, tp = self._cell(self._p, prompt_tokens)
        t = self.table
        return (1 - tn) * ((1 - tp) * t[i][j] + tp * t[i][j1]) + tn * ((1 - tp) * t[i1][j] + tp * t[i1][j1])


def _quantiles(x: np.ndarray) -> tuple[float, float]:
    if x.size == 0:
        return float("nan"), float("nan")
    return float(np.quantile(x, 0.5)), float(np.quantile(x, 0.99))


def simulate_replica(model: ServeModel, lay: ServeLayoutArrays, hw: HardwareArrays, res: ServeArrays,
                     mix: RequestMix, rate_rps: float, requests: int | None = None, seed: int = 1,
                     c: ServeConstants | None = None) -> SimResult:
    """Simulate row 0 of `lay` (a one-row layout, `res` its evaluate_serving result) at `rate_rps`. By default
    the run is long enough to reach steady state: about four times the requests in flight (each stays its
    output length in the batch), at least 600; latency is measured on the requests that arrive after the
    first 30% and before the last 20% of them (warm-up and drain left out)."""
    c = c or constants()
    w = mix.workload()
    acc = float(accepted_tokens(lay.spec_k, lay.spec_a)[0])
    dis = bool(lay.disagg[0] > 0)
    period = PeriodTable(model, lay, hw, res, float(w.context), float(w.prompt), c, decode_only=dis)
    if requests is None:
        in_flight = rate_rps * float(w.output) * period(max(float(res.batch[0]), 1.0), 0.0) / acc
        requests = int(np.clip(4.0 * in_flight + 400.0, 600.0, 10000.0))
    rng = request_stream(seed)
    prompts, outputs = mix.sample(requests, rng)
    arrivals = np.cumsum(rng.exponential(1.0 / rate_rps, size=requests))
    budget = float(res.memory.budget_tokens[0])
    cap = max(float(res.batch[0]), 1.0)
    per_step = 1.0 + float(lay.spec_k[0])
    ready = arrivals.copy()  # when a request's prompt is done elsewhere (disaggregated), else its arrival
    first = np.full(requests, np.nan)
    done = np.full(requests, np.nan)
    if dis:  # the prefill replica: first come first served, chunks of its budget
        pf_rate = float(res.prefill_rps[0]) * float(w.prompt)  # prompt tokens per second
        free_at = 0.0
        for i in range(requests):
            free_at = max(free_at, arrivals[i]) + prompts[i] / pf_rate
            first[i] = free_at + float(res.kv_transfer_s[0])
        ready = first.copy()
        cap *= max(float(res.decode_replicas[0]), 1e-9)  # the decode replicas hold this many together
    events = EventQueue()
    for i in np.argsort(ready, kind="stable"):
        events.push(float(ready[i]), 1, ARRIVAL, int(i))
    waiting: deque[int] = deque()
    left_prompt = prompts.tolist()  # scalar updates in the loop: a list is faster than an array
    running = np.zeros(0, dtype=int)  # requests decoding, and `rem` their tokens still to come (aligned)
    rem = np.zeros(0)
    prefilling: list[int] = []
    remaining = outputs.copy()
    busy = False
    sum_running, iterations = 0.0, 0
    while events:
        t, _, _, kind, a, _ = events.pop()
        if kind == ARRIVAL:
            waiting.append(a)
            if busy:
                continue
        else:  # an iteration ended: advance every request it ran
            busy = False
            rem -= acc
            finished = rem <= 0
            if finished.any():
                done[running[finished]] = t
                running, rem = running[~finished], rem[~finished]
            joined = []
            for i in prefilling:
                if left_prompt[i] <= 0:
                    first[i] = t
                    remaining[i] -= 1.0  # the prompt's last chunk yields the first token
                    if remaining[i] <= 0:
                        done[i] = t
                    else:
                        joined.append(i)
            if joined:
                running = np.concatenate([running, np.array(joined, dtype=int)])
                rem = np.concatenate([rem, remaining[joined]])
        # start the next iteration: decode all running, fill the budget with waiting prompts
        if busy or (not len(running) and not waiting):
            continue
        room = max(budget - len(running) * per_step, 0.0)
        prefilling: list[int] = []
        tokens = 0.0
        if not dis:
            admitted = len(running)
            while waiting and room > 0 and admitted < cap:
                i = waiting[0]
                take = min(left_prompt[i], room)
                left_prompt[i] -= take
                room -= take
                tokens += take
                prefilling.append(i)
                admitted += 1
                if left_prompt[i] <= 0:
                    waiting.popleft()
                else:
                    break  # a prompt longer than the room continues in the next iteration
        else:
            joined = []
            while waiting and len(running) + len(joined) < cap:
                i = waiting.popleft()
                remaining[i] -= 1.0  # its first token came from the prefill replica
                if remaining[i] > 0:
                    joined.append(i)
                else:
                    done[i] = ready[i]
            if joined:
                running = np.concatenate([running, np.array(joined, dtype=int)])
                rem = np.concatenate([rem, remaining[joined]])
        if not len(running) and not prefilling:
            continue
        n_decode = len(running) / (max(float(res.decode_replicas[0]), 1e-9) if dis else 1.0)
        dt = period(n_decode, tokens)
        sum_running += len(running)
        iterations += 1
        busy = True
        events.push(t + dt, 0, ITERATION)
    lo, hi = int(0.3 * requests), int(0.8 * requests)  # steady state: drop the warm-up and the drain
    sel = np.arange(lo, hi)
    ttft = first[sel] - arrivals[sel]
    multi = outputs[sel] > 1
    tpot = (done[sel][multi] - first[sel][multi]) / (outputs[sel][multi] - 1.0)
    t50, t99 = _quantiles(ttft[np.isfinite(ttft)])
    p50, p99 = _quantiles(tpot[np.isfinite(tpot)])
    return SimResult(rate_rps, requests, t50, t99, p50, p99, sum_running / max(iterations, 1))


__all__ = ["PeriodTable", "SimResult", "simulate_replica"]
