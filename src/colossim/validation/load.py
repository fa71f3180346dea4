"""Read a runs file (a YAML list of runs, schema in validation/schema.py); default: the shipped copy."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from colossim.inputs import input_error, parse_yaml_text, read_yaml, validate
from colossim.validation.schema import ValidationFile, ValidationRun

SHIPPED_RUNS = "colossim/validation/data/runs.yaml"


def _runs(data, source: str) -> list[ValidationRun]:
    if not isinstance(data, list):
        raise input_error(
            source, "a runs file must be a YAML list of runs", "see colossim/validation/data/runs.yaml"
        )
    if not data:
        raise input_error(source, "the runs file lists no runs", "add at least one run (see "
                          "colossim/validation/data/runs.yaml)")
    parsed = validate({"runs": data}, ValidationFile, source).runs
    seen: set[str] = set()
    for r in parsed:
        if r.id in seen:
            raise input_error(source, f"duplicate run id '{r.id}'", "give each run a unique id")
        seen.add(r.id)
    return parsed


@lru_cache(maxsize=1)
def _shipped() -> tuple[ValidationRun, ...]:
    text = (resources.files("colossim.validation") / "data" / "runs.yaml").read_text(encoding="utf-8")
    return tuple(_runs(parse_yaml_text(text, SHIPPED_RUNS), SHIPPED_RUNS))


def load_runs(path: str | Path | None = None) -> list[ValidationRun]:
    """Runs from `path`, or the shipped copy of shared/validation/runs.yaml when None (parsed once)."""
    if path is None:
        return list(_shipped())
    return _runs(read_yaml(path), str(path))


__all__ = ["SHIPPED_RUNS", "load_runs"]
