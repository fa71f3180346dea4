"""Who carries a site's load, hour by hour: the grid first, then batteries, then on-site gas turbines.

Each day is a day of constant conditions (load, grid capacity, batteries and turbines in place) with a daily
load shape (hourly factors of mean 1). Within the day, hour by hour:

  grid       = min(load, grid capacity); what the grid has spare charges the batteries (up to their power
               and their room, losing sqrt(round-trip efficiency) on the way in and again on the way out)
  batteries  = min(rest, battery power, stored energy x sqrt(eff))
  turbines   = the rest, group by group in the order given (merit order: lowest heat rate first), each up to
               its available capacity; what is left is unserved
Each day is repeated from empty batteries for PASSES days and the last pass kept: the state of charge at the
start of a day rises monotonically towards the day's periodic steady state, so in the kept pass the batteries
end the day at least as full as they began it. They never add energy over a day, they only move it from the
grid's spare hours to the peaks (colossus_record_2026.md sec. 3c). Vectorised over days; the loop is over the
PASSES x 24 hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOURS = 24
PASSES = 7  # a week of the same day: enough for the state of charge to settle (tests/energy/test_dispatch.py)


@dataclass(frozen=True)
class DispatchInputs:
    """Per day (arrays of shape (days,)), turbine capacity per group (groups, days), MW and MWh."""

    demand_mw: np.ndarray
    grid_mw: np.ndarray
    battery_mw: np.ndarray
    battery_mwh: np.ndarray
    turbine_mw: np.ndarray
    shape: np.ndarray  # (24,) hourly factors, mean 1
    battery_efficiency: float = 0.92

    def __post_init__(self) -> None:
        n = self.demand_mw.shape
        arrays = (self.grid_mw, self.battery_mw, self.battery_mwh)
        if any(a.shape != n for a in arrays) or self.turbine_mw.ndim != 2 or self.turbine_mw.shape[1:] != n:
            raise ValueError("per-day inputs must share one length; turbine_mw is (groups, days)")
        if self.shape.shape != (HOURS,) or abs(float(self.shape.mean()) - 1.0) > 1e-9 or np.any(self.shape < 0):
            raise ValueError("the daily load shape is 24 non-negative hourly factors of mean 1")
        if not 0 < self.battery_efficiency <= 1:
            raise ValueError("battery round-trip efficiency must be in (0, 1]")
        for a in (self.demand_mw, *arrays, self.turbine_mw):
            if np.any(~np.isfinite(a)) or np.any(a < 0):
                raise ValueError("power and energy inputs must be finite and >= 0")


@dataclass(frozen=True)
class Dispatch:
    """Energy per day, MWh: what each source gave the load, what charged the batteries, what went unserved."""

    demand_mwh: np.ndarray
    grid_mwh: np.ndarray  # to the load and to the batteries
    battery_charge_mwh: np.ndarray  # drawn from the grid
    battery_mwh: np.ndarray  # delivered to the load
    turbine_mwh: np.ndarray  # (groups, days)
    unserved_mwh: np.ndarray
    unserved_peak_mw: np.ndarray

    @property
    def turbine_total_mwh(self) -> np.ndarray:
        return self.turbine_mwh.sum(axis=0)

    @property
    def supplied_mwh(self) -> np.ndarray:
        """Energy from the grid and the turbines (the sources that emit)."""
        return self.grid_mwh + self.turbine_total_mwh

    @property
    def turbine_share(self) -> np.ndarray:
        """Turbine share of the energy the sources supplied (0 where nothing was supplied)."""
        supplied = self.supplied_mwh
        return np.divide(self.turbine_total_mwh, supplied, out=np.zeros_like(supplied), where=supplied > 0)


def flat_shape() -> np.ndarray:
    return np.ones(HOURS)


def cosine_shape(swing: float, peak_hour: float = 15.0) -> np.ndarray:
    """1 + swing x cos(2 pi (h + 0.5 - peak) / 24): a daily peak `swing` above the mean at `peak_hour`."""
    if not 0 <= swing < 1:
        raise ValueError("the daily swing must be in [0, 1)")
    hours = np.arange(HOURS) + 0.5
    shape = 1.0 + swing * np.cos(2 * np.pi * (hours - peak_hour) / HOURS)
    return shape / shape.mean()


def dispatch(inputs: DispatchInputs) -> Dispatch:
    """Grid, then batteries, then turbines, hour by hour (module docstring)."""
    x = inputs
    days = x.demand_mw.shape[0]
    groups = x.turbine_mw.shape[0]
    leg = float(np.sqrt(x.battery_efficiency))  # each way of a round trip
    soc = np.zeros(days)  # start empty; the last pass is kept
    grid = np.zeros(days)
    charge = np.zeros(days)
    battery = np.zeros(days)
    turbine = np.zeros((groups, days))
    unserved = np.zeros(days)
    peak = np.zeros(days)
    for step in range(PASSES * HOURS):
        keep = step >= (PASSES - 1) * HOURS
        load = x.demand_mw * x.shape[step % HOURS]
        from_grid = np.minimum(load, x.grid_mw)
        rest = load - from_grid
        out = np.minimum.reduce([rest, x.battery_mw, soc * leg])
        soc = soc - out / leg
        rest = rest - out
        into = np.minimum.reduce([x.grid_mw - from_grid, x.battery_mw, (x.battery_mwh - soc) / leg])
        into = np.maximum(into, 0.0)
        soc = soc + into * leg
        gas = np.zeros((groups, days))
        for g in range(groups):
            gas[g] = np.minimum(rest, x.turbine_mw[g])
            rest = rest - gas[g]
        if keep:
            grid += from_grid + into
            charge += into
            battery += out
            turbine += gas
            unserved += rest
            peak = np.maximum(peak, rest)
    return Dispatch(x.demand_mw * HOURS, grid, charge, battery, turbine, unserved, peak)


__all__ = ["Dispatch", "DispatchInputs", "HOURS", "PASSES", "cosine_shape", "dispatch", "flat_shape"]
