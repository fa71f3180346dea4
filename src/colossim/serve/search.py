"""The best serving layout of a model on a machine: every candidate replica layout as structure-of-arrays,
evaluated at maximum load, then along its load curve for the largest rate that meets the latency target, and
ranked by what the whole partition serves (replicas that fit x rate x output tokens per request).

Candidates (divisibility and the machine only; the model masks the rest):
- tp: powers of two up to the NVLink domain (tensor parallelism stays inside it), pp: 1-16 stages;
- MoE models also take data-parallel attention and every expert-parallel size dividing tp and the experts;
- weights in every precision the GPU runs natively (or those asked for), KV cache in BF16 or FP8;
- colocated or disaggregated prefill/decode; the token budget from the heuristic or 2,048 tokens.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from colossim.models.schema import ModelSpec
from colossim.perf.hardware import Hardware, HardwareArrays
from colossim.perf.layout import PRECISION_CODE, PRECISIONS
from colossim.serve.latency import BINDING, LatencyTarget, ServedRate, load_curve, served_rate
from colossim.serve.layout import (
    KV_CODE,
    ServeLayoutArrays,
    Speculative,
    layout_label,
    row_layout,
    serve_layout_arrays,
    serve_valid_mask,
)
from colossim.serve.shapes import serve_model
from colossim.serve.throughput import ServeArrays, evaluate_serving
from colossim.serve.workload import RequestMix

TP_OPTIONS = (1, 2, 4, 8, 16, 32, 64)
PP_OPTIONS = (1, 2, 4, 8, 16)
BUDGETS = (0, 2048)


def supported_precisions(hw: Hardware) -> list[str]:
    """Weight precisions the GPU runs natively and its family calibrates."""
    return [p for p in PRECISIONS if hw.supports(p)]


def candidate_layouts(model: ModelSpec, hw: Hardware, gpus: int, precisions=None, kv_caches=None,
                      disaggregation: bool = True, speculative: Speculative | None = None) -> ServeLayoutArrays:
    """Every candidate replica layout of at most `gpus` GPUs, as columns (validity is masked later)."""
    domain = hw.nvlink_domain
    moe = model.moe is not None
    # tensor parallelism inside the NVLink domain; MoE replicas may add data-parallel attention groups and spread
    # their experts over several domains (wide expert parallelism)
    tps = [t for t in TP_OPTIONS + (128, 256) if t <= gpus and (t <= domain or moe)]
    pps = [p for p in PP_OPTIONS if p <= model.layers]
    precisions = precisions or supported_precisions(hw)
    kv = kv_caches or (["bf16", "fp8"] if hw.gpu.dense_tflops.fp8 else ["bf16"])
    rows = []
    for t in tps:
        eps = ([e for e in TP_OPTIONS + (128, 256) if e <= t and t % e == 0 and model.moe.experts % e == 0]
               if moe else [1])
        atps = [a for a in TP_OPTIONS if a <= min(t, domain) and t % a == 0] if moe else [t]
        for p in pps:
            if t * p > gpus:
                continue
            for e in eps:
                for a in atps:
                    rows.append((t, p, e, a))
    base = np.array(rows, dtype=float).reshape(-1, 4)
    grid = np.array(np.meshgrid(np.arange(len(base)), [PRECISION_CODE[x] for x in precisions],
                                [KV_CODE[x] for x in kv], (0, 1) if disaggregation else (0,), BUDGETS,
                                indexing="ij")).reshape(5, -1)
    b = base[grid[0]]
    return serve_layout_arrays(tp=b[:, 0], pp=b[:, 1], ep=b[:, 2], atp=b[:, 3], wprec=grid[1], kvprec=grid[2],
                               disagg=grid[3], budget=grid[4],
                               spec_k=speculative.draft_tokens if speculative else 0,
                               spec_a=speculative.acceptance if speculative else 0.0,
                               spec_cost=speculative.draft_cost if speculative else 0.0)


def take_rows(values, idx, n: int):
    """Rows `idx` of every per-row field (length n) of a NamedTuple, recursing into nested ones."""
    def one(v):
        if isinstance(v, tuple):
            return take_rows(v, idx, n)
        return v[idx] if np.ndim(v) and np.shape(v)[0] == n else v

    return type(values)(*(one(v) for v in values))


@dataclass(frozen=True)
class ServeSearch:
    """Candidates ranked best first (only those that fit and meet the target at some rate)."""

    layouts: ServeLayoutArrays
    result: ServeArrays
    rate: ServedRate
    replicas: np.ndarray
    partition_tokens_per_s: np.ndarray
    order: np.ndarray  # row indexes, best first, of rows that serve something
    candidates: int
    valid: int
    fitting: int
    elapsed_s: float
    output_tokens: float  # mean output tokens per request of the mix
    machine_arrays: HardwareArrays

    def frame(self, top: int = 10) -> pd.DataFrame:
        rows, seen = [], set()
        for i in self.order:
            if len(rows) >= top:
                break
            lay = row_layout(self.layouts, int(i))
            if layout_label(lay) in seen:  # the same plan again (e.g. the heuristic budget equal to 2,048)
                continue
            seen.add(layout_label(lay))
            rank = len(rows)
            r = self.result
            rows.append({
                "rank": rank + 1, "layout": layout_label(lay), "tp": lay.tp, "pp": lay.pp, "ep": lay.ep,
                "attention_tp": lay.atp, "weights": lay.weights, "kv_cache": lay.kv_cache,
                "disaggregated": lay.disaggregated, "token_budget": lay.token_budget,
                "gpus_per_replica": float(self.rate.gpus[i]), "replicas": int(self.replicas[i]),
                "served_requests_per_s_per_replica": float(self.rate.rate_rps[i]),
                "partition_output_tokens_per_s": float(self.partition_tokens_per_s[i]),
                "output_tokens_per_s_per_gpu": float(self.rate.rate_rps[i] * self.output_tokens / self.rate.gpus[i]),
                "max_load_output_tokens_per_s_per_gpu": float(r.tokens_per_s_per_gpu[i]),
                "running_requests_per_replica": float(self.rate.running[i]),
                "tpot_s": float(self.rate.tpot_s[i]), "ttft_p99_s": float(self.rate.ttft_p99_s[i]),
                "binding": BINDING[int(self.rate.binding[i])],
                "weights_gb_per_gpu": float(r.memory.weights_bytes[i] / 1e9),
                "kv_cache_gb_per_gpu": float(r.memory.kv_budget_bytes[i] / 1e9),
            })
        return pd.DataFrame(rows)


def search_serving(model: ModelSpec, hw: Hardware, gpus: int, mix: RequestMix, target: LatencyTarget,
                   precisions=None, kv_caches=None, disaggregation: bool = True,
                   speculative: Speculative | None = None) -> ServeSearch:
    started = time.perf_counter()
    m = serve_model(model)
    hwa = hw.arrays()
    lay = candidate_layouts(model, hw, gpus, precisions, kv_caches, disaggregation, speculative)
    peaks = hwa.clock * np.array([hwa.peak_bf16 * hwa.eff_bf16, hwa.peak_fp8 * hwa.eff_fp8, hwa.peak_fp4 * hwa.eff_fp4])
    ok = serve_valid_mask(m, lay, peaks, hw.nvlink_domain)
    work = mix.workload()
    valid_idx = np.flatnonzero(ok)
    sub = take_rows(lay, valid_idx, lay.rows)
    res = evaluate_serving(m, sub, hwa, work)
    fits = np.flatnonzero(res.valid & (res.gpus <= gpus))
    sub, res = take_rows(sub, fits, sub.rows), take_rows(res, fits, sub.rows)
    rate = served_rate(load_curve(m, sub, hwa, work, res, mix.quantile_prompt(0.99)), target)
    replicas = np.floor(gpus / np.maximum(rate.gpus, 1e-9))
    partition = replicas * rate.rate_rps * float(work.output)
    serving = np.flatnonzero(partition > 0)
    # best first; ties go to fewer GPUs per replica, then to the FP8 KV cache
    order = serving[np.lexsort((-sub.kvprec[serving], rate.gpus[serving], -partition[serving]))]
    out = ServeSearch(sub, res, rate, replicas, partition, order, lay.rows, int(valid_idx.size), int(fits.size),
                      time.perf_counter() - started, float(work.output), hwa)
    return out


def runner_up_index(s: ServeSearch) -> int | None:
    """The best layout whose parallel shape (tp, pp, ep, attention-DP, disaggregation, weights) differs from the
    best one's; a change of KV precision or token budget alone is not a different plan."""
    if s.order.size == 0:
        return None
    lay = s.layouts

    def shape(i):
        return (lay.tp[i], lay.pp[i], lay.atp[i], lay.disagg[i], lay.wprec[i])

    best = shape(s.order[0])
    for i in s.order[1:]:
        if shape(i) != best:
            return int(i)
    return None


