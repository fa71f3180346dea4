"""Ranges on a cluster's headline figures at a date: the sustained facility power and what a year of it costs and
emits, re-evaluated through the same chain (energy.fleet.fleet_power, the site's supply) with each estimate
input drawn from its range (colossim.uncertainty).

  inputs   PUE (the site's low..high), the GPUs' training draw (energy defaults), the turbines' CO2 per kWh
           (their heat-rate range, where the site burns gas)
  figures  facility_power_mw, energy_gwh_per_year, co2_t_per_year, water_m3_per_year,
           electricity_cost_usd_per_year (a year at the sustained draw, as cluster.figures)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from colossim.cluster import defaults
from colossim.energy.defaults import load_defaults
from colossim.energy.fleet import Fleet, fleet_power
from colossim.energy.power import PowerModel
from colossim.energy.supply import SiteSupply
from colossim.uncertainty import Propagation, Range, UncertainInput, propagate

FIGURES = ("facility_power_mw", "energy_gwh_per_year", "co2_t_per_year", "water_m3_per_year",
           "electricity_cost_usd_per_year")
RUNS, SEED = 256, 1  # the cluster figures' ranges are always drawn the same way (reproducible JSON)


def cluster_inputs(supply: SiteSupply, power: PowerModel, pue_low: float, pue_high: float,
                   site_source: str) -> list[UncertainInput]:
    d = load_defaults().power.train_utilisation
    out = [
        UncertainInput("pue", "PUE", "facility / IT", Range.around(supply.pue, pue_low, pue_high, site_source)),
        UncertainInput("train_utilisation", "GPU draw in training", "0 idle .. 1 TDP",
                       Range.around(power.train_utilisation, d.low, d.high, d.range_source or d.source)),
    ]
    if supply.gas_share > 0:
        out.append(UncertainInput("turbine_co2", "turbine CO2", "g per kWh", Range.around(
            supply.gas_turbine_co2_g_per_kwh, supply.gas_turbine_co2_low_g_per_kwh,
            supply.gas_turbine_co2_high_g_per_kwh, "the turbines' heat-rate range (energy.supply)")))
    return out


def cluster_ranges(fleet: Fleet, supply: SiteSupply, power: PowerModel, pue_low: float, pue_high: float,
                   site_source: str, widen: Mapping[str, float] | None = None) -> Propagation:
    """Point, p10 and p90 of FIGURES; the point is every input at its mid (the figures' own values)."""
    inputs = cluster_inputs(supply, power, pue_low, pue_high, site_source)
    if widen:
        inputs = [replace(i, range=i.range.widened(widen[i.name])) if i.name in widen else i for i in inputs]

    def evaluate(v: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        n = len(v["pue"])
        out = {name: np.empty(n) for name in FIGURES}
        for r in range(n):
            site = replace(supply, pue=float(v["pue"][r]))
            if "turbine_co2" in v:
                site = replace(site, gas_turbine_co2_g_per_kwh=float(v["turbine_co2"][r]))
            sustained = fleet_power(fleet, float(v["train_utilisation"][r]), site.pue, power)
            energy_kwh = sustained.facility_kw * defaults.HOURS_PER_YEAR
            out["facility_power_mw"][r] = sustained.facility_mw
            out["energy_gwh_per_year"][r] = energy_kwh / 1e6
            out["co2_t_per_year"][r] = site.co2_t(energy_kwh)
            out["water_m3_per_year"][r] = site.water_m3(sustained.it_kw * defaults.HOURS_PER_YEAR)
            out["electricity_cost_usd_per_year"][r] = site.electricity_usd(energy_kwh)
        return out

    return propagate(inputs, evaluate, runs=RUNS, seed=SEED)


__all__ = ["FIGURES", "cluster_inputs", "cluster_ranges"]
