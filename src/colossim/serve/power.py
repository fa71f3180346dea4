"""Power, energy and cost of serving: the ONE place serving turns GPU time into watts and dollars, through
colossim.energy (the linear idle-to-TDP GPU power model, the host and network shares, the site's PUE and
tariff) and the catalog's system price. Meant to be repointed to the fleet power chain when it lands.

GPU utilisation (0 idle .. 1 TDP) while serving: compute-bound time at the energy model's training
utilisation, memory-bound decode time at serve/calibration.yaml decode_power_utilisation; GPUs of the
partition that no replica uses draw idle power.
"""

from __future__ import annotations

from dataclasses import dataclass

from colossim.catalog import Catalog, load_catalog
from colossim.energy.cost import hardware_usd_per_gpu_hour
from colossim.energy.defaults import load_defaults
from colossim.plan.search import Economics
from colossim.serve.constants import ServeConstants, constants, load_serve_calibration


@dataclass(frozen=True)
class ServingCost:
    gpu_utilisation: float  # 0 idle .. 1 TDP
    it_w_per_gpu: float  # GPU + host + network share, serving
    idle_it_w_per_gpu: float
    facility_mw: float  # the whole partition
    energy_kwh_per_mtok: float  # facility energy per million output tokens
    usd_per_gpu_hour: float  # hardware, amortised
    cost_usd_per_mtok: float  # hardware + electricity per million output tokens
    system: str
    system_price_usd_per_gpu: float
    assumptions: tuple[dict, ...]


def system_price_per_gpu(system_id: str, catalog: Catalog | None = None) -> tuple[float, str]:
    """Mid catalog price of one GPU's share of its system (falls back to the energy defaults' all-in capex)."""
    catalog = catalog or load_catalog()
    system = catalog.systems[system_id]
    if system.price is None:
        h = load_defaults().hardware.capex_usd_per_gpu
        return h.value, h.source
    return system.price.usd_mid / system.gpus, f"catalog systems.yaml {system.id}: {system.source}"


def serving_cost(economics: Economics, tdp_w: float, system_id: str, compute_fraction: float, gpus_serving: float,
                 gpus_in_partition: float, output_tokens_per_s: float, c: ServeConstants | None = None,
                 catalog: Catalog | None = None) -> ServingCost:
    """Power of the partition and cost per million output tokens at a served rate."""
    c = c or constants()
    pm = economics.power
    util = compute_fraction * pm.train_utilisation + (1.0 - compute_fraction) * c.decode_power_util
    busy_w = float(pm.it_w_per_gpu(tdp_w, util))
    idle_w = float(pm.it_w_per_gpu(tdp_w, 0.0))
    facility_w = (gpus_serving * busy_w + max(gpus_in_partition - gpus_serving, 0.0) * idle_w) * economics.pue
    price, price_source = system_price_per_gpu(system_id, catalog)
    hw = load_defaults().hardware
    usd_h = hardware_usd_per_gpu_hour(price, hw.lifetime_years.value, hw.fleet_utilisation.value)
    mtok_per_h = output_tokens_per_s * 3600.0 / 1e6
    kwh_per_mtok = facility_w / 1e3 / mtok_per_h if mtok_per_h > 0 else float("inf")
    usd_per_mtok = ((gpus_in_partition * usd_h + facility_w / 1e3 * economics.usd_per_kwh) / mtok_per_h
                    if mtok_per_h > 0 else float("inf"))
    decode = load_serve_calibration().decode_power_utilisation
    assumptions = (
        {"name": "gpu_power_model", "value": "P = TDP x (idle + (1 - idle) x u)", "unit": "-",
         "source": "colossim.energy.power (linear idle-to-TDP)"},
        {"name": "serving_utilisation", "value": round(util, 3), "unit": "0 idle .. 1 TDP",
         "source": f"compute-bound share {compute_fraction:.2f} at train_utilisation {pm.train_utilisation}, "
                   f"the rest at decode_power_utilisation {decode.value} ({decode.source})"},
        {"name": "pue", "value": economics.pue, "unit": "facility kWh per IT kWh", "source": "the cluster's site"},
        {"name": "power_price", "value": economics.usd_per_kwh, "unit": "USD per kWh", "source": "the cluster's site"},
        {"name": "system_price_per_gpu", "value": round(price), "unit": "USD", "source": price_source},
        {"name": "lifetime", "value": hw.lifetime_years.value, "unit": "years", "source": hw.lifetime_years.source},
        {"name": "fleet_utilisation", "value": hw.fleet_utilisation.value, "unit": "fraction of hours",
         "source": hw.fleet_utilisation.source},
    )
    return ServingCost(util, busy_w, idle_w, facility_w / 1e6, kwh_per_mtok, usd_h, usd_per_mtok, system_id, price,
                       assumptions)


__all__ = ["ServingCost", "serving_cost", "system_price_per_gpu"]
