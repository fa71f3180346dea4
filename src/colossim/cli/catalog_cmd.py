"""`colossim catalog`: list what the shipped catalog holds."""

from __future__ import annotations

import typer
from rich.table import Table

from colossim.catalog import load_catalog
from colossim.cli.common import console, guarded, print_json


def register(app: typer.Typer) -> None:
    app.command("catalog")(catalog)


@guarded
def catalog(json_out: bool = typer.Option(False, "--json", help="print JSON instead of a table")) -> None:
    """List the GPUs of the catalog with their dense peak rates, memory and power."""
    cat = load_catalog()
    rows = [
        {
            "id": g.id, "name": g.name, "bf16_tflops": g.dense_tflops.bf16, "fp8_tflops": g.dense_tflops.fp8,
            "fp4_tflops": g.dense_tflops.fp4, "hbm_gb": g.hbm_gb, "hbm_bw_tb_s": g.hbm_bw_tb_s, "tdp_w": g.tdp_w,
            "scale_up_domain": g.scale_up_domain, "estimate": g.estimate,
        }
        for g in cat.gpus
    ]
    if json_out:
        print_json({"gpus": rows})
        return
    table = Table(title="GPUs (dense peak, never sparse)")
    for col in ("id", "bf16 TFLOP/s", "fp8 TFLOP/s", "fp4 TFLOP/s", "HBM GB", "HBM TB/s", "TDP W", "scale-up"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["id"], *(str(r[k] if r[k] is not None else "-") for k in
                                 ("bf16_tflops", "fp8_tflops", "fp4_tflops", "hbm_gb", "hbm_bw_tb_s", "tdp_w",
                                  "scale_up_domain")))
    console.print(table)
