"""The simulator's energy, from its pool ledgers: the one place `colossim.ops` turns GPU-time into power.

Busy GPU-seconds (training and serving) draw colossim.energy's IT power per GPU at the training
utilisation, idle GPU-seconds (free nodes and hot spares) its IT power at zero utilisation (the idle
floor plus host and network shares); nodes down for repair or in burn-in are not counted. Facility
energy = IT energy x the site's PUE. Pools whose GPU TDP is unknown (the Helios scenarios) give none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from colossim.energy.power import PowerModel, default_power_model

J_PER_KWH = 3.6e6


@dataclass(frozen=True)
class FleetEnergy:
    it_kwh: np.ndarray  # per pool (and per interval, when the inputs have a leading time axis)
    facility_kwh: np.ndarray | None  # None when the site's PUE is unknown
    busy_w_per_gpu: np.ndarray
    idle_w_per_gpu: np.ndarray


def fleet_energy(busy_gpu_s: np.ndarray, idle_gpu_s: np.ndarray, tdp_w: tuple[float | None, ...],
                 pue: float | None, model: PowerModel | None = None) -> FleetEnergy | None:
    """IT and facility kWh from busy and idle GPU-seconds per pool (last axis = pools):
    E = busy_s x P_it(u_train) + idle_s x P_it(0) (colossim.energy.PowerModel), facility = E x PUE.
    None when a pool's GPU TDP is unknown."""
    if any(t is None for t in tdp_w):
        return None
    model = model or default_power_model()
    tdp = np.asarray(tdp_w, dtype=float)
    busy_w = np.asarray(model.it_w_per_gpu(tdp, model.train_utilisation), dtype=float)
    idle_w = np.asarray(model.it_w_per_gpu(tdp, 0.0), dtype=float)
    it_kwh = (np.asarray(busy_gpu_s) * busy_w + np.asarray(idle_gpu_s) * idle_w) / J_PER_KWH
    return FleetEnergy(it_kwh, None if pue is None else it_kwh * pue, busy_w, idle_w)
