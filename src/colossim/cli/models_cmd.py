"""`colossim models`: the model zoo, ids with names and sizes (the ids --model takes; --model-file takes a
model of your own in the same YAML shape, `colossim schema model`)."""

from __future__ import annotations

import typer

from colossim.cli.common import console, guarded, print_json


def register(app: typer.Typer) -> None:
    app.command("models")(models)


@guarded
def models(json_out: bool = typer.Option(False, "--json", help="print JSON instead of a table")) -> None:
    """List the model zoo: id, name, layers, total and active parameters, sequence length, published batch."""
    from rich.table import Table

    from colossim.models import load_zoo, param_counts

    rows = []
    for m in load_zoo():
        p = param_counts(m)
        rows.append({"id": m.id, "name": m.name, "aliases": list(m.aliases), "layers": m.layers, "hidden": m.hidden,
                     "attention": m.attention, "moe": m.moe is not None, "params_b": p.total / 1e9,
                     "active_params_b": p.active / 1e9, "seq_len": m.seq_len, "global_batch": m.global_batch,
                     "estimate": m.estimate})
    if json_out:
        print_json({"models": rows})
        return
    table = Table(title="model zoo (colossim/models/data/zoo.yaml)")
    for col in ("id", "name", "params (B)", "active (B)", "layers", "attention", "seq", "batch", "estimate"):
        table.add_column(col)
    for r in rows:
        batch = "-" if r["global_batch"] is None else f"{r['global_batch']:,}"
        table.add_row(r["id"], r["name"], f"{r['params_b']:,.1f}", f"{r['active_params_b']:,.1f}", str(r["layers"]),
                      r["attention"], f"{r['seq_len']:,}", batch, "yes" if r["estimate"] else "")
    console.print(table)
