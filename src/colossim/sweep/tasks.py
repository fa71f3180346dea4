"""The task that workers run: evaluate a chunk of grid points with a pluggable evaluator.

An evaluator is a plain top-level function `f(point: SweepPoint) -> list[dict] | DataFrame`, registered
under a name (colossim.sweep.registry) that the sweep file gives, so process pools and Ray workers load it
by name and a sweep file never names code to import. It returns the
rows for that point (best first, e.g. the top-K layouts), or raises `InfeasiblePoint(reason)` when the
point has no feasible answer. KeyError / ValueError / InputError mean a bad request (the sweep stops with
exit code 2); any other exception is a bug and stops the sweep with its traceback.
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from colossim.inputs import InputError
from colossim.sweep.grid import POINT_COLUMNS, SweepPoint
from colossim.sweep.registry import InputKind, SweepEvaluator, load_evaluator

Evaluator = Callable[[SweepPoint], Any]
FailureKind = Literal["input", "error"]


class InfeasiblePoint(Exception):
    """Raised by an evaluator when a point has no feasible answer (e.g. the model does not fit)."""


@dataclass(frozen=True)
class PointFailure:
    """Why a chunk stopped: a bad request ('input') or a bug in the evaluator ('error')."""

    kind: FailureKind
    point: str
    message: str
    traceback: str = ""


@dataclass
class ChunkResult:
    """What one task sends back. `done` maps each finished point key to None (rows written) or the reason
    it is infeasible. Points after a failure are not in `done` (they will run again on resume)."""

    done: dict[str, str | None] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)
    elapsed_s: float = 0.0
    worker: str = ""
    failure: PointFailure | None = None


def resolve_evaluator(name: str) -> Evaluator:
    """The function of the registered evaluator `name` (see colossim.sweep.registry); ValueError if it is
    not registered or cannot be imported."""
    return load_evaluator(name).evaluate


def _as_rows(result: Any) -> list[dict[str, Any]]:
    if result is None:
        return []
    if hasattr(result, "to_dict") and hasattr(result, "columns"):  # a pandas DataFrame
        return result.to_dict("records")
    rows = list(result)
    if not all(isinstance(r, dict) for r in rows):
        raise TypeError("an evaluator must return a list of dicts or a pandas DataFrame")
    return rows


def _point_rows(point: SweepPoint, key: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Prefix each row with the point's columns, its key and its rank (1 = best); the point's own
    columns win over evaluator columns of the same name."""
    head = point.columns()
    out = []
    for rank, row in enumerate(rows, start=1):
        extra = {k: v for k, v in row.items() if k not in POINT_COLUMNS and k not in ("point_key", "rank")}
        out.append({**head, "point_key": key, "rank": rank, **extra})
    return out


def run_chunk(points: Sequence[SweepPoint]) -> ChunkResult:
    """Evaluate `points` in order. Never raises: failures come back in `ChunkResult.failure` (exceptions
    do not always survive pickling between processes or through Ray)."""
    start = time.perf_counter()
    result = ChunkResult(worker=f"{socket.gethostname()}:{os.getpid()}")
    for point in points:
        key = point.key
        try:
            rows = _as_rows(resolve_evaluator(point.evaluator)(point))
        except InfeasiblePoint as exc:
            result.done[key] = str(exc) or "infeasible"
            continue
        except (InputError, KeyError, ValueError) as exc:
            message = exc.render() if isinstance(exc, InputError) else (exc.args[0] if exc.args else str(exc))
            result.failure = PointFailure("input", point.describe(), str(message))
            break
        except Exception as exc:  # a bug in the evaluator: keep its traceback for the driver
            result.failure = PointFailure("error", point.describe(), f"{type(exc).__name__}: {exc}",
                                          traceback.format_exc())
            break
        if rows:
            result.rows.extend(_point_rows(point, key, rows))
            result.done[key] = None
        else:
            result.done[key] = "the evaluator returned no rows"
    result.elapsed_s = time.perf_counter() - start
    return result


