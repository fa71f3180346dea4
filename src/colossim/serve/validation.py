"""Validation as a feature: predict every published serving result at the layout its source states, one
vectorised evaluation for all rows, and report each row's error with MAPE and signed bias overall, per GPU,
per source, dense vs MoE and per reliability.

Nothing here is tuned per row, source or release: each row is predicted from the catalog GPU, the zoo model,
its stated layout and the shared constants. The headline figures use the throughput rows whose configuration
the source states (reliability high or medium); low-reliability rows are reported beside them.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from pydantic import BaseModel, ConfigDict

from colossim.inputs import input_error
from colossim.models.zoo import get_model
from colossim.perf.hardware import Calibration, hardware_for, stack_hardware
from colossim.serve.layout import from_serve_layouts, layout_label, serve_layout_problems
from colossim.serve.published import PublishedFile, PublishedRow, load_published, published_rows
from colossim.serve.shapes import serve_model, stack_serve_models
from colossim.serve.throughput import evaluate_serving, lone_request_latency
from colossim.serve.workload import fixed_workload


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RowResult(_Out):
    id: str
    source: str
    model: str
    gpu: str
    layout: str
    metric: str
    prompt_tokens: int
    output_tokens: int
    measured: float
    predicted: float | None
    error_pct: float | None  # (predicted - measured) / measured
    reliability: str
    headline: bool
    moe: bool
    status: str  # ok, or why it could not be predicted


class ErrorStats(_Out):
    rows: int
    mape_pct: float
    bias_pct: float  # mean signed error: > 0 the model is optimistic
    median_abs_pct: float
    max_abs_pct: float


class ServeValidationReport(_Out):
    rows: list[RowResult]
    headline: ErrorStats | None  # throughput rows of reliability high/medium
    all_throughput: ErrorStats | None
    latency: ErrorStats | None
    by_gpu: dict[str, ErrorStats]
    by_source: dict[str, ErrorStats]
    by_kind: dict[str, ErrorStats]  # dense / moe
    by_reliability: dict[str, ErrorStats]
    kv_bf16_sensitivity: ErrorStats | None  # headline rows re-predicted with a BF16 KV cache where it is assumed
    worst_row: str | None
    gpu_generations: list[str]


def error_stats(errors) -> ErrorStats | None:
    e = np.asarray([x for x in errors if x is not None], dtype=float)
    if e.size == 0:
        return None
    a = np.abs(e)
    return ErrorStats(rows=int(e.size), mape_pct=float(a.mean()), bias_pct=float(e.mean()),
                      median_abs_pct=float(np.median(a)), max_abs_pct=float(a.max()))


def _predict(rows: list[PublishedRow], kv_override: str | None = None,
             calibration: Calibration | None = None) -> tuple[list[float | None], list[str]]:
    """Predicted value and status of every row (one vectorised evaluation)."""
    status = []
    usable = []
    for r in rows:
        try:
            spec = get_model(r.model)
            hw = hardware_for(r.gpu, calibration=calibration)
        except KeyError as exc:
            status.append(f"unsupported: {exc.args[0] if exc.args else exc}")
            continue
        problems = serve_layout_problems(spec, r.layout)
        if problems:
            status.append("invalid layout: " + "; ".join(problems))
            continue
        status.append("ok")
        layout = r.layout if kv_override is None else r.layout.model_copy(update={"kv_cache": kv_override})
        usable.append((len(status) - 1, serve_model(spec), hw.arrays(), layout, r))
    values: list[float | None] = [None] * len(rows)
    if not usable:
        return values, status
    idx = [u[0] for u in usable]
    model = stack_serve_models([u[1] for u in usable])
    hw = stack_hardware([u[2] for u in usable])
    lay = from_serve_layouts([u[3] for u in usable])
    prompt = np.array([u[4].prompt_tokens for u in usable], dtype=float)
    output = np.array([u[4].output_tokens for u in usable], dtype=float)
    res = evaluate_serving(model, lay, hw, fixed_workload(prompt, output))
    ttft, tpot = lone_request_latency(model, lay, hw, prompt, output)
    for j, i in enumerate(idx):
        metric = rows[i].metric
        value = {"output_tokens_per_s": res.tokens_per_s, "ttft_s": ttft, "tpot_s": tpot}[metric][j]
        if metric == "output_tokens_per_s" and not bool(res.valid[j]):
            status[i] = "does not fit in memory at this layout"
            continue
        values[i] = float(value)
    return values, status


def validate_serving(data: PublishedFile | None = None,
                     calibration: Calibration | None = None) -> ServeValidationReport:
    """Every row of `data` (default: the shipped file) predicted with the shipped constants, or with another
    training-model calibration (colossim.perf.hardware.parse_calibration) to see what a change would do."""
    data = data or load_published()
    rows = published_rows(data)
    values, status = _predict(rows, calibration=calibration)
    kinds = {}
    results = []
    for r, v, s in zip(rows, values, status, strict=True):
        if r.model not in kinds:
            try:
                kinds[r.model] = get_model(r.model).moe is not None
            except KeyError:
                kinds[r.model] = False
        err = None if v is None else (v - r.measured) / r.measured * 100.0
        results.append(RowResult(id=r.id, source=r.source, model=r.model, gpu=r.gpu, layout=layout_label(r.layout),
                                 metric=r.metric, prompt_tokens=r.prompt_tokens, output_tokens=r.output_tokens,
                                 measured=r.measured, predicted=v, error_pct=err, reliability=r.reliability,
                                 headline=r.headline, moe=kinds[r.model], status=s))
    if not any(x.error_pct is not None for x in results):
        raise input_error("published serving results", "no row could be predicted",
                          "check the model ids (colossim catalog) and GPU ids of the file")
    thr = [x for x in results if x.metric == "output_tokens_per_s"]
    head = [x for x in thr if x.headline]

    def grouped(items, key) -> dict[str, ErrorStats]:
        groups = defaultdict(list)
        for x in items:
            groups[key(x)].append(x.error_pct)
        return {k: s for k, v in sorted(groups.items()) if (s := error_stats(v)) is not None}

    assumed_kv = {k for k, src in data.sources.items() if "kv" in src.assumed.lower()}
    sens_rows = [r for r in rows if r.headline and r.source in assumed_kv]
    sens_vals, _ = _predict(sens_rows, kv_override="bf16", calibration=calibration)
    sens = error_stats([(v - r.measured) / r.measured * 100.0 for r, v in zip(sens_rows, sens_vals, strict=True)
                        if v is not None])
    scored = [x for x in head if x.error_pct is not None]
    worst = max(scored, key=lambda x: abs(x.error_pct)).id if scored else None
    gens = sorted({hardware_for(x.gpu).gpu.architecture.split(" ")[0] + " " + x.gpu for x in head
                   if x.error_pct is not None})
    return ServeValidationReport(
        rows=results, headline=error_stats(x.error_pct for x in head),
        all_throughput=error_stats(x.error_pct for x in thr),
        latency=error_stats(x.error_pct for x in results if x.metric != "output_tokens_per_s"),
        by_gpu=grouped(head, lambda x: x.gpu), by_source=grouped(thr, lambda x: x.source),
        by_kind=grouped(thr, lambda x: "moe" if x.moe else "dense"),
        by_reliability=grouped(thr, lambda x: x.reliability), kv_bf16_sensitivity=sens, worst_row=worst,
        gpu_generations=gens)


__all__ = ["ErrorStats", "RowResult", "ServeValidationReport", "error_stats", "validate_serving"]
