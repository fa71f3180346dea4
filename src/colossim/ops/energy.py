"""The simulator's energy, from its pool ledgers: the one place `colossim.ops` turns GPU-time into power,
through colossim.energy's fleet power chain (the same formulas as `cluster`, `train` and the report).

Per pool and per GPU (colossim.energy.power): busy GPU-seconds (training and serving) draw GPU + host at
the training utilisation, idle GPU-seconds (free nodes and hot spares) GPU + host at zero utilisation, with
the host share from the pool's system nameplate (host_load_fraction x (nameplate per GPU - TDP)); nodes down
for repair or in burn-in draw nothing of their own. The IT overhead (network, storage, CPU nodes;
colossim.cluster.power) is drawn per in-service GPU-second, whatever the GPU does. Facility energy = IT
energy x the site's PUE. A pool whose system nameplate is unknown (synthetic test pools) takes the power
model's default host share, one whose overhead is unknown its default overhead; a pool whose GPU TDP is
unknown (the Helios scenarios) gives no energy figure at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from colossim.energy.power import PowerModel, default_power_model
from colossim.ops.pools import PoolSpec

J_PER_KWH = 3.6e6


@dataclass(frozen=True)
class FleetEnergy:
    it_kwh: np.ndarray  # per pool (and per interval, when the inputs have a leading time axis)
    facility_kwh: np.ndarray | None  # None when the site's PUE is unknown
    busy_w_per_gpu: np.ndarray  # GPU + host at the training utilisation, per pool
    idle_w_per_gpu: np.ndarray  # GPU + host at zero utilisation, per pool
    overhead_w_per_gpu: np.ndarray  # network, storage and CPU nodes per in-service GPU, per pool


def pool_power_w(pools: Sequence[PoolSpec], model: PowerModel | None = None
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Busy, idle and overhead W per GPU of each pool; None when a pool's GPU TDP is unknown."""
    if any(p.tdp_w is None for p in pools):
        return None
    model = model or default_power_model()
    tdp = np.array([p.tdp_w for p in pools], dtype=float)
    host = np.array([model.host_w_per_gpu if p.system_max_w_per_gpu is None
                     else float(model.host_w_for(p.system_max_w_per_gpu, p.tdp_w)) for p in pools])
    overhead = np.array([model.overhead_w_per_gpu if p.overhead_w_per_gpu is None else p.overhead_w_per_gpu
                         for p in pools])
    busy = np.asarray(model.gpu_w(tdp, model.train_utilisation), dtype=float) + host
    idle = np.asarray(model.gpu_w(tdp, 0.0), dtype=float) + host
    return busy, idle, overhead


def fleet_energy(busy_gpu_s: np.ndarray, idle_gpu_s: np.ndarray, in_service_gpu_s: np.ndarray,
                 pools: Sequence[PoolSpec], pue: float | None, model: PowerModel | None = None
                 ) -> FleetEnergy | None:
    """IT and facility kWh from GPU-seconds per pool (last axis = pools):
    E = busy_s x (P_gpu(u_train) + host) + idle_s x (P_gpu(0) + host) + in_service_s x overhead
    (colossim.energy.fleet), facility = E x PUE. None when a pool's GPU TDP is unknown."""
    watts = pool_power_w(pools, model)
    if watts is None:
        return None
    busy_w, idle_w, overhead_w = watts
    it_kwh = (np.asarray(busy_gpu_s) * busy_w + np.asarray(idle_gpu_s) * idle_w
              + np.asarray(in_service_gpu_s) * overhead_w) / J_PER_KWH
    return FleetEnergy(it_kwh, None if pue is None else it_kwh * pue, busy_w, idle_w, overhead_w)
