"""The task that workers run: evaluate a chunk of grid points with a pluggable evaluator.

An evaluator is a plain top-level function `f(point: SweepPoint) -> list[dict] | DataFrame` named in the
sweep file as "package.module:function", so process pools and Ray can ship it by name. It returns the
rows for that point (best first, e.g. the top-K layouts), or raises `InfeasiblePoint(reason)` when the
point has no feasible answer. KeyError / ValueError / InputError mean a bad request (the sweep stops with
exit code 2); any other exception is a bug and stops the sweep with its traceback.
"""

from __future__ import annotations

import importlib
import os
import socket
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from colossim.inputs import InputError
from colossim.sweep.grid import POINT_COLUMNS, SweepPoint

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


_RESOLVED: dict[str, Evaluator] = {}


def resolve_evaluator(ref: str) -> Evaluator:
    """Import "package.module:function" and return the function (cached per process)."""
    if ref in _RESOLVED:
        return _RESOLVED[ref]
    module_name, _, attr = ref.partition(":")
    if not module_name or not attr:
        raise ValueError(f"evaluator {ref!r} must be written 'package.module:function'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ValueError(f"cannot import evaluator module '{module_name}' ({exc}): install it or fix the name"
                         ) from None
    fn = getattr(module, attr, None)
    if not callable(fn):
        raise ValueError(f"module '{module_name}' has no function '{attr}': fix the evaluator name")
    _RESOLVED[ref] = fn
    return fn


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


def evaluate_point(point: SweepPoint) -> Any:
    """Default evaluator: the best-plan search (`colossim.plan.search`) for one grid point."""
    try:
        plan = importlib.import_module("colossim.plan")
    except ImportError:
        plan = None
    search = getattr(plan, "search", None)
    if not callable(search):
        raise ValueError("the best-plan search (colossim.plan.search) is not part of this installation: "
                         "set `evaluator: package.module:function` in the sweep file")
    table = search(model=point.model, cluster=point.cluster, gpus=point.gpus, global_batch=point.global_batch,
                   objective=point.objective, top_k=point.top_k, **point.opts)
    if len(table) == 0:
        raise InfeasiblePoint("no parallel layout fits this point")
    return table
