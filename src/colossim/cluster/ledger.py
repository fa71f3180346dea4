"""The supply ledger of a site, day by day: what the cluster drew, what the grid, the batteries and each
fleet of gas turbines supplied (energy.dispatch), the turbines' fuel and emissions (energy.emissions), the
CO2 of it all (energy.supply, the one CO2 chain) and the water its cooling designs consumed.

  demand     the cluster's sustained facility power on that day (fleet power chain, GPUs at the training
             utilisation: the same draw `cluster` reports), from its inventory on that day
  supply     the scenario's dated timeline (cluster.supply_spec): grid capacity, turbine fleets (units x
             catalog rating x availability, merit order by heat rate), batteries
  fuel       turbine MWh x heat rate (HHV);  NOx, CO, formaldehyde: fuel x the fleet's factors with and
             without its add-on controls;  CO2: energy.supply.mix_co2_t
  water      IT energy x the WUE of each pool's cooling design (IT-weighted), from the water source in force
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from colossim.catalog import Catalog, Turbine
from colossim.cluster.inventory import phase_snapshots
from colossim.cluster.power import cluster_fleet
from colossim.cluster.site import pue_of, site_of
from colossim.cluster.spec import ClusterSpec
from colossim.cluster.supply_spec import Step, SupplyTimeline
from colossim.energy.dispatch import Dispatch, DispatchInputs, cosine_shape, dispatch
from colossim.energy.emissions import POLLUTANTS, Pollutant, TurbineFactors, pollutant_kg, turbine_factors
from colossim.energy.fleet import fleet_power, system_w_per_gpu
from colossim.energy.power import default_power_model
from colossim.energy.supply import mix_co2_t, turbine_co2_g_per_kwh

NOT_STATED = "not stated"


@dataclass(frozen=True)
class TurbineFleet:
    """One fleet of identical turbines over the ledger: its model, permit, controls and emission factors."""

    name: str
    model: Turbine
    permit: str | None
    factors: TurbineFactors  # with the fleet's add-on controls
    uncontrolled: TurbineFactors  # the same combustor without add-on controls


@dataclass(frozen=True)
class SupplyLedger:
    """Daily arrays (one entry per day from `start`); fleets in merit order (rows of the (fleets, days) arrays)."""

    scenario: str
    site: str
    start: date
    demand_mw: np.ndarray
    it_mw: np.ndarray
    grid_capacity_mw: np.ndarray
    battery_mw: np.ndarray
    battery_mwh: np.ndarray
    fleets: tuple[TurbineFleet, ...]
    units: np.ndarray  # (fleets, days)
    capacity_mw: np.ndarray  # (fleets, days)
    result: Dispatch
    fuel_mmbtu: np.ndarray  # (fleets, days)
    water_l_per_kwh: np.ndarray
    water_source: tuple[str, ...]  # per day
    grid_co2_g_per_kwh: float

    @property
    def days(self) -> int:
        return int(self.demand_mw.shape[0])

    @property
    def end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def index(self, at: date) -> int:
        i = (at - self.start).days
        if not 0 <= i < self.days:
            raise ValueError(f"{at} is outside the supply ledger of '{self.scenario}' ({self.start} to {self.end})")
        return i

    def pollutant_kg(self, pollutant: Pollutant, controlled: bool = True) -> np.ndarray:
        """(fleets, days) kg of one pollutant, with the fleets' controls or without any add-on control."""
        rows = [pollutant_kg(self.fuel_mmbtu[k], (f.factors if controlled else f.uncontrolled).lb_per_mmbtu(pollutant))
                for k, f in enumerate(self.fleets)]
        return np.array(rows) if rows else np.zeros((0, self.days))

    @property
    def turbine_share(self) -> np.ndarray:
        """Turbine share of the energy supplied; on a day nothing is supplied, 1 where the site has no grid
        capacity (any power it gets must be generated on site) and 0 where it has some."""
        supplied = self.result.supplied_mwh
        fallback = np.where(self.grid_capacity_mw > 0, 0.0, 1.0)
        return np.where(supplied > 0, self.result.turbine_share, fallback)

    @property
    def turbine_heat_rate_btu_per_kwh(self) -> np.ndarray:
        """Fuel-weighted heat rate of the turbines each day (NaN on days they did not run)."""
        mwh = self.result.turbine_total_mwh
        fuel = self.fuel_mmbtu.sum(axis=0)
        return np.divide(fuel * 1e6, mwh * 1e3, out=np.full(self.days, np.nan), where=mwh > 0)

    @property
    def co2_t(self) -> np.ndarray:
        """t CO2 a day: supplied energy x the grid / turbine mix (energy.supply.mix_co2_t)."""
        hr = np.nan_to_num(self.turbine_heat_rate_btu_per_kwh)
        return mix_co2_t(self.result.supplied_mwh * 1e3, self.turbine_share, self.grid_co2_g_per_kwh,
                         turbine_co2_g_per_kwh(hr))

    @property
    def water_m3(self) -> np.ndarray:
        return self.it_mw * 24.0 * 1e3 * self.water_l_per_kwh / 1e3

    def heat_rate_range(self, i: int) -> tuple[float, float] | None:
        """The day's fuel-weighted low and high heat rates (the turbine models' ranges)."""
        mwh = self.result.turbine_mwh[:, i]
        if mwh.sum() <= 0:
            return None
        lows = np.array([f.model.heat_rate_range_btu_per_kwh[0] for f in self.fleets])
        highs = np.array([f.model.heat_rate_range_btu_per_kwh[1] for f in self.fleets])
        return float(np.dot(mwh, lows) / mwh.sum()), float(np.dot(mwh, highs) / mwh.sum())