def why_lost(s: ServeSearch, best: int, other: int) -> str:
    """One sentence on why `other` serves less than `best`."""
    r, q = s.result, s.rate
    a, b = row_layout(s.layouts, best), row_layout(s.layouts, other)
    loss = 1.0 - s.partition_tokens_per_s[other] / s.partition_tokens_per_s[best]
    per_gpu_a = q.rate_rps[best] / q.gpus[best]
    per_gpu_b = q.rate_rps[other] / q.gpus[other]
    if loss < 0.005:
        return (f"the runner-up ({layout_label(b)}) ties with the best within 0.5%; the best needs "
                f"{q.gpus[best]:.4g} GPUs per replica against {q.gpus[other]:.4g}")
    text = f"the runner-up ({layout_label(b)}) serves {100 * loss:.0f}% less on the partition: "
    if s.replicas[other] * q.gpus[other] < 0.9 * s.replicas[best] * q.gpus[best]:
        used = s.replicas[other] * q.gpus[other] / (s.replicas[best] * q.gpus[best])
        return text + f"its {q.gpus[other]:.4g}-GPU replicas leave {100 * (1 - used):.0f}% more of the GPUs idle"
    binding = BINDING[int(q.binding[other])]
    if q.binding[other] == 0:
        cause = (f"its KV cache holds only {r.batch[other]:,.0f} requests per replica (vs {r.batch[best]:,.0f}), "
                 f"{r.memory.weights_bytes[other] / 1e9:,.0f} GB of weights per GPU")
    elif q.binding[other] == 1:
        cause = (f"the {binding} binds at {q.running[other]:,.0f} running requests per replica, "
                 f"{1e3 * r.stage.total_s[other]:,.1f} ms per iteration at full load "
                 f"(best: {1e3 * r.stage.total_s[best]:,.1f} ms)")
    else:
        cause = f"the {binding} binds first (p99 {q.ttft_p99_s[other]:.2f} s at its served rate)"
    weights = "" if a.weights == b.weights else f"; {b.weights} weights instead of {a.weights}"
    return text + f"{per_gpu_b / per_gpu_a:.2f}x the requests/s per GPU, as " + cause + weights


__all__ = ["ServeSearch", "candidate_layouts", "take_rows", "runner_up_index", "search_serving", "supported_precisions",
           "why_lost"]
