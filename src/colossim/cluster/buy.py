"""What a budget buys: units of one system added to a scenario, against the same money on Hopper servers.

Each unit costs its catalog price plus its share of the network it needs: the difference in fabric
capital cost (switches and optics, mid estimate) between the scenario with and without the purchase,
spread over the units bought. Added power and compute come from the cluster figures with and without
the purchase, so they include the extra switches.
"""

from __future__ import annotations

import math
from datetime import date

from pydantic import BaseModel, ConfigDict

from colossim.catalog import Catalog
from colossim.cluster.fabric import fabric_figures
from colossim.cluster.figures import ClusterFigures, figures_for_pools
from colossim.cluster.inventory import Pool, inventory, make_pool, phases_through
from colossim.cluster.spec import ClusterSpec

DEFAULT_COMPARE = ("supermicro_hgx_h100_lc", "supermicro_hgx_h200_lc")


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BuyOption(_Out):
    system: str
    name: str
    gpu: str
    unit_price_usd_low: float
    unit_price_usd_high: float
    network_usd_per_unit: float
    units: int
    units_low: int
    units_high: int
    gpus: int
    racks: int
    added_peak_bf16_eflops: float
    added_peak_fp8_eflops: float
    added_peak_fp4_eflops: float
    added_hbm_tb: float
    added_it_power_max_mw: float
    added_facility_power_max_mw: float
    added_facility_power_mw: float
    bf16_pflops_per_mw: float
    usd_per_bf16_tflops: float


class BuyResult(_Out):
    budget_usd: float
    scenario: str
    at: date
    baseline_gpus: int
    baseline_peak_bf16_eflops: float
    baseline_facility_power_mw: float
    option: BuyOption
    after_gpus: int
    after_peak_bf16_eflops: float
    after_peak_fp8_eflops: float
    after_facility_power_max_mw: float
    after_facility_power_mw: float
    comparisons: list[BuyOption]


def _network_mid(spec: ClusterSpec, catalog: Catalog, pools: list[Pool]) -> float:
    fab = fabric_figures(spec.fabric, catalog, pools)
    return 0.5 * (fab.capex_usd_low + fab.capex_usd_high)


def _option(
    spec: ClusterSpec,
    catalog: Catalog,
    base_pools: list[Pool],
    base: ClusterFigures,
    budget_usd: float,
    system_id: str,
    at: date,
) -> tuple[BuyOption, ClusterFigures]:
    system = catalog.systems[system_id]
    if system.price is None:
        raise ValueError(f"system '{system.id}' has no price in the catalog: pick one that has")
    price = system.price
    base_network = _network_mid(spec, catalog, base_pools)
    guess = max(1, math.floor(budget_usd / price.usd_mid))
    extra = _network_mid(spec, catalog, [*base_pools, make_pool(system.id, guess, catalog, "buy", at)])
    network_per_unit = max(0.0, extra - base_network) / guess
    units = math.floor(budget_usd / (price.usd_mid + network_per_unit))
    units_low = math.floor(budget_usd / (price.usd_high + network_per_unit))
    units_high = math.floor(budget_usd / (price.usd_low + network_per_unit))
    phases = phases_through(spec, at)
    pools = [*base_pools, make_pool(system.id, units, catalog, "buy", at)] if units else base_pools
    after = figures_for_pools(spec, catalog, pools, phases, at)
    added_bf16 = after.peak_bf16_eflops - base.peak_bf16_eflops
    added_mw = after.facility_power_mw - base.facility_power_mw
    option = BuyOption(
        system=system.id,
        name=system.name,
        gpu=system.gpu,
        unit_price_usd_low=price.usd_low,
        unit_price_usd_high=price.usd_high,
        network_usd_per_unit=network_per_unit,
        units=units,
        units_low=units_low,
        units_high=units_high,
        gpus=units * system.gpus,
        racks=math.ceil(units / system.systems_per_rack),
        added_peak_bf16_eflops=added_bf16,
        added_peak_fp8_eflops=after.peak_fp8_eflops - base.peak_fp8_eflops,
        added_peak_fp4_eflops=after.peak_fp4_eflops - base.peak_fp4_eflops,
        added_hbm_tb=after.hbm_tb - base.hbm_tb,
        added_it_power_max_mw=after.it_power_max_mw - base.it_power_max_mw,
        added_facility_power_max_mw=after.facility_power_max_mw - base.facility_power_max_mw,
        added_facility_power_mw=added_mw,
        bf16_pflops_per_mw=added_bf16 * 1000.0 / added_mw if added_mw > 0 else 0.0,
        usd_per_bf16_tflops=budget_usd / (added_bf16 * 1e6)
        if added_bf16 > 0
        else 0.0,  # 1 EFLOP/s = 1e6 TFLOP/s
    )
    return option, after


def buy(
    spec: ClusterSpec,
    catalog: Catalog,
    budget_usd: float,
    system_id: str,
    at: date | None = None,
    compare: tuple[str, ...] = DEFAULT_COMPARE,
) -> BuyResult:
    """Spend `budget_usd` on `system_id` added to the scenario on `at` (None: after its last phase)."""
    if not math.isfinite(budget_usd) or budget_usd <= 0:
        raise ValueError(f"the budget must be a positive number of USD (got {budget_usd})")
    phases = phases_through(spec, at)
    if not phases:
        raise ValueError(
            f"nothing is installed on {at}: the first phase of '{spec.name}' starts {spec.phases[0].start}"
        )
    when = at or phases[-1].start
    base_pools = inventory(spec, catalog, at)
    base = figures_for_pools(spec, catalog, base_pools, phases, when)
    option, after = _option(spec, catalog, base_pools, base, budget_usd, system_id, when)
    others = [_option(spec, catalog, base_pools, base, budget_usd, other, when)[0] for other in compare]
    return BuyResult(
        budget_usd=budget_usd,
        scenario=spec.name,
        at=when,
        baseline_gpus=base.gpus,
        baseline_peak_bf16_eflops=base.peak_bf16_eflops,
        baseline_facility_power_mw=base.facility_power_mw,
        option=option,
        after_gpus=after.gpus,
        after_peak_bf16_eflops=after.peak_bf16_eflops,
        after_peak_fp8_eflops=after.peak_fp8_eflops,
        after_facility_power_max_mw=after.facility_power_max_mw,
        after_facility_power_mw=after.facility_power_mw,
        comparisons=others,
    )
