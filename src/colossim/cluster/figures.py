"""Headline figures of a cluster at a date: compute, memory, power, energy, CO2, water, cost, space.

Power comes from the fleet power chain (colossim.energy.fleet, via cluster.power) at three points.
`*_power_max_mw` is nameplate: every system at its rated maximum, what the site must be able to supply.
`*_power_peak_mw` is the training peak: every GPU at its TDP (an HGX H100 at 8.4 kW, Latif et al.).
`*_power_mw` is the sustained draw while training: every GPU at the training utilisation (an HGX H100 at
76 % of its rating, Newkirk et al.). Network, storage and CPU nodes draw their rating at all three. Energy,
CO2, water and the electricity bill assume the sustained draw all year at that date's supply mix (the site's
supply chain, colossim.energy.supply). With a supply timeline, `supply` is the ledger's day: what the grid,
the batteries and each turbine fleet carried, their fuel and emissions, and the permits' caps. The sustained
power and a year of it (energy, CO2, water, electricity) carry `_low`/`_high`: the p10/p90 of a seeded Monte
Carlo over PUE, the GPUs' training draw and the turbines' CO2 per kWh (cluster.ranges).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict

from colossim.catalog import Catalog
from colossim.cluster import defaults
from colossim.cluster.fabric import FabricFigures, fabric_figures
from colossim.cluster.inventory import Pool, inventory, phase_snapshots, phases_through
from colossim.cluster.ledger import supply_ledger
from colossim.cluster.mix import supply_on
from colossim.cluster.power import cluster_fleet
from colossim.cluster.prices import servers_capex
from colossim.cluster.ranges import cluster_ranges
from colossim.cluster.site import site_of, storage_after
from colossim.cluster.spec import ClusterSpec, Phase
from colossim.cluster.supply_day import SupplyDay, supply_day
from colossim.cluster.use import lease_note, use_at
from colossim.energy.emissions import MethaneLeak
from colossim.energy.fleet import fleet_power
from colossim.energy.power import default_power_model


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FabricSummary(_Out):
    kind: str
    switch: str
    port_gbps: float
    tiers: int
    switches_per_tier: list[int]
    switches: int
    links_per_tier: list[int]
    endpoint_ports: int
    max_endpoint_ports: int
    oversubscription: float
    gbps_per_gpu: float
    effective_gbps_per_gpu: float
    local_gpus: int
    hop_latency_us: float
    max_switch_hops: int
    latency_us_max: float
    switch_optics: int
    nic_optics: int
    frontend_tiers: int
    frontend_switches: int
    frontend_switch_optics: int
    switches_total: int


class ClusterFigures(_Out):
    scenario: str
    at: date
    phases: list[str]
    site: str
    gpus: int
    gpus_by_type: dict[str, int]
    systems_by_id: dict[str, int]
    peak_bf16_eflops: float
    peak_fp8_eflops: float
    peak_fp4_eflops: float
    fp4_gpus: int
    hbm_tb: float
    gpu_systems_power_max_mw: float
    switch_power_mw: float
    switch_optics_power_mw: float
    network_power_mw: float
    nic_optics_power_mw: float
    storage_power_mw: float
    cpu_other_power_mw: float
    it_power_max_mw: float
    training_utilisation: float
    gpu_systems_power_mw: float
    it_power_peak_mw: float
    it_power_mw: float
    pue: float
    facility_power_max_mw: float
    facility_power_peak_mw: float
    facility_power_mw: float
    facility_power_mw_low: float
    facility_power_mw_high: float
    energy_gwh_per_year: float
    energy_gwh_per_year_low: float
    energy_gwh_per_year_high: float
    electricity_cost_usd_per_year: float
    electricity_cost_usd_per_year_low: float
    electricity_cost_usd_per_year_high: float
    gas_turbine_share: float
    co2_g_per_kwh: float
    co2_t_per_year: float
    co2_t_per_year_low: float
    co2_t_per_year_high: float
    co2e_t_per_year: float
    water_m3_per_year: float
    water_m3_per_year_low: float
    water_m3_per_year_high: float
    water_million_gal_per_year: float
    capex_servers_usd_low: float
    capex_servers_usd_high: float
    capex_network_usd_low: float
    capex_network_usd_high: float
    capex_usd_low: float
    capex_usd_high: float
    racks_gpu: int
    racks_network: int
    racks: int
    floor_m2: float
    storage_write_gb_s: float
    storage_read_gb_s: float
    storage_capacity_pb: float
    site_use: str
    site_use_note: str
    fabric: FabricSummary
    supply: SupplyDay | None = None


class GrowthRow(_Out):
    phase: str
    start: date
    gpus_added: int
    gpus: int
    gpus_by_type: dict[str, int]
    peak_bf16_eflops: float
    peak_fp8_eflops: float
    peak_fp4_eflops: float
    it_power_max_mw: float
    facility_power_max_mw: float
    facility_power_mw: float
    switches: int
    racks: int
    capex_usd_low: float
    capex_usd_high: float
    gas_turbine_share: float
    co2_t_per_year: float


def _peak_eflops(pools: Sequence[Pool], catalog: Catalog, precision: str) -> tuple[float, int]:
    """Dense peak in EFLOP/s (1e18) over GPUs that have the mode, and how many GPUs have it."""
    total_tflops, gpus = 0.0, 0
    for pool in pools:
        rate = catalog.gpus[pool.gpu].dense_tflops.at(precision)  # type: ignore[arg-type]
        if rate is not None:
            total_tflops += pool.gpus * rate
            gpus += pool.gpus
    return total_tflops / 1e6, gpus  # 1 EFLOP/s = 1e6 TFLOP/s


def _summary(fab: FabricFigures) -> FabricSummary:
    be, fe = fab.backend, fab.frontend
    return FabricSummary(
        kind=fab.kind,
        switch=fab.switch,
        port_gbps=fab.port_gbps,
        tiers=be.tiers,
        switches_per_tier=list(be.switches_per_tier),
        switches=be.switches,
        links_per_tier=list(be.links_per_tier),
        endpoint_ports=be.endpoints,
        max_endpoint_ports=be.max_endpoints,
        oversubscription=fab.oversubscription,
        gbps_per_gpu=fab.gbps_per_gpu,
        effective_gbps_per_gpu=fab.effective_gbps_per_gpu(),
        local_gpus=fab.local_gpus,
        hop_latency_us=fab.hop_latency_us,
        max_switch_hops=be.max_switch_hops,
        latency_us_max=fab.latency_us_max,
        switch_optics=fab.switch_optics,
        nic_optics=fab.nic_optics,
        frontend_tiers=fe.tiers,
        frontend_switches=fe.switches,
        frontend_switch_optics=fab.frontend_switch_optics,
        switches_total=fab.switches,
    )


def figures_for_pools(
    spec: ClusterSpec, catalog: Catalog, pools: Sequence[Pool], phases: Sequence[Phase], at: date,
    methane: MethaneLeak | None = None,
) -> ClusterFigures:
    """Figures for an explicit inventory `pools`, after `phases` (which fix storage), with the supply mix of
    day `at` (the scenario's own ledger: a purchase added to `pools` does not change it)."""
    site = site_of(spec, catalog)
    fab = fabric_figures(spec.fabric, catalog, pools)
    gpus = sum(p.gpus for p in pools)
    bf16, _ = _peak_eflops(pools, catalog, "bf16")
    fp8, _ = _peak_eflops(pools, catalog, "fp8")
    fp4, fp4_gpus = _peak_eflops(pools, catalog, "fp4")
    hbm_tb = sum(p.gpus * catalog.gpus[p.gpu].hbm_gb for p in pools) / 1000.0

    systems_kw = sum(p.systems * p.power_max_kw for p in pools)
    storage = storage_after(spec, phases)
    fleet = cluster_fleet(spec, catalog, pools, phases, fab)
    power = default_power_model()
    ledger = supply_ledger(spec, catalog, through=at) if spec.supply is not None else None
    supply = supply_on(spec, catalog, at, phases, ledger, methane)
    day = supply_day(ledger, at, spec.supply.permits, methane) if ledger is not None and spec.supply else None
    pue = supply.pue
    sustained = fleet_power(fleet, power.train_utilisation, pue, power)
    peak = fleet_power(fleet, 1.0, pue, power)
    overhead = fleet.overhead
    it_max_kw = systems_kw + overhead.total_kw
    it_kw = sustained.it_kw

    energy_kwh = sustained.facility_kw * defaults.HOURS_PER_YEAR
    water_m3 = supply.water_m3(it_kw * defaults.HOURS_PER_YEAR)
    spread = cluster_ranges(fleet, supply, power, site.pue_low, site.pue_high, f"site '{site.id}': {site.source}")
    ranges = spread.range_fields()

    server_low, server_high = servers_capex(pools, catalog)
    racks_gpu = sum(math.ceil(pool.systems / pool.systems_per_rack) for pool in pools)
    racks_network = math.ceil(fab.switch_rack_units / defaults.NETWORK_RACK_UNITS)
    by_type: Counter[str] = Counter()
    by_system: Counter[str] = Counter()
    for pool in pools:
        by_type[pool.gpu] += pool.gpus
        by_system[pool.system] += pool.systems

    return ClusterFigures(
        scenario=spec.name,
        at=at,
        phases=[p.name for p in phases],
        site=site.id,
        gpus=gpus,
        gpus_by_type=dict(sorted(by_type.items())),
        systems_by_id=dict(sorted(by_system.items())),
        peak_bf16_eflops=bf16,
        peak_fp8_eflops=fp8,
        peak_fp4_eflops=fp4,
        fp4_gpus=fp4_gpus,
        hbm_tb=hbm_tb,
        gpu_systems_power_max_mw=systems_kw / 1000.0,
        switch_power_mw=(fab.switch_power_kw + fab.frontend_switch_power_kw) / 1000.0,
        switch_optics_power_mw=(fab.switch_optics_power_kw + fab.frontend_optics_power_kw) / 1000.0,
        network_power_mw=overhead.network_kw / 1000.0,
        nic_optics_power_mw=fab.nic_optics_power_kw / 1000.0,
        storage_power_mw=overhead.storage_kw / 1000.0,
        cpu_other_power_mw=overhead.cpu_other_kw / 1000.0,
        it_power_max_mw=it_max_kw / 1000.0,
        training_utilisation=power.train_utilisation,
        gpu_systems_power_mw=sustained.gpu_systems_kw / 1000.0,
        it_power_peak_mw=peak.it_mw,
        it_power_mw=it_kw / 1000.0,
        pue=pue,
        facility_power_max_mw=it_max_kw * pue / 1000.0,
        facility_power_peak_mw=peak.facility_mw,
        facility_power_mw=sustained.facility_mw,
        energy_gwh_per_year=energy_kwh / 1e6,
        electricity_cost_usd_per_year=supply.electricity_usd(energy_kwh),
        **ranges,  # facility_power_mw_low ... electricity_cost_usd_per_year_high (cluster.ranges: p10 / p90)
        gas_turbine_share=supply.gas_share,
        co2_g_per_kwh=supply.co2_g_per_kwh,
        co2_t_per_year=supply.co2_t(energy_kwh),
        co2e_t_per_year=supply.co2e_t(energy_kwh),
        water_m3_per_year=water_m3,
        water_million_gal_per_year=water_m3 * 1000.0 / defaults.LITRES_PER_US_GALLON / 1e6,
        capex_servers_usd_low=server_low,
        capex_servers_usd_high=server_high,
        capex_network_usd_low=fab.capex_usd_low,
        capex_network_usd_high=fab.capex_usd_high,
        capex_usd_low=server_low + fab.capex_usd_low,
        capex_usd_high=server_high + fab.capex_usd_high,
        racks_gpu=racks_gpu,
        racks_network=racks_network,
        racks=racks_gpu + racks_network,
        floor_m2=(racks_gpu + racks_network) * site.floor_m2_per_rack,
        storage_write_gb_s=storage.write_gb_s if storage else 0.0,
        storage_read_gb_s=storage.read_gb_s if storage else 0.0,
        storage_capacity_pb=storage.capacity_pb if storage else 0.0,
        site_use=use_at(spec, at),
        site_use_note=lease_note(spec, at),
        fabric=_summary(fab),
        supply=day,
    )


def cluster_figures(spec: ClusterSpec, catalog: Catalog, at: date | None = None,
                    methane: MethaneLeak | None = None) -> ClusterFigures:
    """Figures of the cluster on date `at` (None: after its last phase); `methane` adds upstream methane to
    the CO2e figures."""
    phases = phases_through(spec, at)
    if not phases:
        raise ValueError(
            f"nothing is installed on {at}: the first phase of '{spec.name}' starts "
            f"{spec.phases[0].start} (use a date on or after it)"
        )
    return figures_for_pools(spec, catalog, inventory(spec, catalog, at), phases, at or phases[-1].start, methane)


def cluster_fabric(spec: ClusterSpec, catalog: Catalog, at: date | None = None) -> FabricFigures:
    """The sized fabric on date `at` (None: after the last phase)."""
    return fabric_figures(spec.fabric, catalog, inventory(spec, catalog, at))


def growth(spec: ClusterSpec, catalog: Catalog) -> list[GrowthRow]:
    """One row per phase: the cluster right after that phase."""
    rows: list[GrowthRow] = []
    previous = 0
    for i, snap in enumerate(phase_snapshots(spec, catalog)):
        fig = figures_for_pools(spec, catalog, snap.pools, spec.phases[: i + 1], snap.start)
        rows.append(
            GrowthRow(
                phase=snap.phase,
                start=snap.start,
                gpus_added=fig.gpus - previous,
                gpus=fig.gpus,
                gpus_by_type=fig.gpus_by_type,
                peak_bf16_eflops=fig.peak_bf16_eflops,
                peak_fp8_eflops=fig.peak_fp8_eflops,
                peak_fp4_eflops=fig.peak_fp4_eflops,
                it_power_max_mw=fig.it_power_max_mw,
                facility_power_max_mw=fig.facility_power_max_mw,
                facility_power_mw=fig.facility_power_mw,
                switches=fig.fabric.switches_total,
                racks=fig.racks,
                capex_usd_low=fig.capex_usd_low,
                capex_usd_high=fig.capex_usd_high,
                gas_turbine_share=fig.gas_turbine_share,
                co2_t_per_year=fig.co2_t_per_year,
            )
        )
        previous = fig.gpus
    return rows
