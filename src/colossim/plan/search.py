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
from colossim.perf.flags import step_command
from colossim.perf.hardware import Hardware
from colossim.perf.layout import (
    DEFAULT_MODULES,
    MODULE_BIT,
    PRECISION_CODE,
    PRECISIONS,
    RECOMPUTES,
    Layout,
    fsdp_keeps_weights,
    layout_arrays,
    software_columns,
    valid_mask,
)
from colossim.perf.memory import memory_per_gpu
from colossim.perf.savings import offload_offered, offload_to_fit
from colossim.perf.shapes import model_arrays
from colossim.perf.stack import default_template
from colossim.perf.step import StepArrays, evaluate
from colossim.plan.candidates import SearchSpace, count_layouts, iter_layout_chunks, recompute_variants

Objective = Literal["time", "cost", "energy"]
OBJECTIVES: tuple[Objective, ...] = ("time", "cost", "energy")
BREAKDOWN = ("compute_s", "tp_s", "cp_s", "ep_s", "pp_s", "dp_s", "bubble_s", "optimizer_s", "offload_s", "host_s")
LAYOUT_COLUMNS = ("tp", "pp", "vpp", "dp", "cp", "ep", "mbs", "gbs", "zero", "recompute", "rc_modules", "rc_layers",
                  "precision", "offload", "fp8_params")



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
    template: Layout | None = None  # the switches the search did not turn (software stack, overlaps, ...)

    @property
    def best(self) -> pd.Series:
        return self.top.iloc[0]


def default_global_batch(model: ModelSpec, gpus: int) -> int:
    """Sequences per step when the user gives none: the model's published batch (zoo `global_batch`), else
    1,024 tokens per GPU between 16M and 64M tokens, as a power of two. Anchors: Llama 3 405B trained at 16M
    tokens per step on 16,384 GPUs (Llama 3 paper, section 3.4.1); DeepSeek-V3 at 15,360 x 4,096 = 63M tokens
    (DeepSeek-V3 report, section 4.2). The batch is never changed to suit a layout: the data-parallel size
    must divide it."""
    if model.global_batch is not None:
        return model.global_batch
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


def explain_runner_up(top: pd.DataFrame, objective: Objective, fitting: int | None = None) -> str:
    """Why the second layout lost: its objective gap and the step-time parts that differ most."""
    if len(top) < 2:
        if fitting is not None and fitting > 1:
            return f"no runner-up shown: ask for --top 2 or more ({fitting:,} layouts fit)"
        return "no runner-up: only one layout fits"
    return explain_gap(top.iloc[0], top.iloc[1], objective, "runner-up")


def explain_gap(a: pd.Series, b: pd.Series, objective: Objective, label: str) -> str:
    """Why layout row `b` is worse than row `a`: what differs, the objective gap, the step parts that grow."""
    changed = [f"{k} {b[k]} vs {a[k]}" for k in LAYOUT_COLUMNS if b[k] != a[k]]
    gap = (b["objective_value"] / a["objective_value"] - 1.0) * 100.0
    deltas = sorted(((b[k] - a[k], k) for k in BREAKDOWN), reverse=True)
    worse = [f"+{d:.3g} s {k.removesuffix('_s')}" for d, k in deltas if d > 1e-9][:3]
    extra = ""
    if b["gpus_used"] != a["gpus_used"]:
        extra = f"; uses {int(b['gpus_used']):,} GPUs vs {int(a['gpus_used']):,}"
    return (f"{label} ({', '.join(changed) or 'same layout'}) is {gap:.2f}% worse on {objective}"
            f" per million tokens: {', '.join(worse) or 'no slower part'} per step{extra}")


def layout_row(model: ModelSpec, hardware: Hardware, layout: Layout, objective: Objective = "time",
               economics: Economics | None = None) -> pd.Series:
    """One typed layout as a row of the search's result table (same columns), e.g. to compare a published
    layout with the search's best through `explain_gap`."""
    from colossim.perf.layout import RECOMPUTE_CODE, from_layouts

    lay = from_layouts([layout])
    r = evaluate(model_arrays(model), lay, hardware.arrays())
    chunk = {k: np.atleast_1d(np.asarray(v)) for k, v in dict(
        tp=layout.tp, pp=layout.pp, vpp=layout.vpp, dp=layout.dp, cp=layout.cp, ep=layout.ep,
        mbs=layout.micro_batch, gbs=layout.global_batch, zero=layout.zero_stage,
        recompute=RECOMPUTE_CODE[layout.recompute], rc_modules=lay.rc_modules, rc_layers=lay.rc_layers,
        precision=PRECISION_CODE[layout.precision], offload=layout.activation_offload,
        fp8_params=layout.fp8_params).items()}
    scores = _scores(r, lay.gpus, lay.gbs * model.seq_len, hardware, economics or Economics())
    row = _decode(_frame(chunk, r, scores, np.array([0]), objective)).iloc[0].copy()
    row["fits"] = bool(r.memory.fits[0])
    row["step_command"] = step_command(model.id, layout, hardware)
    return row


