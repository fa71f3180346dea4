"""Energy, cost, CO2 and water of training runs: GPU power vs utilisation, the site's supply mix,
amortised hardware cost; every result carries its assumptions table ({name, value, unit, source})."""

from colossim.energy.assumptions import Assumption
from colossim.energy.cost import (
    HardwareCost,
    default_hardware_cost,
    hardware_usd_per_gpu_hour,
    usd_per_million_tokens,
)
from colossim.energy.defaults import EnergyDefaults, load_defaults
from colossim.energy.footprint import Footprint, RunTime, training_footprint
from colossim.energy.power import PowerModel, default_power_model, gpu_power_w
from colossim.energy.supply import SiteSupply

__all__ = [
    "Assumption",
    "EnergyDefaults",
    "Footprint",
    "HardwareCost",
    "PowerModel",
    "RunTime",
    "SiteSupply",
    "default_hardware_cost",
    "default_power_model",
    "gpu_power_w",
    "hardware_usd_per_gpu_hour",
    "load_defaults",
    "training_footprint",
    "usd_per_million_tokens",
]
