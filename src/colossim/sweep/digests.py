"""Content digests of a sweep's inputs: what each model and cluster name stands for, so that point keys
follow the content, not the name (an edited cluster file gives new keys and its points run again).

The evaluator says what a name means (`SweepEvaluator.resolve`: for the plan search, the validated cluster
with the catalog it is priced from, and the zoo's model); without a resolver, a name that is a file path
stands for the file's bytes and any other name for itself. Digests are computed once per sweep, on the
driver, before any point runs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from colossim.inputs import InputError, InputProblem, read_bytes
from colossim.sweep.grid import SweepPoint, expand_grid
from colossim.sweep.registry import InputKind, SweepEvaluator, load_evaluator
from colossim.sweep.schema import SweepSpec

DIGEST_HEX = 16


def canonical(value: Any) -> Any:
    """A JSON-ready, order-independent form of a value (pydantic models, dataclasses, dates, bytes...)."""
    if isinstance(value, BaseModel):
        return canonical(value.model_dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [canonical(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest()}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def digest(value: Any) -> str:
    """First 16 hex digits of the SHA-256 of the value's canonical JSON."""
    text = json.dumps(canonical(value), sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_HEX]


def _is_file(name: str) -> bool:
    try:
        return Path(name).is_file()
    except (OSError, ValueError):
        return False


def _content(evaluator: SweepEvaluator, kind: InputKind, name: str) -> Any:
    if evaluator.resolve is not None:
        return evaluator.resolve(kind, name)
    return {"file": read_bytes(name)} if _is_file(name) else {"name": name}


def input_digests(spec: SweepSpec, source: str = "sweep") -> dict[tuple[str, str], str]:
    """("model" | "cluster", name) -> digest of what the name stands for, for every model and cluster of
    the sweep. A name the evaluator cannot resolve (an unknown model, a cluster file that does not
    validate) stops the sweep here, before any work: InputError naming the sweep file's field (a cluster
    file's own problems name that file)."""
    try:
        evaluator = load_evaluator(spec.evaluator)
    except ValueError as exc:
        raise InputError(source, [InputProblem("evaluator", str(exc.args[0]))]) from None
    out: dict[tuple[str, str], str] = {}
    for kind, names in (("model", spec.models), ("cluster", spec.clusters)):
        for i, name in enumerate(names):
            try:
                out[(kind, name)] = digest(_content(evaluator, kind, name))  # type: ignore[arg-type]
            except InputError:
                raise
            except (KeyError, ValueError) as exc:
                message = exc.args[0] if exc.args else str(exc)
                raise InputError(source, [InputProblem(f"{kind}s.{i}", str(message),
                                                       f"fix the {kind} name in the sweep file")]) from None
    return out


def resolved_grid(spec: SweepSpec, source: str = "sweep") -> list[SweepPoint]:
    """The sweep's grid points with the content digests of their inputs in their keys (what run_sweep runs)."""
    return expand_grid(spec, input_digests(spec, source))


__all__ = ["canonical", "digest", "input_digests", "resolved_grid"]
