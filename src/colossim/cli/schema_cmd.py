"""`colossim schema KIND`: the JSON Schema of an input file, generated from the pydantic models that validate
it (so it is always the schema the loaders enforce), for editors and for checking files before a run."""

from __future__ import annotations

from enum import StrEnum

import typer

from colossim.cli.common import guarded, print_json


class Kind(StrEnum):
    cluster = "cluster"
    model = "model"
    step = "step"
    sweep = "sweep"
    ops = "ops"
    runs = "runs"


# kind -> (module, class) of the pydantic model that validates that file
MODELS = {
    Kind.cluster: ("colossim.cluster.spec", "ClusterSpec"),
    Kind.model: ("colossim.models.schema", "ModelSpec"),
    Kind.step: ("colossim.perf.request", "StepRequest"),
    Kind.sweep: ("colossim.sweep.schema", "SweepSpec"),
    Kind.ops: ("colossim.ops.config", "OpsConfig"),
    Kind.runs: ("colossim.validation.schema", "ValidationRun"),
}


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)


def json_schema(kind: Kind) -> dict:
    import importlib

    module, name = MODELS[kind]
    model = getattr(importlib.import_module(module), name)
    out = model.model_json_schema(mode="validation")
    if kind is Kind.runs:  # a runs file is a list of runs
        out = {"type": "array", "items": out, "title": "validation runs"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **out}


@guarded
def schema(kind: Kind = typer.Argument(..., help="which input file")) -> None:
    """Print the JSON Schema of an input file: cluster (a cluster YAML), model (a --model-file), step (a
    `colossim step --file` request), sweep, ops (a `simulate --config`), runs (a validation runs file)."""
    print_json(json_schema(kind), stamp=False)
