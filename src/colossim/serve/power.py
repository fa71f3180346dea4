"""Power, energy and cost of serving, through the ONE fleet power chain (colossim.energy.fleet: GPU systems
by utilisation, the cluster's network, storage and CPU nodes per GPU, the site's PUE) and the partition's
catalog price per GPU (the plan search's economics), as `train`, `plan` and `cluster` count them.

GPU utilisation (0 idle .. 1 TDP) while serving: compute-bound time at the energy model's training
utilisation, memory-bound decode time at serve/calibration.yaml decode_power_utilisation; GPUs of the
partition that no replica uses draw idle power.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from colossim.energy.fleet import fleet_energy
from colossim.plan.machine import JobMachine
from colossim.serve.constants import ServeConstants, constants, load_serve_calibration


@dataclass(frozen=True)
class ServingCost:
    gpu_utilisation: float  # 0 idle .. 1 TDP
    it_w_per_gpu: float  # a serving GPU's share of the IT power (systems + network, storage, CPU nodes)
    idle_it_w_per_gpu: float
    facility_mw: float  # the whole partition
    energy_kwh_per_mtok: float  # facility energy per million output tokens
    usd_per_gpu_hour: float  # hardware, amortised
    cost_usd_per_mtok: float  # hardware + electricity per million output tokens
    system: str
    system_price_usd_per_gpu: float
    assumptions: tuple[dict, ...]


def serving_utilisation(compute_fraction: float, c: ServeConstants | None = None, train_utilisation: float = 1.0):
    c = c or constants()
    return compute_fraction * train_utilisation + (1.0 - compute_fraction) * c.decode_power_util


def serving_cost(machine: JobMachine, compute_fraction: float, gpus_serving: float, output_tokens_per_s: float,
                 c: ServeConstants | None = None) -> ServingCost:
    """Power of the partition and cost per million output tokens at a served rate."""
    econ = machine.economics
    pm = econ.power
    util = serving_utilisation(compute_fraction, c, pm.train_utilisation)
    n = machine.gpus_available
    fleet = machine.fleet(n)
    share = np.array([p.gpus for p in fleet.pools], dtype=float) / max(fleet.gpus, 1.0)
    busy = share * min(gpus_serving, n)
    idle = share * max(n - gpus_serving, 0.0)
    hour = fleet_energy(fleet, busy, idle, 1.0, econ.pue, pm, util)  # one hour of the partition
    all_busy = fleet_energy(fleet, share * n, 0.0 * share, 1.0, 1.0, pm, util)
    all_idle = fleet_energy(fleet, 0.0 * share, share * n, 1.0, 1.0, pm, util)
    facility_w = hour.facility_kwh * 1e3
    usd_h = econ.hardware.usd_per_gpu_hour
    mtok_per_h = output_tokens_per_s * 3600.0 / 1e6
    kwh_per_mtok = hour.facility_kwh / mtok_per_h if mtok_per_h > 0 else float("inf")
    usd_per_mtok = ((n * usd_h + hour.facility_kwh * econ.usd_per_kwh) / mtok_per_h
                    if mtok_per_h > 0 else float("inf"))
    decode = load_serve_calibration().decode_power_utilisation
    assumptions = (
        {"name": "power_chain", "value": "colossim.energy.fleet (systems by utilisation + network, storage, CPU "
         "nodes; x PUE)", "unit": "-", "source": "the one fleet power model of every command"},
        {"name": "serving_utilisation", "value": round(util, 3), "unit": "0 idle .. 1 TDP",
         "source": f"compute-bound share {compute_fraction:.2f} at train_utilisation {pm.train_utilisation}, "
                   f"the rest at decode_power_utilisation {decode.value} ({decode.source})"},
        {"name": "pue", "value": econ.pue, "unit": "facility kWh per IT kWh", "source": "the cluster's site"},
        {"name": "power_price", "value": econ.usd_per_kwh, "unit": "USD per kWh", "source": "the cluster's site"},
        {"name": "capex_per_gpu", "value": round(econ.hardware.capex_usd_per_gpu), "unit": "USD",
         "source": econ.hardware.sources.get("capex_usd_per_gpu", "energy defaults")},
    )
    return ServingCost(util, all_busy.it_kwh * 1e3 / max(n, 1), all_idle.it_kwh * 1e3 / max(n, 1),
                       facility_w / 1e6, kwh_per_mtok, usd_h, usd_per_mtok, machine.system,
                       econ.hardware.capex_usd_per_gpu, assumptions)


__all__ = ["ServingCost", "serving_cost", "serving_utilisation"]
