"""A cluster as the fleet power chain sees it (colossim.energy.fleet): its GPU systems by pool, and the IT
around them (the sized fabric's switches and switch-side optics, storage by capacity, CPU nodes and other
IT as a fraction of GPU-system nameplate). Every command takes a cluster's power from here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from colossim.catalog import Catalog
from colossim.cluster.fabric import FabricFigures, fabric_figures
from colossim.cluster.inventory import Pool, inventory, phases_through
from colossim.cluster.site import storage_after
from colossim.cluster.spec import ClusterSpec, Phase
from colossim.energy.fleet import Fleet, ItOverhead, SystemPool


def system_pool(pool: Pool, catalog: Catalog, gpus: float | None = None) -> SystemPool:
    """One inventory pool for the power chain (its GPU's TDP, its system's nameplate per GPU)."""
    return SystemPool(pool.gpus if gpus is None else gpus, catalog.gpus[pool.gpu].tdp_w,
                      pool.power_max_kw * 1e3 / pool.gpus_per_system, pool.system)


def it_overhead(spec: ClusterSpec, catalog: Catalog, pools: Sequence[Pool], phases: Sequence[Phase],
                fabric: FabricFigures | None = None) -> ItOverhead:
    """Network (both fabrics' switches and switch-side optics; NIC optics are inside the systems), storage
    (capacity x kW per PB) and CPU nodes and other IT (`cpu_other_fraction` of GPU-system nameplate)."""
    fab = fabric or fabric_figures(spec.fabric, catalog, pools)
    storage = storage_after(spec, phases)
    storage_kw = storage.capacity_pb * storage.power_kw_per_pb if storage else 0.0
    systems_max_kw = sum(p.systems * p.power_max_kw for p in pools)
    return ItOverhead(fab.network_power_kw, storage_kw, spec.cpu_other_fraction * systems_max_kw)


def cluster_fleet(spec: ClusterSpec, catalog: Catalog, pools: Sequence[Pool], phases: Sequence[Phase],
                  fabric: FabricFigures | None = None) -> Fleet:
    """Every GPU system of `pools` and the cluster's IT overhead."""
    return Fleet(tuple(system_pool(p, catalog) for p in pools if p.gpus > 0),
                 it_overhead(spec, catalog, pools, phases, fabric))


def fleet_at(spec: ClusterSpec, catalog: Catalog, at: date | None = None) -> Fleet:
    """The cluster's fleet on `at` (None: after its last phase): what the simulator calls the fleet power chain
    with (energy.fleet_energy over its busy and idle GPU-hours per pool; pools in inventory order)."""
    return cluster_fleet(spec, catalog, inventory(spec, catalog, at), phases_through(spec, at))


def job_fleet(cluster: Fleet, pools: Sequence[Pool], catalog: Catalog, gpus: float) -> Fleet:
    """`gpus` taken evenly from `pools` (a partition's), with the same per-GPU share of the cluster's
    overhead: what one job draws."""
    total = sum(p.gpus for p in pools)
    if not 0 < gpus <= total:
        raise ValueError(f"a job of {gpus:,.0f} GPUs on a partition of {total:,}")
    fraction = gpus / total
    share = gpus / cluster.gpus
    return Fleet(tuple(system_pool(p, catalog, p.gpus * fraction) for p in pools if p.gpus > 0),
                 cluster.overhead.share(share))
