"""The sweep file: a grid of (model, cluster, GPU count, global batch, objective) for one evaluator.

Validated by pydantic with `extra="forbid"`; `load_sweep` turns every problem into a
`colossim.inputs.InputError` that names the file, the field path and what to change.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    field_validator,
)

from colossim.inputs import input_error, load_yaml
from colossim.sweep.registry import DEFAULT_EVALUATOR, canonical_name

MAX_GRID_POINTS = 1_000_000  # one sweep file (~20 s to expand and key); split bigger grids into files

_NAME = r"^[A-Za-z0-9_./~][A-Za-z0-9_.\-/~]*$"  # an id, or a file path without spaces

Name = Annotated[StrictStr, Field(pattern=_NAME, max_length=200)]
Positive = Annotated[StrictInt, Field(ge=1, le=10**9)]
Objective = Annotated[StrictStr, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
OptionValue = StrictBool | StrictInt | StrictFloat | StrictStr


class Chunking(BaseModel):
    """How grid points are grouped into tasks (see docs/sweep.md, "Chunking")."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    # Ray's guidance: tasks under ~10 ms see no speed-up; we ask for >= 100 ms per task.
    target_chunk_s: float = Field(0.5, ge=0.1, le=3600.0)
    points_per_chunk: Positive | None = None


class SweepSpec(BaseModel):
    """One sweep: the Cartesian product of the five lists below, each point sent to `evaluator`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    evaluator: Annotated[StrictStr, Field(max_length=200)] = DEFAULT_EVALUATOR
    models: list[Name] = Field(min_length=1)
    clusters: list[Name] = Field(min_length=1)
    gpu_counts: list[Positive] = Field(min_length=1)
    global_batch_sizes: list[Positive] = Field(min_length=1)
    objectives: list[Objective] = Field(["time"], min_length=1)  # the plan search's: time, cost, energy
    top_k: Annotated[StrictInt, Field(ge=1, le=1000)] = 1
    options: dict[Annotated[StrictStr, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")], OptionValue] = {}
    chunking: Chunking = Chunking()
    # Finished chunks are saved together at most this often; a crash loses at most this much finished work.
    save_every_s: float = Field(1.0, ge=0.0, le=3600.0)

    @field_validator("evaluator")
    @classmethod
    def _registered(cls, value: str) -> str:
        """Only a registered evaluator (colossim.sweep.registry), by its name: a sweep file is data, never
        a reference to code to import."""
        return canonical_name(value)

    @field_validator("models", "clusters", "gpu_counts", "global_batch_sizes", "objectives")
    @classmethod
    def _unique(cls, values: list) -> list:
        seen: set = set()
        dupes = [v for v in values if v in seen or seen.add(v)]
        if dupes:
            raise ValueError(f"duplicate values {sorted(set(dupes))!r}: list each value once")
        return values

    @field_validator("options")
    @classmethod
    def _finite(cls, values: dict) -> dict:
        bad = [k for k, v in values.items() if isinstance(v, float) and not math.isfinite(v)]
        if bad:
            raise ValueError(f"options {bad} are not finite numbers: give finite values")
        return values

    @property
    def n_points(self) -> int:
        return (len(self.models) * len(self.clusters) * len(self.gpu_counts) * len(self.global_batch_sizes)
                * len(self.objectives))


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep YAML file; raises InputError (file, field path, what to change)."""
    spec = load_yaml(path, SweepSpec)
    if spec.n_points > MAX_GRID_POINTS:
        raise input_error(str(path), f"the grid has {spec.n_points:,} points, more than {MAX_GRID_POINTS:,}",
                          "split the sweep into several files", "(grid)")
    return spec
