"""Energy, cost, CO2 and water: the fleet power chain (GPU systems by utilisation, network, storage, CPU
nodes, PUE), the site's supply mix, amortised hardware cost; every result carries its assumptions table
({name, value, unit, source})."""

from colossim.energy.assumptions import Assumption
from colossim.energy.cost import (
    HardwareCost,
    default_hardware_cost,
    hardware_usd_per_gpu_hour,
    usd_per_million_tokens,
)
from colossim.energy.defaults import EnergyDefaults, load_defaults
from colossim.energy.fleet import (
    Fleet,
    FleetEnergy,
    FleetPower,
    ItOverhead,
    SystemPool,
    fleet_energy,
    fleet_power,
    job_energy,
    system_w_per_gpu,
)
from colossim.energy.footprint import Footprint, RunTime, training_footprint
from colossim.energy.power import PowerModel, default_power_model, gpu_power_w, host_power_w
from colossim.energy.supply import SiteSupply

__all__ = [
    "Assumption",
    "EnergyDefaults",
    "Fleet",
    "FleetEnergy",
    "FleetPower",
    "Footprint",
    "HardwareCost",
    "ItOverhead",
    "PowerModel",
    "RunTime",
    "SiteSupply",
    "SystemPool",
    "default_hardware_cost",
    "default_power_model",
    "fleet_energy",
    "fleet_power",
    "gpu_power_w",
    "hardware_usd_per_gpu_hour",
    "host_power_w",
    "job_energy",
    "load_defaults",
    "system_w_per_gpu",
    "training_footprint",
    "usd_per_million_tokens",
]