def _step_values(steps: list[Step], days: np.ndarray, value, default=0.0) -> np.ndarray:
    """Per day, `value(step)` of the latest step started on or before it (`default` before the first)."""
    out = np.full(days.shape, default, dtype=float)
    if not steps:
        return out
    starts = np.array([np.datetime64(s.start, "D") for s in steps])
    idx = np.searchsorted(starts, days, side="right") - 1
    values = np.array([value(s) for s in steps], dtype=float)
    return np.where(idx >= 0, values[np.clip(idx, 0, None)], default)


def _phase_loads(spec: ClusterSpec, catalog: Catalog) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per phase snapshot: start day, sustained facility MW, IT MW and the IT-weighted WUE (L/kWh)."""
    power = default_power_model()
    pue = pue_of(spec, catalog)
    site_wue = site_of(spec, catalog).water_l_per_kwh
    starts, facility, it, wue = [], [], [], []
    phases = {p.name: p for p in spec.phases}
    for i, snap in enumerate(phase_snapshots(spec, catalog)):
        pools = [p for p in snap.pools if p.gpus > 0]
        fleet = cluster_fleet(spec, catalog, pools, spec.phases[: i + 1])
        sustained = fleet_power(fleet, power.train_utilisation, pue, power)
        starts.append(np.datetime64(snap.start, "D"))
        facility.append(sustained.facility_mw)
        it.append(sustained.it_mw)
        if not pools:
            wue.append(site_wue)
            continue
        per_gpu = system_w_per_gpu(fleet.pools, power.train_utilisation, power)
        share = np.array([p.gpus for p in pools], dtype=float) / sum(p.gpus for p in pools)
        pool_it = np.array([p.gpus for p in pools]) * per_gpu / 1e3 + share * fleet.overhead.total_kw
        designs = [phases[p.phase].cooling or spec.cooling for p in pools]
        rates = np.array([catalog.cooling[d].water_l_per_kwh if d else site_wue for d in designs])
        wue.append(float(np.dot(pool_it, rates) / pool_it.sum()))
    return np.array(starts), np.array(facility), np.array(it), np.array(wue)


def _span(spec: ClusterSpec, through: date | None) -> tuple[date, date]:
    supply = spec.supply
    firsts = [spec.phases[0].start] + ([supply.dates()[0]] if supply and supply.dates() else [])
    lasts = [spec.phases[-1].start, *(supply.dates()[-1:] if supply else []),
             *([spec.record_until] if spec.record_until else []), *([through] if through else [])]
    return min(firsts), max(lasts)


def _fleets(supply: SupplyTimeline, catalog: Catalog) -> list[tuple[str, list]]:
    names = list(dict.fromkeys(s.fleet for s in supply.turbines))
    steps = [(n, [s for s in supply.turbines if s.fleet == n]) for n in names]
    return sorted(steps, key=lambda item: catalog.turbines[item[1][-1].model].heat_rate_btu_per_kwh)


def supply_ledger(spec: ClusterSpec, catalog: Catalog, through: date | None = None) -> SupplyLedger:
    """The site's ledger from its first dated event to `through` (at least its last event and the record's
    cut-off). A spec without a supply timeline gets no ledger: ValueError."""
    supply = spec.supply
    if supply is None:
        raise ValueError(f"cluster '{spec.name}' has no supply timeline (supply: grid, turbines, batteries)")
    start, end = _span(spec, through)
    days = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + 1)
    starts, facility, it, wue = _phase_loads(spec, catalog)
    idx = np.searchsorted(starts, days, side="right") - 1
    demand = np.where(idx >= 0, facility[np.clip(idx, 0, None)], 0.0)
    it_mw = np.where(idx >= 0, it[np.clip(idx, 0, None)], 0.0)
    site_wue = site_of(spec, catalog).water_l_per_kwh
    water_rate = np.where(idx >= 0, wue[np.clip(idx, 0, None)], site_wue)
    grid = _step_values(supply.grid, days, lambda s: s.mw)
    battery_mw = _step_values(supply.batteries, days, lambda s: s.units * catalog.batteries[s.model].unit_mw)
    battery_mwh = _step_values(supply.batteries, days, lambda s: s.units * catalog.batteries[s.model].unit_mwh)
    efficiency = catalog.batteries[supply.batteries[-1].model].round_trip_efficiency if supply.batteries else 1.0
    fleets, units, capacity, heat = [], [], [], []
    for name, steps in _fleets(supply, catalog):
        last = steps[-1]
        model = catalog.turbines[last.model]
        combustor = dict(combustor=model.combustor, nox_ppm=model.nox_ppm, co_ppm=model.co_ppm)
        fleets.append(TurbineFleet(name, model, last.permit, turbine_factors(**combustor, controls=last.controls),
                                   turbine_factors(**combustor)))
        units.append(_step_values(steps, days, lambda s: s.units))
        capacity.append(_step_values(steps, days, lambda s: s.units * catalog.turbines[s.model].unit_mw
                                     * s.availability))
        heat.append(model.heat_rate_btu_per_kwh)
    capacity_mw = np.array(capacity) if capacity else np.zeros((0, days.shape[0]))
    result = dispatch(DispatchInputs(demand, grid, battery_mw, battery_mwh, capacity_mw,
                                     cosine_shape(supply.load_swing), efficiency))
    fuel = result.turbine_mwh * 1e3 * np.array(heat)[:, None] / 1e6 if heat else np.zeros((0, days.shape[0]))
    water_idx = np.searchsorted(np.array([np.datetime64(s.start, "D") for s in supply.water]), days,
                                side="right") - 1 if supply.water else np.full(days.shape, -1)
    sources = tuple(supply.water[i].supply if i >= 0 else NOT_STATED for i in water_idx)
    return SupplyLedger(spec.name, spec.site, start, demand, it_mw, grid, battery_mw, battery_mwh, tuple(fleets),
                        np.array(units) if units else np.zeros((0, days.shape[0])), capacity_mw, result, fuel,
                        water_rate, sources, site_of(spec, catalog).grid_co2_g_per_kwh)


__all__ = ["NOT_STATED", "POLLUTANTS", "SupplyLedger", "TurbineFleet", "supply_ledger"]
