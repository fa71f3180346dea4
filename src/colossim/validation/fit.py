"""Fit the per-family compute constants of calibration.yaml to a set of runs, and check how well the
fit generalises with leave-one-source-out cross-validation (refit without a source, predict it).

Only four constants per GPU family are fitted (large-GEMM efficiency at BF16 and at FP8, the GEMM size
at half efficiency, fused-attention efficiency); everything else (bandwidths, overlaps, memory) keeps its
sourced value. The loss is the mean squared log ratio predicted/target over all representable runs of
the family at once, minimised by Nelder-Mead within stated bounds. Pure numpy; nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from colossim.perf.hardware import HardwareArrays, stack_hardware
from colossim.perf.layout import LayoutArrays, from_layouts
from colossim.perf.shapes import ModelArrays, model_arrays, stack_models
from colossim.perf.step import evaluate
from colossim.validation.predict import Prepared, source_key


@dataclass(frozen=True)
class FitParam:
    field: str  # HardwareArrays field
    path: tuple[str, ...]  # where it lives in a family's calibration block
    lower: float
    upper: float
    scale: float = 1.0  # HardwareArrays value = calibration value x scale


PARAMS: tuple[FitParam, ...] = (
    FitParam("eff_bf16", ("gemm_eff", "bf16"), 0.3, 0.95),
    FitParam("eff_fp8", ("gemm_eff", "fp8"), 0.2, 0.95),
    FitParam("attention_eff", ("attention_eff",), 0.05, 0.75),
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

    priors: dict[str, dict[str, float]]  # family -> {"gemm_eff.bf16": sourced value, ...}
    ids: list[str]
    sources: list[str]
    families: np.ndarray
    precisions: np.ndarray
    target: np.ndarray
    models: ModelArrays
    layouts: LayoutArrays
    hw: HardwareArrays


def batch(prep: Prepared) -> Batch:
    rows = [prep.resolved[i] for i in prep.ok]
    runs = [prep.runs[i] for i in prep.ok]
    priors = {r.hardware.family: dict(r.hardware.calibration.fit_priors) for r in rows}
    return Batch(
        priors=priors,
        ids=[r.id for r in runs],
        sources=[source_key(r.id) for r in runs],
        families=np.array([r.hardware.family for r in rows]),
        precisions=np.array([r.layout.precision for r in rows]),
        target=np.array([r.target.step_time_s for r in runs]),
        models=stack_models([model_arrays(r.model) for r in rows]),
        layouts=from_layouts([r.layout for r in rows]),
        hw=stack_hardware([r.hardware.arrays() for r in rows]),
    )


def _free(b: Batch, family: str, rows: np.ndarray) -> list[FitParam]:
    """The constants a family's runs can inform: FP8 efficiency only if it has FP8 runs, etc."""
    has_fp8 = bool(np.any(b.precisions[rows] == "fp8"))
    has_bf16 = bool(np.any(b.precisions[rows] == "bf16"))
    out = []
    for p in PARAMS:
        if p.field == "eff_fp8" and not has_fp8:
            continue
        if p.field == "eff_bf16" and not has_bf16 and has_fp8:
            continue  # BF16 GEMM efficiency still sets the LM head; keep its sourced value
        out.append(p)
    return out


def _set(hw: HardwareArrays, rows: np.ndarray, params: list[FitParam], values: np.ndarray) -> HardwareArrays:
    updates = {}
    for p, v in zip(params, values, strict=True):
        col = np.array(getattr(hw, p.field), dtype=float, copy=True)
        col[rows] = v * p.scale
        updates[p.field] = col
    return hw._replace(**updates)


def _to_x(p: FitParam, v: float) -> float:  # bounded -> unbounded (logit)
    u = (v - p.lower) / (p.upper - p.lower)
    u = min(max(u, 1e-6), 1 - 1e-6)
    return float(np.log(u / (1 - u)))


def _from_x(p: FitParam, x: float) -> float:
    return p.lower + (p.upper - p.lower) / (1.0 + np.exp(-x))


PRIOR_WEIGHT = 0.1  # weight of the pull toward the sourced starting values (log scale), chosen by LOSO


def fit_family(
    b: Batch, family: str, train: np.ndarray, prior_weight: float = PRIOR_WEIGHT
) -> dict[str, float]:
    """Fitted constants of one family from the training rows (a boolean mask). The loss is the mean squared
    log error plus prior_weight x the squared log distance of each constant from its sourced value."""
    rows = np.flatnonzero((b.families == family) & train)
    if rows.size == 0:
        return {}
    params = _free(b, family, rows)
    priors = b.priors.get(family, {})
    start = [
        priors.get(".".join(p.path), float(np.asarray(getattr(b.hw, p.field))[rows[0]]) / p.scale)
        for p in params
    ]
    x0 = np.array([_to_x(p, v) for p, v in zip(params, start, strict=True)])
    sub = _take(b, rows)

    def loss(x: np.ndarray) -> float:
        values = np.array([_from_x(p, xi) for p, xi in zip(params, x, strict=True)])
        hw = _set(sub.hw, np.arange(rows.size), params, values)
        pred = evaluate(sub.models, sub.layouts, hw).step_time_s
        r = np.log(pred / sub.target)
        prior = np.log(values / np.array(start))
        return float(np.mean(r * r) + prior_weight * np.sum(prior * prior))

    best = nelder_mead(loss, x0, step=0.5, iters=400 * len(params))
    return {".".join(p.path): _from_x(p, xi) for p, xi in zip(params, best, strict=True)}


def _take(b: Batch, rows: np.ndarray) -> Batch:
    def pick(nt):
        return type(nt)(*(np.asarray(v)[rows] if np.ndim(v) else v for v in nt))

    return Batch(
        b.priors,
        [b.ids[i] for i in rows],
        [b.sources[i] for i in rows],
        b.families[rows],
        b.precisions[rows],
        b.target[rows],
        pick(b.models),
        pick(b.layouts),
        pick(b.hw),
    )


def fit(
    b: Batch, train: np.ndarray | None = None, prior_weight: float = PRIOR_WEIGHT
) -> dict[str, dict[str, float]]:
    train = np.ones(len(b.ids), bool) if train is None else train
    return {fam: fit_family(b, fam, train, prior_weight) for fam in sorted(set(b.families.tolist()))}


def predict_with(b: Batch, fitted: dict[str, dict[str, float]]) -> np.ndarray:
    hw = b.hw
    for fam, values in fitted.items():
        rows = np.flatnonzero(b.families == fam)
        params = [p for p in PARAMS if ".".join(p.path) in values]
        hw = _set(hw, rows, params, np.array([values[".".join(p.path)] for p in params]))
    return evaluate(b.models, b.layouts, hw).step_time_s


def leave_one_source_out(b: Batch, prior_weight: float = PRIOR_WEIGHT) -> dict[str, np.ndarray]:
    """For each source: the errors (%) of its runs predicted by constants fitted on all other sources."""
    out = {}
    for src in sorted(set(b.sources)):
        held = np.array([s == src for s in b.sources])
        fitted = fit(b, ~held, prior_weight)
        pred = predict_with(b, fitted)[held]
        out[src] = (pred - b.target[held]) / b.target[held] * 100.0
    return out


__all__ = [
    "Batch",
    "FitParam",
    "PARAMS",
    "batch",
    "fit",
    "fit_family",
    "leave_one_source_out",
    "nelder_mead",
    "predict_with",
]
