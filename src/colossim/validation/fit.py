"""Fit the global compute constants of calibration.yaml to a set of runs, and check how well the fit
generalises with grouped cross-validation: leave one group out (a GPU generation, a framework family or a
source), refit on the rest, predict the group.

The fitted constants are few and GLOBAL (shared by every generation and framework): the large-GEMM
efficiency at BF16 and at FP8, the fused-attention matmul efficiency and the slowdown overlapped
communication causes. Everything else (per-chip clocks and exponential rates, bandwidths, host costs,
memory) keeps its sourced or estimated value. The loss is the mean squared log ratio predicted/target over
all representable runs at once plus a pull toward each constant's prior (calibration.yaml fit_priors),
minimised by Nelder-Mead within stated bounds. Pure numpy; nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from colossim.perf.hardware import HardwareArrays, stack_hardware
from colossim.perf.layout import LayoutArrays, from_layouts
from colossim.perf.shapes import ModelArrays, model_arrays, stack_models
from colossim.perf.step import evaluate
from colossim.validation.predict import Prepared, source_key

Grouping = Literal["generation", "framework", "source"]
GROUPINGS: tuple[Grouping, ...] = ("generation", "framework", "source")


@dataclass(frozen=True)
class FitParam:
    field: str  # HardwareArrays field
    path: str  # its key in calibration.yaml globals (and in fit_priors)
    lower: float
    upper: float


PARAMS: tuple[FitParam, ...] = (
    FitParam("eff_bf16", "gemm_eff.bf16", 0.4, 0.98),
    FitParam("eff_fp8", "gemm_eff.fp8", 0.3, 0.98),
    FitParam("attention_eff", "attention_eff", 0.2, 0.95),
    FitParam("contention", "comm_contention", 0.0, 0.5),
)


def nelder_mead(
    f: Callable[[np.ndarray], float], x0: np.ndarray, step: float = 0.1, iters: int = 600, tol: float = 1e-9
) -> np.ndarray:
    """Minimise f from x0 (standard coefficients 1, 2, 0.5, 0.5)."""
    n = len(x0)
    simplex = [x0] + [x0 + step * np.eye(n)[i] for i in range(n)]
    values = [f(x) for x in simplex]
    for _ in range(iters):
        order = np.argsort(values)
        simplex, values = [simplex[i] for i in order], [values[i] for i in order]
        if abs(values[-1] - values[0]) < tol:
            break
        centroid = np.mean(simplex[:-1], axis=0)
        reflected = centroid + (centroid - simplex[-1])
        fr = f(reflected)
        if fr < values[0]:
            expanded = centroid + 2.0 * (centroid - simplex[-1])
            fe = f(expanded)
            simplex[-1], values[-1] = (expanded, fe) if fe < fr else (reflected, fr)
        elif fr < values[-2]:
            simplex[-1], values[-1] = reflected, fr
        else:
            contracted = centroid + 0.5 * (simplex[-1] - centroid)
            fc = f(contracted)
            if fc < values[-1]:
                simplex[-1], values[-1] = contracted, fc
            else:
                simplex = [simplex[0]] + [simplex[0] + 0.5 * (x - simplex[0]) for x in simplex[1:]]
                values = [values[0]] + [f(x) for x in simplex[1:]]
    return simplex[int(np.argmin(values))]


@dataclass(frozen=True)
class Batch:
    """The representable runs of a Prepared set as arrays, ready to re-evaluate under new constants."""

    priors: dict[str, float]  # "gemm_eff.bf16" -> sourced value, ...
    ids: list[str]
    groups: dict[Grouping, list[str]]  # each run's group under each grouping
    precisions: np.ndarray
    target: np.ndarray
    models: ModelArrays
    layouts: LayoutArrays
    hw: HardwareArrays


def batch(prep: Prepared) -> Batch:
    rows = [prep.resolved[i] for i in prep.ok]
    runs = [prep.runs[i] for i in prep.ok]
    priors = dict(rows[0].hardware.globals.fit_priors) if rows else {}
    return Batch(
        priors=priors,
        ids=[r.id for r in runs],
        groups={
            "generation": [r.hardware.family for r in rows],
            "framework": [r.layout.software.family for r in rows],
            "source": [source_key(r.id) for r in runs],
        },
        precisions=np.array([r.layout.precision for r in rows]),
        target=np.array([r.target.step_time_s for r in runs]),
        models=stack_models([model_arrays(r.model) for r in rows]),
        layouts=from_layouts([r.layout for r in rows]),
        hw=stack_hardware([r.hardware.arrays() for r in rows]),
    )


def _free(b: Batch, rows: np.ndarray) -> list[FitParam]:
    """The constants the rows can inform: FP8 efficiency only with FP8 runs among them."""
    has_fp8 = bool(np.any(b.precisions[rows] == "fp8"))
    return [p for p in PARAMS if p.field != "eff_fp8" or has_fp8]


def _set(hw: HardwareArrays, params: list[FitParam], values: np.ndarray) -> HardwareArrays:
    return hw._replace(**{p.field: float(v) for p, v in zip(params, values, strict=True)})


def _to_x(p: FitParam, v: float) -> float:  # bounded -> unbounded (logit)
    u = (v - p.lower) / (p.upper - p.lower)
    u = min(max(u, 1e-6), 1 - 1e-6)
    return float(np.log(u / (1 - u)))


def _from_x(p: FitParam, x: float) -> float:
    return p.lower + (p.upper - p.lower) / (1.0 + np.exp(-x))


SCALE = {"gemm_tail_us": 1e-6}  # calibration.yaml unit -> HardwareArrays unit
PRIOR_WEIGHT = 0.1  # weight of the pull toward the priors (log scale)


def _take(b: Batch, rows: np.ndarray) -> Batch:
    def pick(nt):
        return type(nt)(*(np.asarray(v)[rows] if np.ndim(v) else v for v in nt))

    return Batch(b.priors, [b.ids[i] for i in rows], {g: [v[i] for i in rows] for g, v in b.groups.items()},
                 b.precisions[rows], b.target[rows], pick(b.models), pick(b.layouts), pick(b.hw))


def fit(b: Batch, train: np.ndarray | None = None, prior_weight: float = PRIOR_WEIGHT) -> dict[str, float]:
    """Fitted global constants from the training rows (a boolean mask; all rows by default)."""
    train = np.ones(len(b.ids), bool) if train is None else train
    rows = np.flatnonzero(train)
    if rows.size == 0:
        return {}
    params = _free(b, rows)
    start = [b.priors[p.path] * SCALE.get(p.path, 1.0) if p.path in b.priors
             else float(np.asarray(getattr(b.hw, p.field)).reshape(-1)[0]) for p in params]
    x0 = np.array([_to_x(p, v) for p, v in zip(params, start, strict=True)])
    sub = _take(b, rows)
    scale = np.array([max(v, 1e-3) for v in start])

    def loss(x: np.ndarray) -> float:
        values = np.array([_from_x(p, xi) for p, xi in zip(params, x, strict=True)])
        pred = evaluate(sub.models, sub.layouts, _set(sub.hw, params, values)).step_time_s
        r = np.log(pred / sub.target)
        prior = np.log(np.maximum(values, 1e-3) / scale)
        return float(np.mean(r * r) + prior_weight * np.sum(prior * prior))

    best = nelder_mead(loss, x0, step=0.5, iters=300 * len(params))
    return {p.path: _from_x(p, xi) / SCALE.get(p.path, 1.0) for p, xi in zip(params, best, strict=True)}


def predict_with(b: Batch, fitted: dict[str, float]) -> np.ndarray:
    params = [p for p in PARAMS if p.path in fitted]
    hw = _set(b.hw, params, np.array([fitted[p.path] * SCALE.get(p.path, 1.0) for p in params]))
    return evaluate(b.models, b.layouts, hw).step_time_s


def leave_one_group_out(b: Batch, grouping: Grouping = "source",
                        prior_weight: float = PRIOR_WEIGHT) -> dict[str, np.ndarray]:
    """For each group: the errors (%) of its runs predicted by constants fitted on all other groups."""
    labels = b.groups[grouping]
    out = {}
    for g in sorted(set(labels)):
        held = np.array([x == g for x in labels])
        fitted = fit(b, ~held, prior_weight)
        pred = predict_with(b, fitted)[held]
        out[g] = (pred - b.target[held]) / b.target[held] * 100.0
    return out


def leave_one_source_out(b: Batch, prior_weight: float = PRIOR_WEIGHT) -> dict[str, np.ndarray]:
    return leave_one_group_out(b, "source", prior_weight)


__all__ = [
    "Batch",
    "FitParam",
    "GROUPINGS",
    "Grouping",
    "PARAMS",
    "batch",
    "fit",
    "leave_one_group_out",
    "leave_one_source_out",
    "nelder_mead",
    "predict_with",
]
