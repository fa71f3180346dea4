"""What the supply ledger says about one date: the sources' shares that day, what each turbine fleet ran and
emitted, the same per year (that day's operation for a year, and the 12 months to that date), and each air
permit's caps against the emissions of the units it covers, with and without their add-on controls."""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict

from colossim.cluster.ledger import SupplyLedger
from colossim.cluster.supply_spec import Permit
from colossim.energy.emissions import POLLUTANTS, MethaneLeak, Pollutant, short_tons

DAYS_PER_YEAR = 365
Basis = Literal["this day for a year", "12 months to this day"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FleetDay(_Out):
    fleet: str
    model: str
    units: int
    unit_mw: float
    controls: list[str]
    permit: str | None
    mw: float  # mean output that day
    units_running_equivalent: float  # output / unit rating: units at full load
    capacity_factor: float
    heat_rate_btu_per_kwh: float
    fuel_mmbtu_per_day: float
    nox_kg_per_day: float
    co_kg_per_day: float
    formaldehyde_kg_per_day: float


class Emissions(_Out):
    """Turbine emissions over a period, metric tonnes (US short tons in the permit checks)."""

    basis: Basis
    turbine_mwh: float
    fuel_mmbtu: float
    co2_t: float
    co2e_t: float
    nox_t: float
    co_t: float
    formaldehyde_t: float
    nox_t_without_controls: float
    co_t_without_controls: float
    formaldehyde_t_without_controls: float


class CapCheck(_Out):
    pollutant: Pollutant
    cap_short_tons: float
    emitted_short_tons: float
    emitted_short_tons_without_controls: float
    share_of_cap: float
    within_cap: bool
    within_cap_without_controls: bool


class PermitCheck(_Out):
    permit: str
    name: str
    in_force: bool
    caps_published: bool
    units_permitted: int
    units_on_site: int
    basis: Basis
    caps: list[CapCheck]

    @property
    def within(self) -> bool:
        return all(c.within_cap for c in self.caps)


class SupplyDay(_Out):
    date: date
    demand_mw: float
    grid_capacity_mw: float
    grid_mw: float
    battery_mw: float
    battery_charge_mw: float
    battery_capacity_mwh: float
    turbine_mw: float
    turbine_capacity_mw: float
    turbine_units: int
    unserved_mw: float
    unserved_peak_mw: float
    turbine_share: float
    grid_share: float
    co2_t_per_day: float
    co2e_t_per_day: float
    methane_leak: str
    water_m3_per_day: float
    water_million_gal_per_day: float
    water_l_per_kwh: float
    water_source: str
    fleets: list[FleetDay]
    per_year: Emissions
    last_12_months: Emissions
    permits: list[PermitCheck]


def _emissions(ledger: SupplyLedger, days: slice, scale: float, basis: Basis, methane: MethaneLeak) -> Emissions:
    def total(pollutant: Pollutant, controlled: bool) -> float:
        return float(ledger.pollutant_kg(pollutant, controlled)[:, days].sum()) * scale / 1e3

    fuel = float(ledger.fuel_mmbtu[:, days].sum()) * scale
    co2 = float(ledger.co2_t[days].sum()) * scale
    return Emissions(
        basis=basis, turbine_mwh=float(ledger.result.turbine_total_mwh[days].sum()) * scale, fuel_mmbtu=fuel,
        co2_t=co2, co2e_t=co2 + fuel * methane.co2e_kg_per_mmbtu / 1e3,
        nox_t=total("nox", True), co_t=total("co", True), formaldehyde_t=total("formaldehyde", True),
        nox_t_without_controls=total("nox", False), co_t_without_controls=total("co", False),
        formaldehyde_t_without_controls=total("formaldehyde", False))


def _permit(ledger: SupplyLedger, permit: Permit, at: date, days: slice, scale: float, basis: Basis) -> PermitCheck:
    mine = [k for k, f in enumerate(ledger.fleets) if f.permit == permit.id]
    caps = []
    for pollutant in POLLUTANTS:
        if pollutant not in permit.caps_short_tons:
            continue
        cap = permit.caps_short_tons[pollutant]
        got, raw = (float(short_tons(ledger.pollutant_kg(pollutant, c)[mine][:, days].sum() * scale))
                    for c in (True, False))
        caps.append(CapCheck(pollutant=pollutant, cap_short_tons=cap, emitted_short_tons=got,
                             emitted_short_tons_without_controls=raw, share_of_cap=got / cap,
                             within_cap=got <= cap, within_cap_without_controls=raw <= cap))
    i = ledger.index(at)
    on_site = int(sum(ledger.units[k, i] for k in mine))
    return PermitCheck(permit=permit.id, name=permit.name, in_force=permit.in_force(at),
                       caps_published=permit.caps_published,
                       units_permitted=permit.units, units_on_site=on_site, basis=basis, caps=caps)


def _fleet(ledger: SupplyLedger, k: int, i: int) -> FleetDay:
    f = ledger.fleets[k]
    mwh = float(ledger.result.turbine_mwh[k, i])
    cap = float(ledger.capacity_mw[k, i])
    fuel = float(ledger.fuel_mmbtu[k, i])
    kg = {p: float(ledger.pollutant_kg(p)[k, i]) for p in POLLUTANTS}
    return FleetDay(fleet=f.name, model=f.model.id, units=int(ledger.units[k, i]), unit_mw=f.model.unit_mw,
                    controls=list(f.factors.controls), permit=f.permit, mw=mwh / 24.0,
                    units_running_equivalent=mwh / 24.0 / f.model.unit_mw,
                    capacity_factor=mwh / (cap * 24) if cap else 0.0,
                    heat_rate_btu_per_kwh=f.model.heat_rate_btu_per_kwh, fuel_mmbtu_per_day=fuel,
                    nox_kg_per_day=kg["nox"], co_kg_per_day=kg["co"], formaldehyde_kg_per_day=kg["formaldehyde"])


def supply_day(ledger: SupplyLedger, at: date, permits: list[Permit], methane: MethaneLeak | None = None) -> SupplyDay:
    """The ledger on `at` (module docstring). The year's figures: that day's operation x 365, and the sum
    over the 365 days ending on `at` (as far back as the ledger goes)."""
    methane = methane or MethaneLeak()
    i = ledger.index(at)
    r = ledger.result
    today = slice(i, i + 1)
    year = slice(max(0, i - DAYS_PER_YEAR + 1), i + 1)
    supplied = float(r.supplied_mwh[i])
    fuel = float(ledger.fuel_mmbtu[:, i].sum())
    co2 = float(ledger.co2_t[i])
    water = float(ledger.water_m3[i])
    checks = [check for p in permits if p.issued <= at
              for check in (_permit(ledger, p, at, today, DAYS_PER_YEAR, "this day for a year"),
                            _permit(ledger, p, at, year, 1.0, "12 months to this day"))]
    return SupplyDay(
        date=at, demand_mw=float(ledger.demand_mw[i]), grid_capacity_mw=float(ledger.grid_capacity_mw[i]),
        grid_mw=float(r.grid_mwh[i]) / 24.0, battery_mw=float(r.battery_mwh[i]) / 24.0,
        battery_charge_mw=float(r.battery_charge_mwh[i]) / 24.0, battery_capacity_mwh=float(ledger.battery_mwh[i]),
        turbine_mw=float(r.turbine_total_mwh[i]) / 24.0, turbine_capacity_mw=float(ledger.capacity_mw[:, i].sum()),
        turbine_units=int(ledger.units[:, i].sum()), unserved_mw=float(r.unserved_mwh[i]) / 24.0,
        unserved_peak_mw=float(r.unserved_peak_mw[i]), turbine_share=float(ledger.turbine_share[i]),
        grid_share=float(r.grid_mwh[i]) / supplied if supplied > 0 else 0.0,
        co2_t_per_day=co2, co2e_t_per_day=co2 + fuel * methane.co2e_kg_per_mmbtu / 1e3,
        methane_leak=f"{methane.preset} ({methane.horizon})",
        water_m3_per_day=water, water_million_gal_per_day=water * 1e3 / 3.785411784 / 1e6,
        water_l_per_kwh=float(ledger.water_l_per_kwh[i]), water_source=ledger.water_source[i],
        fleets=[_fleet(ledger, k, i) for k in range(len(ledger.fleets)) if ledger.units[k, i] > 0],
        per_year=_emissions(ledger, today, DAYS_PER_YEAR, "this day for a year", methane),
        last_12_months=_emissions(ledger, year, 1.0, "12 months to this day", methane),
        permits=checks)


def monthly(ledger: SupplyLedger, values: np.ndarray) -> tuple[list[date], np.ndarray]:
    """Monthly means of a daily series (the first day of each month and the mean)."""
    firsts, means, month, acc = [], [], None, []
    for d, v in zip(ledger.dates(), values, strict=True):
        key = (d.year, d.month)
        if key != month:
            if acc:
                means.append(float(np.mean(acc)))
            firsts.append(date(d.year, d.month, 1))
            month, acc = key, []
        acc.append(float(v))
    if acc:
        means.append(float(np.mean(acc)))
    return firsts, np.array(means)


__all__ = ["CapCheck", "Emissions", "FleetDay", "PermitCheck", "SupplyDay", "monthly", "supply_day"]
