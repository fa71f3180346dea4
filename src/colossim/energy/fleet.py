"""The fleet power chain: power and energy of GPU systems and the IT around them, one model for every
command (`cluster`, `plan --objective energy`, `train`, `compare`, the report and the simulator).

  GPU systems   sum over pools of GPUs x (P_gpu(u) + host), P_gpu = TDP (idle + (1 - idle) u),
                host = host_load_fraction x (system nameplate per GPU - TDP)       (energy.power)
  overhead      network (switches and switch-side optics), storage, CPU nodes: constant draws
  IT            GPU systems + overhead;  facility = IT x PUE
  energy        busy GPU-hours at the training utilisation, idle GPU-hours at u = 0, overhead over the
                hours it runs (GPU-hours of GPUs out of service draw nothing)

The operating points: u = train_utilisation (0.87: an HGX H100 at 76 % of its rating, the measured mean of
compute-intensive training, Newkirk et al. arXiv 2506.14551) is the sustained draw every energy figure
uses; u = 1 (GPUs at TDP: 8.4 kW on that node, the measured peak, Latif et al. arXiv 2412.08602) is the
training peak; nameplate (`power_max_kw`, every part at its rating) is what the site must be able to supply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from colossim.energy.power import PowerModel, default_power_model


@dataclass(frozen=True)
class SystemPool:
    """`gpus` GPUs in identical systems: their TDP and their share of the system's nameplate."""

    gpus: float
    gpu_tdp_w: float
    system_max_w_per_gpu: float
    name: str = ""

    def __post_init__(self) -> None:
        if self.gpus < 0 or self.gpu_tdp_w <= 0 or self.system_max_w_per_gpu < self.gpu_tdp_w:
            raise ValueError(f"pool '{self.name}': need gpus >= 0, TDP > 0 and nameplate per GPU >= TDP")

    def scaled(self, gpus: float) -> SystemPool:
        return SystemPool(gpus, self.gpu_tdp_w, self.system_max_w_per_gpu, self.name)


@dataclass(frozen=True)
class ItOverhead:
    """IT outside the GPU systems, kW, drawn whatever the GPUs do."""

    network_kw: float = 0.0
    storage_kw: float = 0.0
    cpu_other_kw: float = 0.0

    def __post_init__(self) -> None:
        if min(self.network_kw, self.storage_kw, self.cpu_other_kw) < 0:
            raise ValueError("overhead power must be >= 0")

    @property
    def total_kw(self) -> float:
        return self.network_kw + self.storage_kw + self.cpu_other_kw

    def share(self, fraction: float) -> ItOverhead:
        """A job's share (its fraction of the cluster's GPUs)."""
        return ItOverhead(self.network_kw * fraction, self.storage_kw * fraction, self.cpu_other_kw * fraction)


@dataclass(frozen=True)
class Fleet:
    """The GPU systems (a cluster, a partition or a job's share of one) and the IT overhead around them."""

    pools: tuple[SystemPool, ...]
    overhead: ItOverhead = ItOverhead()

    @property
    def gpus(self) -> float:
        return float(sum(p.gpus for p in self.pools))

    def share(self, gpus: float) -> Fleet:
        """`gpus` of this fleet taken evenly from its pools, with the same share of the overhead."""
        total = self.gpus
        if not 0 <= gpus <= total * (1 + 1e-12) or total <= 0:
            raise ValueError(f"a share of {gpus:,.0f} GPUs from a fleet of {total:,.0f}")
        f = gpus / total
        return Fleet(tuple(p.scaled(p.gpus * f) for p in self.pools), self.overhead.share(f))

    def overhead_w_per_gpu(self) -> float:
        return self.overhead.total_kw * 1e3 / self.gpus if self.gpus > 0 else 0.0


@dataclass(frozen=True)
class FleetPower:
    """Power of a fleet at one GPU utilisation, kW (MW properties for display)."""

    utilisation: float
    gpu_systems_kw: float
    network_kw: float
    storage_kw: float
    cpu_other_kw: float
    pue: float

    @property
    def it_kw(self) -> float:
        return self.gpu_systems_kw + self.network_kw + self.storage_kw + self.cpu_other_kw

    @property
    def facility_kw(self) -> float:
        return self.it_kw * self.pue

    @property
    def it_mw(self) -> float:
        return self.it_kw / 1e3

    @property
    def facility_mw(self) -> float:
        return self.facility_kw / 1e3