PLAN_OPTIONS = ("gpu", "at", "precision")  # options the default evaluator understands


@lru_cache(maxsize=16)
def _job_machine(cluster: str, digest: str, gpu: str | None, at: str | None) -> Any:
    """The cluster's job partition (cached per worker process: neighbouring points share a cluster; the
    content digest in the key means an edited cluster file is read again by a long-lived worker)."""
    from colossim.cluster import load_cluster
    from colossim.plan.machine import job_machine

    when = None
    if at is not None:
        try:
            when = date.fromisoformat(at)
        except ValueError:
            raise ValueError(f"option at={at!r} is not a date: write it as YYYY-MM-DD") from None
    return job_machine(load_cluster(cluster), gpu, when)


def _plan_search() -> tuple[Callable[..., Any], tuple[str, ...]]:
    try:
        from colossim.plan.search import OBJECTIVES, search
    except ImportError:
        raise ValueError("the best-plan search (colossim.plan.search) is not part of this installation: "
                         "set `evaluator:` in the sweep file to another registered evaluator") from None
    return search, tuple(OBJECTIVES)


def evaluate_point(point: SweepPoint) -> Any:
    """Default evaluator: the best-plan search (`colossim.plan.search.search`) for one grid point.

    `cluster` is a built-in scenario or a cluster YAML path; the job runs on that cluster's partition of
    `options.gpu` (default: its most numerous GPU type), as of `options.at` (YYYY-MM-DD, default: final),
    in `options.precision` (default bf16; "bf16,fp8" searches both). `objective` is one the search knows
    (time, cost, energy). A point asking for more GPUs than the partition has, or whose model fits no
    layout, is infeasible; unknown ids, objectives or options stop the sweep (exit code 2)."""
    search, objectives = _plan_search()
    from colossim.models.zoo import resolve_model

    opts = point.opts
    unknown = sorted(set(opts) - set(PLAN_OPTIONS))
    if unknown:
        raise ValueError(f"options {unknown} are not known to the plan search: use {', '.join(PLAN_OPTIONS)}")
    if point.objective not in objectives:
        raise ValueError(f"objective '{point.objective}' is not one of {', '.join(objectives)}")
    gpu, at, precision = opts.get("gpu"), opts.get("at"), opts.get("precision", "bf16")
    machine = _job_machine(point.cluster, point.cluster_digest, None if gpu is None else str(gpu),
                           None if at is None else str(at))
    if point.gpus > machine.gpus_available:
        raise InfeasiblePoint(f"{point.gpus:,} GPUs exceed the {machine.gpus_available:,} {machine.gpu} of "
                              f"'{point.cluster}'")
    model = resolve_model(point.model)
    try:
        result = search(model, machine.hardware, point.gpus, global_batch=point.global_batch,
                        objective=point.objective, top_k=point.top_k,
                        precisions=tuple(p.strip() for p in str(precision).split(",")),
                        economics=machine.economics)
    except ValueError as exc:  # nothing can run: no valid layout, nothing fits, precision unsupported
        raise InfeasiblePoint(str(exc)) from None
    return result.top


def plan_inputs(kind: InputKind, name: str) -> Any:
    """What a model or cluster name means to the plan search (hashed into the point keys): the zoo's model,
    or the validated cluster (a built-in scenario or a YAML file) with the catalog it is priced from."""
    if kind == "model":
        from colossim.models.zoo import resolve_model

        return resolve_model(name)
    from colossim.catalog import load_catalog
    from colossim.cluster import load_cluster

    catalog = load_catalog()
    sections = {k: v.entries for k, v in vars(catalog).items() if hasattr(v, "entries")}
    return {"cluster": load_cluster(name, catalog), "catalog": sections}


plan_evaluator = SweepEvaluator(evaluate_point, resolve=plan_inputs)  # registered as "plan" (the default)
