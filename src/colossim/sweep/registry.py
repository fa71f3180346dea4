"""The evaluators a sweep file may name: a fixed table of built-ins plus the entry-point group
`colossim.evaluators` of installed packages (docs/sweep.md, "Evaluators").

A sweep file is data: its `evaluator:` field is a registered name, never an import path, so a sweep file
from someone else cannot make colossim import arbitrary code. Registering an evaluator is a decision of
whoever installs the package that provides it:

    # pyproject.toml of the package that provides it
    [project.entry-points."colossim.evaluators"]
    my_search = "my_package.sweeps:my_search"

An entry point names either a plain function `f(point) -> rows` or a `SweepEvaluator`, which may also say
what content a model or cluster name stands for (hashed into the point keys, so an edited input reruns).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from colossim.sweep.grid import SweepPoint

ENTRY_POINT_GROUP = "colossim.evaluators"
DEFAULT_EVALUATOR = "plan"
BUILT_IN: dict[str, str] = {DEFAULT_EVALUATOR: "colossim.sweep.tasks:plan_evaluator"}  # name -> module:attribute
# Sweep files written before evaluators were registered named the default by its import path.
LEGACY_NAMES: dict[str, str] = {"colossim.sweep.tasks:evaluate_point": DEFAULT_EVALUATOR}

InputKind = Literal["model", "cluster"]


@dataclass(frozen=True)
class SweepEvaluator:
    """`evaluate(point)` returns the point's rows, best first (see colossim.sweep.tasks). `resolve(kind,
    name)`, when given, returns the validated content a model or cluster name stands for (any JSON-able
    value, pydantic models included); without it a name that is a file path stands for the file's bytes and
    any other name for itself."""

    evaluate: Callable[[SweepPoint], Any]
    resolve: Callable[[InputKind, str], Any] | None = None


def registered() -> dict[str, str]:
    """Every evaluator name a sweep file may use, with the `module:attribute` it stands for. Built-in
    names cannot be taken by an entry point."""
    table = dict(BUILT_IN)
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        table.setdefault(ep.name, ep.value)
    return table


def _registration_hint() -> str:
    return (f"use one of {', '.join(sorted(registered()))}, or register your own under the entry-point group "
            f"'{ENTRY_POINT_GROUP}' (docs/sweep.md)")


def canonical_name(name: str) -> str:
    """The registered name for `name`: the name itself, or the name whose target is `name` (so a sweep file
    written with the target, e.g. 'colossim.sweep.tasks:plan_evaluator', still works). ValueError if
    neither."""
    table = registered()
    if name in table:
        return name
    if name in LEGACY_NAMES:
        return LEGACY_NAMES[name]
    by_target = [n for n, target in sorted(table.items()) if target == name]
    if by_target:
        return by_target[0]
    raise ValueError(f"evaluator {name!r} is not registered: {_registration_hint()}")


_LOADED: dict[str, SweepEvaluator] = {}


def load_evaluator(name: str) -> SweepEvaluator:
    """The registered evaluator `name` (imported on first use in each process). ValueError when the name is
    not registered or its target cannot be imported."""
    if name in _LOADED:
        return _LOADED[name]
    table = registered()
    if name not in table:
        raise ValueError(f"evaluator {name!r} is not registered: {_registration_hint()}")
    target = table[name]
    module_name, _, attr = target.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr.split(".") if attr else ():
            obj = getattr(obj, part)
    except ImportError as exc:
        raise ValueError(f"evaluator {name!r} is registered as {target!r}, but module '{module_name}' cannot "
                         f"be imported ({exc}): install it or fix its registration") from None
    except AttributeError:
        raise ValueError(f"evaluator {name!r} is registered as {target!r}, but module '{module_name}' has no "
                         f"'{attr}': fix its registration") from None
    if isinstance(obj, SweepEvaluator):
        evaluator = obj
    elif callable(obj) and not isinstance(obj, type):
        evaluator = SweepEvaluator(obj)
    else:
        raise ValueError(f"evaluator {name!r} is registered as {target!r}, which is not a function or a "
                         "SweepEvaluator: fix its registration")
    _LOADED[name] = evaluator
    return evaluator


__all__ = ["BUILT_IN", "DEFAULT_EVALUATOR", "ENTRY_POINT_GROUP", "InputKind", "SweepEvaluator", "canonical_name",
           "load_evaluator", "registered"]
