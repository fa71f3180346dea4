"""Power and emissions by date, per site: what the grid, the batteries and the gas turbines carried, month by
month, and the turbines' NOx and the sites' CO2 (colossim.cluster.ledger, the supply ledger every command
uses), with the air permits' caps on the dates their steps change. The sites are the report's cluster and, when
it belongs to a built-in campus, the other sites of that campus (their observed variant where there is one)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from colossim.cluster import ClusterSpec, load_cluster
from colossim.cluster.campus import list_campuses, load_campus
from colossim.cluster.ledger import SupplyLedger, supply_ledger
from colossim.cluster.supply_day import SupplyDay, monthly, supply_day
from colossim.energy.emissions import pollutant_kg
from colossim.report.context import Context
from colossim.report.document import Paragraph, Section, Table
from colossim.report.figures import SupplySeries, supply_figure
from colossim.report.sections import AssumptionRow, SectionOutput

LABELS = {
    "site": "site (scenario)", "date": "date", "event": "what changes", "demand_mw": "demand (MW)",
    "grid_mw": "grid (MW)", "battery_mw": "batteries (MW)", "turbine_mw": "turbines (MW)",
    "turbine_units": "turbines on site", "unserved_mw": "unserved (MW)", "turbine_share": "turbine share",
    "nox_t_per_year": "NOx (t/year, this day)", "nox_t_12_months": "NOx (t, 12 months to date)",
    "co2_kt_per_year": "CO2 (kt/year, this day)", "water_mgal_per_day": "water (Mgal/day)",
    "permit": "permit caps (this day for a year)",
}
FORMATS = {"demand_mw": ",.0f", "grid_mw": ",.0f", "battery_mw": ",.1f", "turbine_mw": ",.0f",
           "unserved_mw": ",.0f", "turbine_share": ".0%", "nox_t_per_year": ",.1f", "nox_t_12_months": ",.1f",
           "co2_kt_per_year": ",.0f", "water_mgal_per_day": ",.2f"}


def site_specs(ctx: Context) -> list[ClusterSpec]:
    """The report's cluster first, then the other sites of any built-in campus it belongs to (one scenario per
    site, the observed variant where a site has one)."""
    names = [ctx.spec.name]
    for campus in list_campuses():
        members = load_campus(campus).members
        if ctx.spec.name in members:
            names += [m for m in members if m not in names]
    chosen: dict[str, ClusterSpec] = {}
    for name in names:
        spec = ctx.spec if name == ctx.spec.name else load_cluster(name, ctx.catalog)
        have = chosen.get(spec.site)
        if have is None or (have is not ctx.spec and spec.variant is not None and spec.variant.kind == "observed"):
            chosen[spec.site] = spec
    return [s for s in chosen.values() if s.supply is not None]


def _events(spec: ClusterSpec) -> list[tuple[date, str]]:
    supply = spec.supply
    out: dict[date, list[str]] = {}
    for p in spec.phases:
        out.setdefault(p.start, []).append(f"phase {p.name}")
    for g in supply.grid:
        out.setdefault(g.start, []).append(f"grid {g.mw:g} MW")
    for t in supply.turbines:
        out.setdefault(t.start, []).append(f"{t.units} x {t.model} ({t.fleet})")
    for b in supply.batteries:
        out.setdefault(b.start, []).append(f"{b.units} x {b.model}")
    return sorted((d, "; ".join(what)) for d, what in out.items())


def _permit_words(day: SupplyDay) -> str:
    checks = [p for p in day.permits if p.basis == "this day for a year"]
    words = []
    for p in checks:
        for c in p.caps:
            verdict = "within" if c.within_cap else "ABOVE"
            ref = "" if p.caps_published else " (reference line, caps not published)"
            words.append(f"{c.pollutant} {c.emitted_short_tons:,.0f} of {c.cap_short_tons:g} US tons: {verdict}{ref}")
    return "; ".join(words) or "-"


def _rows(spec: ClusterSpec, ledger: SupplyLedger) -> list[dict]:
    rows = []
    for at, what in _events(spec):
        if not ledger.start <= at <= ledger.end:
            continue
        day = supply_day(ledger, at, spec.supply.permits)
        rows.append({
            "site": f"{spec.site} ({spec.name})", "date": at.isoformat(), "event": what,
            "demand_mw": day.demand_mw, "grid_mw": day.grid_mw, "battery_mw": day.battery_mw,
            "turbine_mw": day.turbine_mw, "turbine_units": day.turbine_units, "unserved_mw": day.unserved_mw,
            "turbine_share": day.turbine_share, "nox_t_per_year": day.per_year.nox_t,
            "nox_t_12_months": day.last_12_months.nox_t, "co2_kt_per_year": day.per_year.co2_t / 1e3,
            "water_mgal_per_day": day.water_million_gal_per_day, "permit": _permit_words(day),
        })
    return rows


def _series(spec: ClusterSpec, ledger: SupplyLedger) -> SupplySeries:
    r = ledger.result
    months, grid = monthly(ledger, r.grid_mwh / 24.0 - r.battery_charge_mwh / 24.0)
    nox = np.sum([pollutant_kg(ledger.fuel_mmbtu[k], f.factors.nox) for k, f in enumerate(ledger.fleets)], axis=0) \
        if ledger.fleets else np.zeros(ledger.days)
    return SupplySeries(
        site=f"{spec.name} ({spec.site})", months=np.array(months, dtype="datetime64[D]"), grid_mw=np.asarray(grid),
        battery_mw=np.asarray(monthly(ledger, r.battery_mwh / 24.0)[1]),
        turbine_mw=np.asarray(monthly(ledger, r.turbine_total_mwh / 24.0)[1]),
        unserved_mw=np.asarray(monthly(ledger, r.unserved_mwh / 24.0)[1]),
        nox_t_per_month=np.asarray(monthly(ledger, nox / 1e3)[1]) * 30.44,
        co2_kt_per_month=np.asarray(monthly(ledger, ledger.co2_t / 1e3)[1]) * 30.44)


def _assumptions(specs: list[ClusterSpec]) -> tuple[AssumptionRow, ...]:
    rows = []
    for spec in specs:
        s = spec.supply
        for g in s.grid:
            rows.append(AssumptionRow("supply", f"{spec.name}: grid from {g.start}", g.mw, "MW",
                                      f"[{g.confidence}] {g.source}", g.estimate))
        for t in s.turbines:
            rows.append(AssumptionRow("supply", f"{spec.name}: {t.fleet} from {t.start}", f"{t.units} x {t.model}"
                                      f"{' + ' + ', '.join(t.controls) if t.controls else ''}", "units",
                                      f"[{t.confidence}] {t.source}", t.estimate))
        for b in s.batteries:
            rows.append(AssumptionRow("supply", f"{spec.name}: batteries from {b.start}", f"{b.units} x {b.model}",
                                      "units", f"[{b.confidence}] {b.source}", b.estimate))
        for p in s.permits:
            caps = ", ".join(f"{k} {v:g}" for k, v in p.caps_short_tons.items())
            rows.append(AssumptionRow("supply", f"{spec.name}: permit {p.id}", caps, "US short tons per 12 months",
                                      f"[{p.confidence}] {p.source}", not p.caps_published))
        rows.append(AssumptionRow("supply", f"{spec.name}: daily load swing", s.load_swing, "of the mean",
                                  s.load_swing_source, True))
    return tuple(rows)


def _monthly_numbers(s: SupplySeries) -> dict[str, list]:
    return {"months": [str(m) for m in s.months], "grid_mw": s.grid_mw.tolist(), "battery_mw": s.battery_mw.tolist(),
            "turbine_mw": s.turbine_mw.tolist(), "unserved_mw": s.unserved_mw.tolist(),
            "nox_t_per_month": s.nox_t_per_month.tolist(), "co2_kt_per_month": s.co2_kt_per_month.tolist()}


def build(ctx: Context) -> SectionOutput:
    specs = site_specs(ctx)
    if not specs:
        text = Paragraph(f"{ctx.spec.name} has no dated supply timeline (grid, turbines, batteries), so its CO2 uses "
                         "one gas-turbine share per phase; add a `supply:` section to its cluster file for this "
                         "section.")
        return SectionOutput(Section("environment", "Power supply and emissions by date", (text,)),
                             {"environment": {"available": False, "sites": []}})
    ledgers = [supply_ledger(s, ctx.catalog) for s in specs]
    series = [_series(spec, book) for spec, book in zip(specs, ledgers, strict=True)]
    rows = [row for spec, book in zip(specs, ledgers, strict=True) for row in _rows(spec, book)]
    frame = pd.DataFrame(rows, columns=list(LABELS))
    table = Table("supply_by_date", "The supply and its emissions on the dates it changes",
                  "Each site on each date its GPUs, grid, turbines or batteries change: daily means that day, NOx and "
                  "CO2 for that day's operation over a year, and the permits' caps (US short tons) against the "
                  "units they cover.", frame, LABELS, FORMATS, summary=True)
    mine = [r for r in rows if r["site"].endswith(f"({specs[0].name})") and r["demand_mw"] > 0]
    peak = max(rows, key=lambda r: r["nox_t_per_year"]) if rows else None
    short = [r for r in rows if r["unserved_mw"] > 0.5]
    text = Paragraph(
        "Electricity came from the grid as far as its capacity went; what the grid could not carry came from "
        "batteries only for hours (they move energy within a day, they do not make it) and otherwise from gas "
        "turbines trucked or built on site. "
        + (f"On {specs[0].name}, turbines carried {mine[0]['turbine_share']:.0%} of the supply on {mine[0]['date']} "
           f"and {mine[-1]['turbine_share']:.0%} on {mine[-1]['date']}. " if mine else "")
        + (f"The highest NOx rate was on {peak['date']} at {peak['site']}: {peak['nox_t_per_year']:,.0f} t a year "
           "at that day's operation. " if peak else "")
        + (f"On {len(short)} of these dates a site's load exceeds its published supply (up to "
           f"{max(r['unserved_mw'] for r in short):,.0f} MW): either the load was smaller or the supply larger than "
           "the record shows." if short else "")
    )
    numbers = {"environment": {"available": True, "sites": [
        {"scenario": spec.name, "site": spec.site, "rows": [r for r in rows if r["site"].endswith(f"({spec.name})")],
         "monthly": _monthly_numbers(s)}
        for spec, s in zip(specs, series, strict=True)]}}
    figure = supply_figure(series, [spec.name for spec in specs])
    section = Section("environment", "Power supply and emissions by date", (text, figure, table))
    return SectionOutput(section, numbers, _assumptions(specs))


__all__ = ["build", "site_specs"]
