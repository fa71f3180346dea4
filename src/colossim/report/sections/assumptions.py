"""Every input behind the report and its source: the scenario's phases, the catalog entries it uses, the
site, the cluster model's defaults, and the rows the other sections (and the core's own assumption
lists) hand in."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from colossim.catalog import Catalog
from colossim.cluster import defaults as cluster_defaults
from colossim.cluster import supply_at
from colossim.energy import Assumption, default_power_model
from colossim.report.context import Context
from colossim.report.document import Paragraph, Section, Table
from colossim.report.sections import AssumptionRow, SectionOutput

LABELS = {"area": "area", "name": "input", "value": "value", "unit": "unit", "estimate": "estimate?",
          "source": "source"}
CLUSTER_DOCS = "colossim.cluster.defaults; reasoning in docs/cluster.md (modelling assumptions)"


def from_core(area: str, rows: Iterable[Assumption]) -> list[AssumptionRow]:
    """The core's own assumption rows ({name, value, unit, source}), tagged with an area; they do not say
    whether a value is an estimate (None), their source text does."""
    return [AssumptionRow(area, a.name, a.value, a.unit, a.source, None) for a in rows]


def _price(entry) -> str:
    price = getattr(entry, "price", None)
    return "" if price is None else f", USD {price.usd_low:,.0f}-{price.usd_high:,.0f}"


def _catalog_rows(ctx: Context, catalog: Catalog, systems: Iterable[str]) -> list[AssumptionRow]:
    rows: list[AssumptionRow] = []
    gpus: list[str] = []
    nics: set[str] = set()
    for sid in dict.fromkeys(systems):
        s = catalog.systems[sid]
        gpus.append(s.gpu)
        nics.update(n for n in (s.nic, s.frontend_nic) if n)
        rows.append(AssumptionRow("catalog: systems", s.id, f"{s.gpus} x {s.gpu}, {s.power_max_kw:g} kW max"
                                  f"{_price(s)}", "per unit", s.source, s.estimate))
    for gid in dict.fromkeys(gpus):
        g = catalog.gpus[gid]
        rows.append(AssumptionRow(
            "catalog: GPUs", g.id, f"BF16 {g.dense_tflops.bf16 or 0:,.0f} / FP8 {g.dense_tflops.fp8 or 0:,.0f} "
            f"TFLOP/s dense, {g.hbm_gb:g} GB HBM, {g.tdp_w:g} W", "per GPU", g.source, g.estimate))
    fabric = ctx.spec.fabric
    sw = catalog.switches[fabric.switch]
    rows.append(AssumptionRow("catalog: network", sw.id, f"{sw.radix} x {sw.port_speed_gbps:g}G, {sw.power_w:g} W"
                              f"{_price(sw)}", "per switch", sw.source, sw.estimate))
    if fabric.nic:
        nics.add(fabric.nic)
    for nid in sorted(nics):
        n = catalog.nics[nid]
        rows.append(AssumptionRow("catalog: network", n.id, f"{n.speed_gb_s:g} Gb/s, {n.power_w:g} W", "per NIC",
                                  n.source, n.estimate))
    optic = fabric.switch_optic or sw.optic
    if optic:
        op = catalog.optics[optic]
        rows.append(AssumptionRow("catalog: network", op.id, f"{op.speed_gbps:g} Gb/s, {op.power_w:g} W"
                                  f"{_price(op)}", "per module", op.source, op.estimate))
    return rows


def _scenario_rows(ctx: Context) -> list[AssumptionRow]:
    spec = ctx.spec
    rows = [AssumptionRow("scenario", spec.name, spec.description.strip() or "-", "-", spec.source or "-")]
    for p in spec.phases:
        adds = "; ".join(f"+{a.count:,} {a.system}" for a in p.add)
        retires = "; ".join(f"-{a.count:,} {a.system}" for a in p.retire)
        rows.append(AssumptionRow("scenario", f"{p.name} from {p.start}", "; ".join(x for x in (adds, retires) if x),
                                  "units", p.source))
        if p.gas_turbine_share is not None:
            rows.append(AssumptionRow("scenario", f"{p.name} gas-turbine share", p.gas_turbine_share,
                                      "fraction of energy", p.note.strip() or p.source, True))
        if p.storage is not None:
            s = p.storage
            rows.append(AssumptionRow("scenario", f"{p.name} storage",
                                      f"{s.capacity_pb:,.0f} PB, write {s.write_gb_s:,.0f} GB/s, read "
                                      f"{s.read_gb_s:,.0f} GB/s", "-", s.source or "-", s.estimate))
    rows.append(AssumptionRow("scenario", "fabric", f"{spec.fabric.kind}, {spec.fabric.switch}, "
                              f"oversubscription {spec.fabric.oversubscription:g}:1", "-", spec.fabric.source or "-"))
    return rows


def _cluster_model_rows(ctx: Context) -> list[AssumptionRow]:
    spec = ctx.spec
    return [
        *from_core("cluster model", default_power_model().assumptions()),
        AssumptionRow("cluster model", "cpu_other_fraction", spec.cpu_other_fraction,
                      "of GPU-system nameplate", CLUSTER_DOCS, True),
        AssumptionRow("cluster model", "storage power", cluster_defaults.STORAGE_KW_PER_PB, "kW per PB",
                      CLUSTER_DOCS, True),
        AssumptionRow("cluster model", "hours a year", cluster_defaults.HOURS_PER_YEAR, "h",
                      "energy, CO2 and water assume the sustained draw all year"),
    ]


def _site_rows(ctx: Context) -> list[AssumptionRow]:
    return from_core("site", supply_at(ctx.spec, ctx.catalog, ctx.final.at).assumptions())


def _dedupe(rows: Iterable[AssumptionRow]) -> list[AssumptionRow]:
    """Each input once: the first row of an (area, name), and the first of rows that say the same thing
    (name, value, unit and source) under different areas."""
    seen: dict[tuple[str, str], AssumptionRow] = {}
    same: set[tuple[str, str, str, str]] = set()
    for r in rows:
        key = (r.name, repr(r.value), r.unit, r.source)
        if key in same:
            continue
        same.add(key)
        seen.setdefault((r.area, r.name), r)
    return list(seen.values())


def build(ctx: Context, collected: Iterable[AssumptionRow], systems: Iterable[str] = ()) -> SectionOutput:
    scenario_systems = [a.system for p in ctx.spec.phases for a in p.add]
    rows = _dedupe([*_scenario_rows(ctx), *_catalog_rows(ctx, ctx.catalog, [*scenario_systems, *systems]),
                    *_site_rows(ctx), *_cluster_model_rows(ctx), *collected])
    frame = pd.DataFrame([r.to_dict() for r in rows], columns=list(LABELS))
    frame["value"] = frame["value"].map(lambda v: v if isinstance(v, str) else f"{v:,.6g}")
    table = Table("assumptions", "Inputs and their sources",
                  "Every number the report rests on, by area (open one to read it); 'estimate' marks values that "
                  "are not official figures.", frame, LABELS, narrow="stack", group_by="area")
    estimates = int((frame["estimate"] == True).sum())  # noqa: E712 (None = not stated)
    text = Paragraph(
        f"{len(frame)} inputs, {estimates} of them estimates. Catalog numbers are vendor specifications unless "
        "marked; scenario numbers come from public statements about the cluster; model defaults come from "
        "published measurements. Change any of them in a cluster file or the catalog and run the report again."
    )
    numbers = {"assumptions": [r.to_dict() for r in rows]}
    return SectionOutput(Section("assumptions", "Assumptions and sources", (text, table)), numbers)
