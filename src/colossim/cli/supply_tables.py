"""Rich tables of `colossim cluster`: the supply ledger on a date (sources, turbine fleets, emissions a year,
permit caps), a campus, and the claimed and observed variants of one site side by side."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.markup import escape
from rich.table import Table

from colossim.cluster.campus import CampusFigures
from colossim.cluster.claims import ClaimRow
from colossim.cluster.figures import ClusterFigures
from colossim.cluster.supply_day import SupplyDay


def _n(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title)
    for i, col in enumerate(columns):
        table.add_column(col, justify="left" if i == 0 else "right", overflow="fold")
    return table


def supply_table(day: SupplyDay) -> Table:
    table = _table(f"supply on {day.date}: grid first, then batteries, then gas turbines (daily means)",
                   "quantity", "value", "unit")
    rows = [
        ("demand (sustained facility power)", _n(day.demand_mw), "MW"),
        ("grid", f"{_n(day.grid_mw)} of {_n(day.grid_capacity_mw)}", f"MW ({day.grid_share:.0%} of supply)"),
        ("batteries", f"{_n(day.battery_mw)} out, {_n(day.battery_charge_mw)} in",
         f"MW ({_n(day.battery_capacity_mwh, 0)} MWh installed)"),
        ("gas turbines", f"{_n(day.turbine_mw)} of {_n(day.turbine_capacity_mw)}",
         f"MW ({day.turbine_units:,} units; {day.turbine_share:.0%} of supply)"),
        ("unserved", _n(day.unserved_mw), f"MW (peak {_n(day.unserved_peak_mw)} MW)"
         + (": the published supply cannot carry this load; energy, CO2 and water a year assume it runs on the "
            "same mix" if day.unserved_mw > 0.05 else "")),
        ("CO2", _n(day.co2_t_per_day, 0), "t/day" + (f" ({_n(day.co2e_t_per_day, 0)} t CO2e with upstream "
                                                      f"methane, {day.methane_leak})" if day.co2e_t_per_day
                                                     > day.co2_t_per_day else "")),
        ("water", f"{day.water_million_gal_per_day:,.3f}",
         f"million gal/day ({_n(day.water_m3_per_day, 0)} m3; {day.water_l_per_kwh:.2f} L/kWh; {day.water_source})"),
    ]
    for row in rows:
        table.add_row(*row)
    return table


def fleets_table(day: SupplyDay) -> Table:
    table = _table(f"turbine fleets on {day.date}", "fleet", "model", "units", "running (full-load eq.)",
                   "capacity factor", "MW", "fuel MMBtu/day", "NOx kg/day", "CO kg/day", "HCHO kg/day", "controls",
                   "permit")
    for f in day.fleets:
        table.add_row(f.fleet, f.model, f"{f.units:,}", _n(f.units_running_equivalent), f"{f.capacity_factor:.0%}",
                      _n(f.mw), _n(f.fuel_mmbtu_per_day, 0), _n(f.nox_kg_per_day, 0), _n(f.co_kg_per_day, 0),
                      _n(f.formaldehyde_kg_per_day), ", ".join(f.controls) or "none", f.permit or "none")
    return table


def emissions_table(day: SupplyDay) -> Table:
    table = _table("turbine emissions a year (t; without add-on controls in brackets)", "quantity",
                   day.per_year.basis, day.last_12_months.basis)
    years = (day.per_year, day.last_12_months)
    table.add_row("turbine energy, GWh", *(_n(y.turbine_mwh / 1e3) for y in years))
    table.add_row("fuel, million MMBtu", *(f"{y.fuel_mmbtu / 1e6:,.2f}" for y in years))
    table.add_row("CO2 (all supply), kt", *(_n(y.co2_t / 1e3) for y in years))
    table.add_row("CO2e with upstream methane, kt", *(_n(y.co2e_t / 1e3) for y in years))
    table.add_row("NOx, t", *(f"{y.nox_t:,.1f} ({y.nox_t_without_controls:,.0f})" for y in years))
    table.add_row("CO, t", *(f"{y.co_t:,.1f} ({y.co_t_without_controls:,.0f})" for y in years))
    table.add_row("formaldehyde, t", *(f"{y.formaldehyde_t:,.2f} ({y.formaldehyde_t_without_controls:,.2f})"
                                        for y in years))
    return table


def permits_table(day: SupplyDay) -> Table:
    table = _table("air permits: emissions of the units they cover against their caps (US short tons)", "permit",
                   "basis", "pollutant", "emitted", "cap", "share", "verdict", "without add-on controls")
    for p in day.permits:
        for c in p.caps:
            word = "within cap" if c.within_cap else "ABOVE CAP"
            if not p.caps_published:
                word = ("below" if c.within_cap else "above") + " the reference line (caps not published)"
            raw_word = "within" if c.within_cap_without_controls else "above"
            raw = f"{c.emitted_short_tons_without_controls:,.1f} ({raw_word})"
            table.add_row(f"{p.permit} ({p.units_on_site} of {p.units_permitted} units)", p.basis, c.pollutant,
                          _n(c.emitted_short_tons), _n(c.cap_short_tons), f"{c.share_of_cap:.0%}", word, raw)
    return table


def campus_table(c: CampusFigures) -> Table:
    table = _table(f"{c.campus} on {c.at}", "site (scenario)", "GPUs", "racks MW", "facility MW, sustained",
                   "grid MW", "turbines MW", "unserved MW", "CO2 kt/year", "NOx t/year", "water Mgal/day")
    for m in c.members:
        f = m.figures
        if f is None:
            table.add_row(f"{m.site} ({m.scenario})", "not yet built", *("-" for _ in range(8)))
            continue
        s = f.supply
        table.add_row(f"{m.site} ({m.scenario})", f"{f.gpus:,}", _n(f.gpu_systems_power_max_mw, 0),
                      _n(f.facility_power_mw, 0), _n(s.grid_mw, 0) if s else "-", _n(s.turbine_mw, 0) if s else "-",
                      _n(s.unserved_mw, 0) if s else "-", _n(f.co2_t_per_year / 1e3, 0),
                      _n(s.per_year.nox_t, 0) if s else "-", f"{f.water_million_gal_per_year / 365:,.2f}")
    table.add_row("campus total", f"{c.gpus:,}", _n(c.gpu_systems_power_max_mw, 0), _n(c.facility_power_mw, 0),
                  _n(c.grid_mw, 0), _n(c.turbine_mw, 0), _n(c.unserved_mw, 0), _n(c.co2_t_per_year / 1e3, 0),
                  _n(c.nox_t_per_year, 0), f"{c.water_million_gal_per_day:,.2f}", end_section=True)
    return table


VARIANT_ROWS = (
    ("GPUs", lambda f: f"{f.gpus:,}"),
    ("racks' nameplate, MW", lambda f: _n(f.gpu_systems_power_max_mw, 0)),
    ("facility power, sustained, MW", lambda f: _n(f.facility_power_mw, 0)),
    ("turbine share of supply", lambda f: f"{f.gas_turbine_share:.0%}"),
    ("unserved, MW", lambda f: _n(f.supply.unserved_mw, 0) if f.supply else "-"),
    ("NOx, t/year (this day's dispatch)", lambda f: _n(f.supply.per_year.nox_t, 0) if f.supply else "-"),
    ("CO2, kt/year", lambda f: _n(f.co2_t_per_year / 1e3, 0)),
    ("water, million gal/day", lambda f: f"{f.water_million_gal_per_year / 365:,.2f}"),
    ("capital cost, billion USD (mid)", lambda f: _n((f.capex_usd_low + f.capex_usd_high) / 2e9)),
)


def variants_table(family: str, columns: Sequence[tuple[str, str, date, ClusterFigures | None]]) -> Table:
    """One column per (scenario, kind, date): the figures of each variant at each date."""
    table = _table(f"{family}: claimed and observed side by side", "quantity",
                   *(f"{name} ({kind})\n{at}" for name, kind, at, _ in columns))
    for label, cell in VARIANT_ROWS:
        table.add_row(label, *(cell(f) if f is not None else "not yet built" for *_, f in columns))
    return table


def number(value: float | None) -> str:
    """A figure as a reader wants it: '-' for none, 3 significant digits below 100, whole numbers above."""
    if value is None:
        return "-"
    return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"


def claims_rich(rows: Sequence[ClaimRow]) -> Table:
    table = _table("claims against independent estimates (colossus_record_2026.md sec. 9) and colossim's figures",
                   "quantity", "claimed", "model", "observed / estimated", "model", "unit")

    for r in rows:
        table.add_row(escape(r.quantity),
                      escape(f"{number(r.claimed)}\n{r.claimed_by}, {r.claimed_when} [{r.claimed_confidence}]"),
                      number(r.model_claimed),
                      escape(f"{number(r.observed)}\n{r.observed_by}, {r.observed_when} [{r.observed_confidence}]"),
                      number(r.model_observed), escape(r.unit))
    return table


__all__ = ["campus_table", "claims_rich", "emissions_table", "fleets_table", "permits_table", "supply_table",
           "number", "variants_table"]