def _modules_of(bits: int) -> str:
    return ",".join(name for name, bit in MODULE_BIT.items() if int(bits) & bit)


def _decode(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    rec = [RECOMPUTES[int(c)] for c in out["recompute"]]
    out["rc_modules"] = [_modules_of(b) if r == "selective" else ""
                         for r, b in zip(rec, out["rc_modules"], strict=True)]
    out["rc_layers"] = [int(x) if r == "full" and np.isfinite(x) else 0
                        for r, x in zip(rec, out["rc_layers"], strict=True)]
    out["recompute"] = rec
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
    a job may leave GPUs idle). Default: at least half for the time objective (a power-of-two layout on
    fewer GPUs can be the fastest, but at a fixed batch a job on a small share of the machine never is), at
    least 90% for cost and energy (else the smallest job always wins); when no layout reaches the floor,
    the search retries with any count up to `gpus`.
    `template` sets the switches the search does not turn (communication overlap, MoE dispatcher, FP32
    gradient reduction, expert-TP, the recompute modules of selective and the layers of full recompute,
    activation offload); FP8 layouts keep FP8 primary weights (the FP8 recipes' default) unless an FP8
    template turns them off. On GPUs with a fast host link (NVLink-C2C) a layout that does not fit gets the
    smallest activation offload that makes it fit (`perf.savings.offload_to_fit`), and is evaluated with it.
    `reference_value` (objective units) makes the result count how many fitting layouts beat it, to rank a
    given layout among all of them.
    Raises ValueError with what to change when nothing can run (e.g. the model does not fit at all)."""
    if min_gpu_fraction is None:
        min_gpu_fraction = 0.5 if objective == "time" else 0.9
    args = (model, hardware, gpus, global_batch, objective, top_k, precisions, economics, space_overrides,
            chunk_rows, template or default_template(model.moe is not None, hardware.family == "blackwell"),
            reference_value)
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
    unsupported = [p for p in precisions if p not in PRECISION_CODE or not hardware.supports(p)]
    if unsupported:
        ok = [p for p in PRECISIONS if hardware.supports(p)]
        raise ValueError(f"{hardware.gpu.id} cannot train in {', '.join(unsupported)}: use precision in {ok}")
    econ = economics or Economics()
    gbs = global_batch or default_global_batch(model, gpus)
    m = model_arrays(model)
    experts = model.moe.experts if model.moe else 0
    # TP stays inside the NVLink domain (Megatron practice: TP all-reduces on every layer need NVLink).
    space = SearchSpace(
        gpus=gpus, global_batch=gbs, layers=model.layers, heads=model.heads, kv_heads=int(m.kv_heads),
        seq_len=model.seq_len, experts=experts, max_tp=min(64, int(m.kv_heads), hardware.nvlink_domain),
        fixed_batch=True, min_gpu_fraction=min_gpu_fraction,
        precision_codes=tuple(PRECISION_CODE[p] for p in precisions),
        recompute=recompute_variants(model.attention, model.dense_layers, model.moe is not None),
        **(space_overrides or {}),
    )
    started = time.perf_counter()
    n_candidates = count_layouts(space)
    n_valid = n_fit = n_better = 0
    best: pd.DataFrame | None = None
    switches = dict(etp=template.etp, ovl_tp=template.overlap.tp, ovl_cp=template.overlap.cp,
                    ovl_ep=template.overlap.ep, ovl_pp=template.overlap.pp, ovl_dp=template.overlap.dp,
                    grad_fp32=template.grad_reduce_fp32, ep_dedup=template.moe_dispatcher == "deepep",
                    offload=template.activation_offload,
                    **{k: v[0] for k, v in software_columns([template.software], [1]).items() if k != "fsdp_keep"})
    keep_always = fsdp_keeps_weights(template.software, 1)  # `never`: kept without PP too; `auto`: with PP
    fp8_weights = template.fp8_params or template.precision != "fp8"
    fast_link = offload_offered(hardware)  # NVLink-C2C class host link (perf.savings)
    hw_arrays = hardware.arrays()
    n_variants = len([v for v in space.recompute if v[0] in space.recompute_codes])
    n_prec = len(space.precision_codes)
    for chunk in iter_layout_chunks(space, chunk_rows):
        uneven = (model.layers % (chunk["pp"] * chunk["vpp"])) != 0
        lay = layout_arrays(tp=chunk["tp"], pp=chunk["pp"], dp=chunk["dp"], cp=chunk["cp"], ep=chunk["ep"],
                            vpp=chunk["vpp"], mbs=chunk["mbs"], gbs=chunk["gbs"], zero=chunk["zero"],
                            recompute=chunk["recompute"], precision=chunk["precision"], uneven=uneven,
                            rc_modules=chunk["rc_modules"], rc_layers=chunk["rc_layers"],
                            sp=chunk["tp"] > 1, fp8_params=fp8_weights & (chunk["precision"] == PRECISION_CODE["fp8"]),
                            fsdp_keep=keep_always | ((chunk["pp"] > 1) & (template.software.fsdp_reshard != "always")),
                            **switches)
        ok = valid_mask(m, lay)
        n_valid += int(ok.sum())
        if not ok.any():
            continue
        # memory first: of each layout's recompute variants (lightest first) evaluate the two lightest that
        # fit, as a practitioner would try them; on a fast host link a layout with none fitting is evaluated
        # without recompute and the smallest activation offload that fits
        fits_mem = ok & np.asarray(memory_per_gpu(m, lay, hw_arrays).fits, dtype=bool)
        reps = lay.rows // (n_variants * n_prec)
        fits3 = fits_mem.reshape(reps, n_variants, n_prec)
        keep3 = fits3 & (np.cumsum(fits3, axis=1) <= 2)
        if fast_link:
            keep3[:, 0, :] |= ok.reshape(reps, n_variants, n_prec)[:, 0, :] & ~fits3.any(axis=1)
        rows = np.flatnonzero(keep3.ravel())
        if rows.size == 0:
            continue
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
        best = (best.sort_values(["objective_value", "mem_total_gb", "zero"], kind="stable")
                .drop_duplicates(["objective_value", "mem_total_gb"]).head(top_k).reset_index(drop=True))
    elapsed = time.perf_counter() - started
    if best is None or best.empty:
        reason = ("no layout is valid: check the GPU count against the model's heads/layers/experts"
                  if n_valid == 0 else
                  f"none of {n_valid:,} valid layouts fits in {hardware.gpu.hbm_gb:g} GB per GPU: use more GPUs, "
                  "a GPU with more memory, or a smaller model")
        raise ValueError(f"{model.id} on {gpus:,} {hardware.gpu.id}: {reason}")
    top = _decode(best)
    top.insert(0, "rank", np.arange(1, len(top) + 1))
    top["pp_split"] = ["uneven" if model.layers % (int(p) * int(v)) else "even"
                       for p, v in zip(top["pp"], top["vpp"], strict=True)]
    top["step_command"] = [step_command(model.id, layout_of(row, model.layers, template), hardware, None)
                           for _, row in top.iterrows()]
    return PlanResult(top, objective, n_candidates, n_valid, n_fit, elapsed, explain_runner_up(top, objective, n_fit),
                      n_better if reference_value is not None else None, template)


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


def layout_of(row: pd.Series, layers: int, template: Layout) -> Layout:
    """The typed Layout of one result row (for step_breakdown and reports), switches from `template` (the
    search's: `PlanResult.template`)."""
    pp, vpp = int(row["pp"]), int(row["vpp"])
    t = template
    rec, precision = row["recompute"], row["precision"]
    modules = tuple(str(row.get("rc_modules", "")).split(",")) if row.get("rc_modules") else None
    layers_full = int(row.get("rc_layers", 0) or 0) or None
    return Layout(etp=t.etp, overlap=t.overlap, moe_dispatcher=t.moe_dispatcher, grad_reduce_fp32=t.grad_reduce_fp32,
                  software=t.software,
                  tp=int(row["tp"]), pp=pp, dp=int(row["dp"]), cp=int(row["cp"]), ep=int(row["ep"]), vpp=vpp,
                  pp_split="uneven" if layers % (pp * vpp) else "even", sp=int(row["tp"]) > 1,
                  zero_stage=int(row["zero"]), micro_batch=int(row["mbs"]), global_batch=int(row["gbs"]),
                  recompute=rec, precision=precision,
                  recompute_modules=(modules or t.recompute_modules) if rec == "selective" else DEFAULT_MODULES,
                  recompute_layers=(layers_full or t.recompute_layers) if rec == "full" else None,
                  activation_offload=float(row.get("offload", t.activation_offload)),
                  fp8_params=bool(row.get("fp8_params", t.fp8_params and precision == "fp8")))