@dataclass(frozen=True)
class FleetEnergy:
    """Energy of a fleet over a period, kWh."""

    busy_gpu_h: float
    idle_gpu_h: float
    hours: float
    gpu_systems_kwh: float
    overhead_kwh: float
    pue: float

    @property
    def it_kwh(self) -> float:
        return self.gpu_systems_kwh + self.overhead_kwh

    @property
    def facility_kwh(self) -> float:
        return self.it_kwh * self.pue


def _arrays(pools: Sequence[SystemPool]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    gpus = np.array([p.gpus for p in pools], dtype=float)
    tdp = np.array([p.gpu_tdp_w for p in pools], dtype=float)
    rated = np.array([p.system_max_w_per_gpu for p in pools], dtype=float)
    return gpus, tdp, rated


def system_w_per_gpu(pools: Sequence[SystemPool], utilisation, model: PowerModel | None = None) -> np.ndarray:
    """GPU + host power of one GPU of each pool at `utilisation` (W, one entry per pool)."""
    model = model or default_power_model()
    _, tdp, rated = _arrays(pools)
    return model.gpu_w(tdp, utilisation) + model.host_w_for(rated, tdp)


def fleet_power(fleet: Fleet, utilisation: float | None = None, pue: float = 1.0,
                model: PowerModel | None = None) -> FleetPower:
    """Power of every GPU of `fleet` at `utilisation` (default: the model's training utilisation)."""
    model = model or default_power_model()
    u = model.train_utilisation if utilisation is None else utilisation
    if pue < 1:
        raise ValueError("pue must be >= 1")
    gpus = _arrays(fleet.pools)[0]
    systems_w = float(np.sum(gpus * system_w_per_gpu(fleet.pools, u, model))) if fleet.pools else 0.0
    o = fleet.overhead
    return FleetPower(float(u), systems_w / 1e3, o.network_kw, o.storage_kw, o.cpu_other_kw, float(pue))


def fleet_energy(fleet: Fleet, busy_gpu_h, idle_gpu_h, hours: float, pue: float = 1.0,
                 model: PowerModel | None = None, utilisation: float | None = None) -> FleetEnergy:
    """Energy from busy and idle GPU-hours per pool (one value or one per pool of `fleet`), with the
    overhead drawn for `hours`. Busy GPU-hours run at `utilisation` (default: training), idle ones at 0.
    This is what the operations simulator calls with its per-pool GPU-time ledger."""
    model = model or default_power_model()
    u = model.train_utilisation if utilisation is None else utilisation
    n = len(fleet.pools)
    busy = np.broadcast_to(np.asarray(busy_gpu_h, dtype=float), (n,))
    idle = np.broadcast_to(np.asarray(idle_gpu_h, dtype=float), (n,))
    if np.any(busy < 0) or np.any(idle < 0) or hours < 0 or pue < 1:
        raise ValueError("GPU-hours and hours must be >= 0 and pue >= 1")
    systems_wh = float(np.sum(busy * system_w_per_gpu(fleet.pools, u, model)
                              + idle * system_w_per_gpu(fleet.pools, 0.0, model))) if n else 0.0
    return FleetEnergy(float(busy.sum()), float(idle.sum()), float(hours), systems_wh / 1e3,
                       fleet.overhead.total_kw * hours, float(pue))


def job_energy(fleet: Fleet, busy_h: float, idle_h: float, spare_gpus: float = 0.0, pue: float = 1.0,
               model: PowerModel | None = None) -> FleetEnergy:
    """A job on every GPU of `fleet`: computing `busy_h`, stalled `idle_h` (checkpoints, restarts), with
    `spare_gpus` hot spares idling all the run (drawn from the fleet's pools in proportion)."""
    total = fleet.gpus
    busy = np.array([p.gpus * busy_h for p in fleet.pools])
    idle = np.array([p.gpus * idle_h + (spare_gpus * p.gpus / total if total else 0.0) * (busy_h + idle_h)
                     for p in fleet.pools])
    return fleet_energy(fleet, busy, idle, busy_h + idle_h, pue, model)


__all__ = ["Fleet", "FleetEnergy", "FleetPower", "ItOverhead", "SystemPool", "fleet_energy", "fleet_power",
           "job_energy", "system_w_per_gpu"]
