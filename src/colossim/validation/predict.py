"""Predict every run of a validation file with the step model and compare with its measured step time.

All representable runs are evaluated in ONE vectorised call (a row per run: its own model, layout and
machine). Runs the model cannot represent are reported with the reason, never dropped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from colossim.perf.hardware import Calibration, stack_hardware
from colossim.perf.layout import from_layouts
from colossim.perf.shapes import model_arrays, stack_models
from colossim.perf.step import StepArrays, evaluate
from colossim.validation.defaults import Resolved, Unrepresentable, resolve
from colossim.validation.schema import ValidationRun


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RunResult(_Out):
    id: str
    source: str
    gpu: str
    generation: str = ""  # GPU family of the calibration (ampere, hopper, blackwell)
    framework: str = ""  # framework family (megatron_lm, nemo, pytorch, deepspeed, meta, generic)
    kind: str = ""  # dense or moe
    zero_stage: int | None = None
    status: Literal["ok", "unsupported"]
    reason: str = ""
    target_step_time_s: float
    predicted_step_time_s: float | None = None
    error_pct: float | None = None  # (predicted - target) / target x 100
    predicted_mfu: float | None = None
    predicted_model_tflops_per_gpu: float | None = None
    fits_memory: bool | None = None
    breakdown_s: dict[str, float] = {}
    defaults: list[str] = []


class GroupError(_Out):
    """Error statistics of a set of runs (percent of the measured step time; signed = predicted - measured,
    negative when the model is optimistic)."""

    runs: int
    mape_pct: float
    median_abs_error_pct: float
    p90_abs_error_pct: float
    mean_signed_error_pct: float
    max_abs_error_pct: float


def group_error(errors) -> GroupError:
    e = np.asarray(list(errors), dtype=float)
    a = np.abs(e)
    return GroupError(runs=int(e.size), mape_pct=float(np.mean(a)), median_abs_error_pct=float(np.median(a)),
                      p90_abs_error_pct=float(np.percentile(a, 90)), mean_signed_error_pct=float(np.mean(e)),
                      max_abs_error_pct=float(np.max(a)))


class ValidationReport(_Out):
    runs: list[RunResult]
    mape_pct: float
    median_abs_error_pct: float
    p90_abs_error_pct: float
    mean_signed_error_pct: float
    max_abs_error_pct: float
    worst_run: str
    predicted: int
    unsupported: int
    by_gpu: dict[str, GroupError]
    by_source: dict[str, GroupError]
    by_generation: dict[str, GroupError]
    by_framework: dict[str, GroupError]
    by_kind: dict[str, GroupError]
    by_zero_stage: dict[str, GroupError]


def source_key(run_id: str) -> str:
    """Runs from one publication share an id prefix (`megatron_sc21_t1_...`): the prefix names the source."""
    parts = run_id.split("_")
    return "_".join(parts[:2]) if len(parts) > 2 else run_id


@dataclass(frozen=True)
class Prepared:
    """Representable runs resolved once, so that many calibrations can be evaluated quickly (fitting)."""

    runs: tuple[ValidationRun, ...]
    resolved: tuple[Resolved | None, ...]
    reasons: tuple[str, ...]

    @property
    def ok(self) -> list[int]:
        return [i for i, r in enumerate(self.resolved) if r is not None]


def prepare(runs: list[ValidationRun], calibration: Calibration | None = None) -> Prepared:
    resolved, reasons = [], []
    for run in runs:
        try:
            resolved.append(resolve(run, calibration))
            reasons.append("")
        except Unrepresentable as exc:
            resolved.append(None)
            reasons.append(str(exc))
    return Prepared(tuple(runs), tuple(resolved), tuple(reasons))


def evaluate_prepared(prep: Prepared) -> StepArrays | None:
    """One vectorised evaluation of every representable run (rows in `prep.ok` order)."""
    rows = [prep.resolved[i] for i in prep.ok]
    if not rows:
        return None
    models = stack_models([model_arrays(r.model) for r in rows])
    layouts = from_layouts([r.layout for r in rows])
    return evaluate(models, layouts, stack_hardware([r.hardware.arrays() for r in rows]))


def _group(results: list[RunResult], key) -> dict[str, GroupError]:
    groups: dict[str, list[float]] = defaultdict(list)
    for r in results:
        if r.error_pct is not None:
            groups[str(key(r))].append(r.error_pct)
    return {k: group_error(v) for k, v in sorted(groups.items())}


def predict_runs(runs: list[ValidationRun], calibration: Calibration | None = None) -> ValidationReport:
    prep = prepare(runs, calibration)
    out = evaluate_prepared(prep)
    row_of = {i: k for k, i in enumerate(prep.ok)}
    results = []
    for i, run in enumerate(prep.runs):
        res = prep.resolved[i]
        base = dict(
            id=run.id, source=run.source, gpu=run.hardware.gpu, target_step_time_s=run.target.step_time_s,
            kind="moe" if run.model.moe is not None else "dense",
        )
        if res is not None:
            base.update(generation=res.hardware.family, framework=res.layout.software.family,
                        zero_stage=res.layout.zero_stage)
        if res is None or out is None:
            results.append(RunResult(status="unsupported", reason=prep.reasons[i], **base))
            continue
        k = row_of[i]
        pred = float(out.step_time_s[k])
        if not np.isfinite(pred):
            results.append(
                RunResult(status="unsupported", reason="the step model returned no finite time", **base)
            )
            continue
        parts = {
            f: float(getattr(out, f)[k])
            for f in ("compute_s", "tp_s", "cp_s", "ep_s", "pp_s", "dp_s", "bubble_s", "optimizer_s", "offload_s",
                      "host_s")
        }
        results.append(
            RunResult(
                status="ok",
                predicted_step_time_s=pred,
                error_pct=(pred - run.target.step_time_s) / run.target.step_time_s * 100.0,
                predicted_mfu=float(out.mfu[k]),
                predicted_model_tflops_per_gpu=float(out.model_tflops_per_gpu[k]),
                fits_memory=bool(out.memory.fits[k]),
                breakdown_s=parts,
                defaults=list(res.defaults),
                **base,
            )
        )
    if not results:
        raise ValueError("the runs file lists no runs: give at least one run (schema in docs/perf_model.md)")
    errs = [r.error_pct for r in results if r.error_pct is not None]
    worst = max((r for r in results if r.error_pct is not None), key=lambda r: abs(r.error_pct), default=None)
    nan = float("nan")
    total = group_error(errs) if errs else GroupError(runs=0, mape_pct=nan, median_abs_error_pct=nan,
                                                      p90_abs_error_pct=nan, mean_signed_error_pct=nan,
                                                      max_abs_error_pct=nan)
    return ValidationReport(
        runs=results,
        mape_pct=total.mape_pct,
        median_abs_error_pct=total.median_abs_error_pct,
        p90_abs_error_pct=total.p90_abs_error_pct,
        mean_signed_error_pct=total.mean_signed_error_pct,
        max_abs_error_pct=total.max_abs_error_pct,
        worst_run=worst.id if worst else "",
        predicted=len(errs),
        unsupported=len(results) - len(errs),
        by_gpu=_group(results, lambda r: r.gpu),
        by_source=_group(results, lambda r: source_key(r.id)),
        by_generation=_group(results, lambda r: r.generation),
        by_framework=_group(results, lambda r: r.framework),
        by_kind=_group(results, lambda r: r.kind),
        by_zero_stage=_group(results, lambda r: f"zero{r.zero_stage}"),
    )


__all__ = [
    "GroupError",
    "group_error",
    "Prepared",
    "RunResult",
    "ValidationReport",
    "evaluate_prepared",
    "predict_runs",
    "prepare",
    "source_key",
]
