"""`colossim catalog [gpus|systems|sites|nics|switches|optics]`: list what the shipped catalog holds, ids with
names (the ids every other command and input file takes)."""

from __future__ import annotations

from enum import StrEnum

import typer

from colossim.cli.common import console, guarded, print_json


class Kind(StrEnum):
    gpus = "gpus"
    systems = "systems"
    sites = "sites"
    nics = "nics"
    switches = "switches"
    optics = "optics"


def register(app: typer.Typer) -> None:
    app.command("catalog")(catalog)


def _rows(kind: Kind) -> list[dict]:
    from colossim.catalog import load_catalog

    cat = load_catalog()
    if kind is Kind.gpus:
        return [{"id": g.id, "name": g.name, "aliases": list(g.aliases), "bf16_tflops": g.dense_tflops.bf16,
                 "fp8_tflops": g.dense_tflops.fp8, "fp4_tflops": g.dense_tflops.fp4, "hbm_gb": g.hbm_gb,
                 "hbm_bw_tb_s": g.hbm_bw_tb_s, "tdp_w": g.tdp_w, "scale_up_domain": g.scale_up_domain,
                 "estimate": g.estimate} for g in cat.gpus]
    if kind is Kind.systems:
        return [{"id": s.id, "name": s.name, "aliases": list(s.aliases), "gpu": s.gpu, "gpus": s.gpus,
                 "kind": s.kind, "power_max_kw": s.power_max_kw, "cooling": s.cooling,
                 "price_usd_mid": s.price.usd_mid if s.price else None, "estimate": s.estimate} for s in cat.systems]
    if kind is Kind.sites:
        return [{"id": s.id, "name": s.name, "location": s.location, "pue_default": s.pue_default,
                 "power_price_usd_per_kwh": s.power_price_usd_per_kwh, "estimate": s.estimate} for s in cat.sites]
    section = getattr(cat, kind.value)
    return [{"id": x.id, "name": x.name, "estimate": x.estimate} for x in section]


COLUMNS = {
    Kind.gpus: ("id", "name", "bf16_tflops", "fp8_tflops", "fp4_tflops", "hbm_gb", "hbm_bw_tb_s", "tdp_w",
                "scale_up_domain"),
    Kind.systems: ("id", "name", "gpu", "gpus", "kind", "power_max_kw", "cooling", "price_usd_mid"),
    Kind.sites: ("id", "name", "location", "pue_default", "power_price_usd_per_kwh"),
}


@guarded
def catalog(
    kind: Kind = typer.Argument(Kind.gpus, help="what to list"),
    json_out: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
) -> None:
    """List the catalog: GPUs (dense peak rates, never sparse), systems, sites, NICs, switches or optics,
    with the ids the other commands and input files take."""
    from rich.table import Table

    rows = _rows(kind)
    if json_out:
        print_json({kind.value: rows})
        return
    cols = COLUMNS.get(kind, ("id", "name"))
    table = Table(title=f"catalog {kind.value}" + (" (dense peak, never sparse)" if kind is Kind.gpus else ""))
    for col in cols:
        table.add_column(col)
    for r in rows:
        table.add_row(*("-" if r[c] is None else f"{r[c]:,}" if isinstance(r[c], int) and not isinstance(r[c], bool)
                        else str(r[c]) for c in cols))
    console.print(table)
