"""Best-plan search: every valid layout of a model on a machine, evaluated as numpy arrays in chunks.

The candidates come from `candidates.iter_layout_chunks` (divisibility only); each chunk is checked with
the step model's own `valid_mask`, evaluated by `perf.evaluate`, masked by memory, scored by the
objective and reduced to its top K, so memory stays bounded whatever the search size.

Objectives (lower is better):
- time:   seconds per million tokens of the whole job (1e6 / tokens_per_s);
- cost:   USD per million tokens = GPU-hours x amortised hardware USD per GPU-hour + facility energy x tariff;
- energy: facility kWh per million tokens. A GPU's power follows its busy fraction: utilisation =
  train_utilisation x compute_s / step_time_s (GPUs waiting on exposed communication or the bubble draw
  less), through the energy package's linear idle-to-TDP power model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from colossim.energy.cost import HardwareCost, default_hardware_cost
from colossim.energy.power import PowerModel, default_power_model
from colossim.models.schema import ModelSpec
from colossim.perf.hardware import Hardware
from colossim.perf.layout import (
    DEFAULT_MODULES,
    PRECISION_CODE,
    PRECISIONS,
    RECOMPUTES,
    Layout,
    layout_arrays,
    module_mask,
    valid_mask,
)
from colossim.perf.savings import offload_offered, offload_to_fit
from colossim.perf.shapes import model_arrays
from colossim.perf.step import StepArrays, evaluate
from colossim.plan.candidates import SearchSpace, count_layouts, iter_layout_chunks

Objective = Literal["time", "cost", "energy"]
OBJECTIVES: tuple[Objective, ...] = ("time", "cost", "energy")
BREAKDOWN = ("compute_s", "tp_s", "cp_s", "ep_s", "pp_s", "dp_s", "bubble_s", "optimizer_s", "offload_s")
LAYOUT_COLUMNS = ("tp", "pp", "vpp", "dp", "cp", "ep", "mbs", "gbs", "zero", "recompute", "precision", "offload",
                  "fp8_params")



@dataclass(frozen=True)
class Economics:
    """What a GPU-hour costs and draws, for the cost and energy objectives."""

    power: PowerModel = field(default_factory=default_power_model)
    hardware: HardwareCost = field(default_factory=default_hardware_cost)
    pue: float = 1.2
    usd_per_kwh: float = 0.0623  # TN industrial tariff 2023 (EIA), the Memphis site default


@dataclass(frozen=True)
class PlanResult:
    """The top layouts (best first) and what the search did."""

    top: pd.DataFrame
    objective: Objective
    candidates: int
    valid: int
    fitting: int
    elapsed_s: float
    runner_up_reason: str
    better_than_reference: int | None = None  # fitting layouts strictly better than `reference_value`

    @property
    def best(self) -> pd.Series:
        return self.top.iloc[0]


def default_global_batch(model: ModelSpec, gpus: int) -> int:
    """Sequences per step when the user gives none: 1,024 tokens per GPU, between 16M and 64M tokens, as a
    power of two. Anchors: Llama 3 405B trained at 16M tokens per step on 16,384 GPUs (Llama 3 paper,
    section 3.4.1); DeepSeek-V3 at 15,360 x 4,096 = 63M tokens (DeepSeek-V3 report, section 4.2)."""
    tokens = min(max(1024.0 * gpus, 16e6), 64e6)
    return int(2 ** round(np.log2(max(tokens / model.seq_len, 1.0))))


def _scores(r: StepArrays, gpus_used: np.ndarray, tokens_per_step: np.ndarray, hw: Hardware,
            econ: Economics) -> dict[str, np.ndarray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        mtok = tokens_per_step / 1e6
        gpu_h_per_mtok = gpus_used * r.step_time_s / 3600.0 / mtok
        busy = np.clip(r.compute_s / r.step_time_s, 0.0, 1.0)
        util = econ.power.train_utilisation * busy
        it_w = econ.power.it_w_per_gpu(hw.gpu.tdp_w, util)
        kwh_per_mtok = gpu_h_per_mtok * it_w / 1000.0 * econ.pue
        usd_per_mtok = gpu_h_per_mtok * econ.hardware.usd_per_gpu_hour + kwh_per_mtok * econ.usd_per_kwh
        return {
            "time": 1e6 / r.tokens_per_s,
            "cost": usd_per_mtok,
            "energy": kwh_per_mtok,
            "gpu_hours_per_mtok": gpu_h_per_mtok,
            "energy_kwh_per_mtok": kwh_per_mtok,
            "cost_usd_per_mtok": usd_per_mtok,
        }


def _frame(lay: dict[str, np.ndarray], r: StepArrays, scores: dict[str, np.ndarray], idx: np.ndarray,
           objective: Objective) -> pd.DataFrame:
    mem = r.memory
    data = {k: lay[k][idx] for k in LAYOUT_COLUMNS}
    data["gpus_used"] = (lay["tp"] * lay["pp"] * lay["dp"] * lay["cp"])[idx]
    data["step_time_s"] = r.step_time_s[idx]
    for name in BREAKDOWN:
        data[name] = getattr(r, name)[idx]
    data["tokens_per_s"] = r.tokens_per_s[idx]
    data["mfu"] = r.mfu[idx]
    data["hfu"] = r.hfu[idx]
    data["microbatches"] = r.microbatches[idx]
    for part in ("weights", "grads", "optimizer", "activations", "other", "total"):
        data[f"mem_{part}_gb"] = getattr(mem, f"{part}_bytes")[idx] / 1e9
    data["mem_usable_gb"] = np.broadcast_to(mem.usable_bytes, r.step_time_s.shape)[idx] / 1e9
    for key in ("gpu_hours_per_mtok", "energy_kwh_per_mtok", "cost_usd_per_mtok"):
        data[key] = scores[key][idx]
    data["objective_value"] = scores[objective][idx]
    return pd.DataFrame(data)


def _top_k(values: np.ndarray, k: int) -> np.ndarray:
    if values.size <= k:
        return np.argsort(values, kind="stable")
    part = np.argpartition(values, k - 1)[:k]
    return part[np.argsort(values[part], kind="stable")]


def explain_runner_up(top: pd.DataFrame, objective: Objective) -> str:
    """Why the second layout lost: its objective gap and the step-time parts that differ most."""
    if len(top) < 2:
        return "no runner-up: only one layout fits"
    a, b = top.iloc[0], top.iloc[1]
    changed = [f"{k} {b[k]} vs {a[k]}" for k in LAYOUT_COLUMNS if b[k] != a[k]]
    gap = (b["objective_value"] / a["objective_value"] - 1.0) * 100.0
    deltas = sorted(((b[k] - a[k], k) for k in BREAKDOWN), reverse=True)
    worse = [f"+{d:.3g} s {k.removesuffix('_s')}" for d, k in deltas if d > 1e-9][:3]
    extra = ""
    if b["gpus_used"] != a["gpus_used"]:
        extra = f"; uses {int(b['gpus_used']):,} GPUs vs {int(a['gpus_used']):,}"
    return (f"runner-up ({', '.join(changed) or 'same layout'}) is {gap:.2f}% worse on {objective}"
            f" per million tokens: {', '.join(worse) or 'no slower part'} per step{extra}")


def _decode(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["recompute"] = [RECOMPUTES[int(c)] for c in out["recompute"]]
    out["precision"] = [PRECISIONS[int(c)] for c in out["precision"]]
    out["fp8_params"] = out["fp8_params"].astype(bool)
    for col in ("tp", "pp", "vpp", "dp", "cp", "ep", "mbs", "gbs", "zero", "gpus_used", "microbatches"):
        out[col] = out[col].astype(np.int64)
    return out


def search(model: ModelSpec, hardware: Hardware, gpus: int, *, global_batch: int | None = None,
           objective: Objective = "time", top_k: int = 5, precisions: tuple[str, ...] = ("bf16",),
           economics: Economics | None = None, space_overrides: dict | None = None,
           chunk_rows: int = 262_144, min_gpu_fraction: float | None = None, template: Layout | None = None,
           reference_value: float | None = None) -> PlanResult:
    """Every valid layout of `model` on `gpus` GPUs of `hardware`, best `top_k` by `objective`.

    A layout uses between `min_gpu_fraction` x gpus and gpus GPUs (tp*pp*cp*dp must factor the count, so
    a job may leave GPUs idle). Default: any count for the time objective (a power-of-two layout on fewer
    GPUs can be the fastest), at least 90% for cost and energy (else the smallest job always wins); when no
    layout reaches the floor, the search retries with any count up to `gpus`.
    `template` sets the switches the search does not turn (communication overlap, MoE dispatcher, FP32
    gradient reduction, expert-TP, the recompute modules of selective and the layers of full recompute,
    activation offload); FP8 layouts keep FP8 primary weights (the FP8 recipes' default) unless an FP8
    template turns them off. On GPUs with a fast host link (NVLink-C2C) a layout that does not fit gets the
    smallest activation offload that makes it fit (`perf.savings.offload_to_fit`), and is evaluated with it.
    `reference_value` (objective units) makes the result count how many fitting layouts beat it, to rank a
    given layout among all of them.
    Raises ValueError with what to change when nothing can run (e.g. the model does not fit at all)."""
    if min_gpu_fraction is None:
        min_gpu_fraction = 0.0 if objective == "time" else 0.9
    args = (model, hardware, gpus, global_batch, objective, top_k, precisions, economics, space_overrides,
            chunk_rows, template or Layout(global_batch=1), reference_value)
    try:
        return _search(*args, min_gpu_fraction)
    except ValueError:
        if min_gpu_fraction <= 0:
            raise
        return _search(*args, 0.0)


def _search(model, hardware, gpus, global_batch, objective, top_k, precisions, economics, space_overrides,
            chunk_rows, template, reference_value, min_gpu_fraction) -> PlanResult:
    if objective not in OBJECTIVES:
        raise ValueError(f"objective '{objective}' is not one of {', '.join(OBJECTIVES)}")
    if gpus < 1 or top_k < 1:
        raise ValueError("gpus and top_k must be >= 1")
    unsupported = [p for p in precisions
                   if p not in PRECISION_CODE or hardware.gpu.dense_tflops.at(p) is None
                   or getattr(hardware.calibration.gemm_eff, p) is None]
    if unsupported:
        ok = [p for p in PRECISIONS if hardware.gpu.dense_tflops.at(p) is not None
              and getattr(hardware.calibration.gemm_eff, p) is not None]
        raise ValueError(f"{hardware.gpu.id} cannot train in {', '.join(unsupported)}: use precision in {ok}")
    econ = economics or Economics()
    gbs = global_batch or default_global_batch(model, gpus)
    m = model_arrays(model)
    experts = model.moe.experts if model.moe else 0
    # TP stays inside the NVLink domain (Megatron practice: TP all-reduces on every layer need NVLink).
    space = SearchSpace(
        gpus=gpus, global_batch=gbs, layers=model.layers, heads=model.heads, kv_heads=int(m.kv_heads),
        seq_len=model.seq_len, experts=experts, max_tp=min(64, int(m.kv_heads), hardware.nvlink_domain),
        fixed_batch=global_batch is not None, min_gpu_fraction=min_gpu_fraction,
        precision_codes=tuple(PRECISION_CODE[p] for p in precisions), **(space_overrides or {}),
    )
    started = time.perf_counter()
    n_candidates = count_layouts(space)
    n_valid = n_fit = n_better = 0
    best: pd.DataFrame | None = None
    switches = dict(etp=template.etp, ovl_tp=template.overlap.tp, ovl_cp=template.overlap.cp,
                    ovl_ep=template.overlap.ep, ovl_pp=template.overlap.pp, ovl_dp=template.overlap.dp,
                    grad_fp32=template.grad_reduce_fp32, ep_dedup=template.moe_dispatcher == "deepep",
                    rc_modules=module_mask(template.recompute_modules),
                    rc_layers=np.inf if template.recompute_layers is None else template.recompute_layers,
                    offload=template.activation_offload)
    fp8_weights = template.fp8_params or template.precision != "fp8"
    fast_link = offload_offered(hardware)  # NVLink-C2C class host link (perf.savings)
    hw_arrays = hardware.arrays()
    for chunk in iter_layout_chunks(space, chunk_rows):
        uneven = (model.layers % (chunk["pp"] * chunk["vpp"])) != 0
        lay = layout_arrays(tp=chunk["tp"], pp=chunk["pp"], dp=chunk["dp"], cp=chunk["cp"], ep=chunk["ep"],
                            vpp=chunk["vpp"], mbs=chunk["mbs"], gbs=chunk["gbs"], zero=chunk["zero"],
                            recompute=chunk["recompute"], precision=chunk["precision"], uneven=uneven,
                            sp=chunk["tp"] > 1, fp8_params=fp8_weights & (chunk["precision"] == PRECISION_CODE["fp8"]),
                            **switches)
        ok = valid_mask(m, lay)
        n_valid += int(ok.sum())
        if not ok.any():
            continue
        rows = np.flatnonzero(ok)
        sub = type(lay)(*(col[rows] for col in lay))
        r = evaluate(m, sub, hw_arrays)
        if fast_link:
            sub, r = _offload_where_needed(m, sub, r, hw_arrays)
        sub_chunk = {k: v[rows] for k, v in chunk.items()}
        sub_chunk["offload"], sub_chunk["fp8_params"] = sub.offload, sub.fp8_params
        fits = np.asarray(r.memory.fits, dtype=bool) & np.isfinite(r.step_time_s)
        n_fit += int(fits.sum())
        if not fits.any():
            continue
        gpus_used = sub.gpus
        scores = _scores(r, gpus_used, sub.gbs * model.seq_len, hardware, econ)
        value = np.where(fits, scores[objective], np.inf)
        if reference_value is not None:
            n_better += int(np.count_nonzero(value < reference_value * (1.0 - 1e-9)))
        idx = _top_k(value, top_k)
        idx = idx[np.isfinite(value[idx])]
        frame = _frame(sub_chunk, r, scores, idx, objective)
        best = frame if best is None else pd.concat([best, frame], ignore_index=True)
        best = best.sort_values(["objective_value", "mem_total_gb"], kind="stable").head(top_k).reset_index(drop=True)
    elapsed = time.perf_counter() - started
    if best is None or best.empty:
        reason = ("no layout is valid: check the GPU count against the model's heads/layers/experts"
                  if n_valid == 0 else
                  f"none of {n_valid:,} valid layouts fits in {hardware.gpu.hbm_gb:g} GB per GPU: use more GPUs, "
                  "a GPU with more memory, or a smaller model")
        raise ValueError(f"{model.id} on {gpus:,} {hardware.gpu.id}: {reason}")
    top = _decode(best)
    top.insert(0, "rank", np.arange(1, len(top) + 1))
    return PlanResult(top, objective, n_candidates, n_valid, n_fit, elapsed, explain_runner_up(top, objective),
                      n_better if reference_value is not None else None)


def _put(values, idx: np.ndarray, new):
    """`values` (arrays, or NamedTuples of them) with rows `idx` replaced by `new`."""
    if isinstance(values, tuple):
        return type(values)(*(_put(a, idx, b) for a, b in zip(values, new, strict=True)))
    out = np.array(values, copy=True)
    out[idx] = new
    return out


def _offload_where_needed(m, lay, r: StepArrays, hw):
    """Rows that do not fit get the smallest activation offload that makes them fit, and are evaluated again."""
    over = np.flatnonzero(~np.asarray(r.memory.fits, dtype=bool) & np.isfinite(r.step_time_s))
    if over.size == 0:
        return lay, r
    part = type(lay)(*(col[over] for col in lay))
    share = offload_to_fit(m, part, hw)
    ok = np.isfinite(share)
    if not ok.any():
        return lay, r
    rows = over[ok]
    part = type(lay)(*(col[ok] for col in part))
    part = part._replace(offload=np.maximum(part.offload, share[ok]))
    lay = lay._replace(offload=_put(lay.offload, rows, part.offload))
    return lay, _put(r, rows, evaluate(m, part, hw))


def layout_of(row: pd.Series, layers: int, template: Layout | None = None) -> Layout:
    """The typed Layout of one result row (for step_breakdown and reports), switches from `template`."""
    pp, vpp = int(row["pp"]), int(row["vpp"])
    t = template or Layout(global_batch=1)
    rec, precision = row["recompute"], row["precision"]
    return Layout(etp=t.etp, overlap=t.overlap, moe_dispatcher=t.moe_dispatcher, grad_reduce_fp32=t.grad_reduce_fp32,
                  tp=int(row["tp"]), pp=pp, dp=int(row["dp"]), cp=int(row["cp"]), ep=int(row["ep"]), vpp=vpp,
                  pp_split="uneven" if layers % (pp * vpp) else "even", sp=int(row["tp"]) > 1,
                  zero_stage=int(row["zero"]), micro_batch=int(row["mbs"]), global_batch=int(row["gbs"]),
                  recompute=rec, precision=precision,
                  recompute_modules=t.recompute_modules if rec == "selective" else DEFAULT_MODULES,
                  recompute_layers=t.recompute_layers if rec == "full" else None,
                  activation_offload=float(row.get("offload", t.activation_offload)),
                  fp8_params=bool(row.get("fp8_params", t.fp8_params and precision == "fp8")))
