"""The machine a job runs on, from a cluster partition (colossim.cluster.partitions): the partition's
GPU (the type with the smallest HBM where types mix), its NVLink domain, the slowest scale-out bandwidth
of its systems, and for the cost and energy objectives the fleet power chain's per-GPU figures (host
share from the systems' nameplate, the cluster's network, storage and CPU nodes per GPU), the site's PUE
and tariff, and the partition's catalog price per GPU."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from colossim.catalog import Catalog, load_catalog
from colossim.cluster import (
    ClusterSpec,
    Partition,
    PartitionChoice,
    capex_per_gpu,
    capex_range_per_gpu,
    choose,
    cluster_fleet,
    fabric_figures,
    gbps_per_gpu,
    inventory,
    job_fleet,
    partitions_of,
    supply_on,
)
from colossim.cluster.fabric import collective_transport
from colossim.cluster.inventory import phases_through
from colossim.cluster.use import training_date
from colossim.energy import Fleet, SiteSupply, default_hardware_cost, default_power_model
from colossim.perf.hardware import Hardware, hardware_for
from colossim.plan.search import Economics


@dataclass(frozen=True)
class ClusterAt:
    """A cluster on a date as the planners need it: its partitions, its fleet (power chain) and supply."""

    spec: ClusterSpec
    at: date | None
    partitions: tuple[Partition, ...]
    fleet: Fleet
    supply: SiteSupply
    network_usd_per_gpu: float
    network_usd_range_per_gpu: tuple[float, float] = (0.0, 0.0)  # the fabric's low and high capex per GPU
    note: str = ""  # why the date differs from the one asked (e.g. the site is leased out after it)

    @property
    def gpus(self) -> int:
        return sum(p.gpus for p in self.partitions)


@dataclass(frozen=True)
class JobMachine:
    """One partition of a cluster as the step model, the search and the footprint see it."""

    partition: Partition
    hardware: Hardware
    economics: Economics
    cluster: ClusterAt
    capex_source: str
    capex_range: tuple[float, float] | None = None  # USD per GPU, low and high (catalog price ranges)

    @property
    def gpus_available(self) -> int:
        return self.partition.gpus

    @property
    def gpu(self) -> str:
        """The partition's name (e.g. 'h100+h200', or one GPU type's short name)."""
        return self.partition.name

    @property
    def system(self) -> str:
        return self.partition.main_pool.system

    @property
    def at(self) -> date | None:
        return self.cluster.at

    def fleet(self, gpus: int, catalog: Catalog | None = None) -> Fleet:
        """What a job of `gpus` GPUs of this partition draws (fleet power chain)."""
        return job_fleet(self.cluster.fleet, self.partition.pools, catalog or load_catalog(), gpus)


def cluster_at(spec: ClusterSpec, at: date | None = None, catalog: Catalog | None = None) -> ClusterAt:
    """The cluster as it trains on `at`; a date it is leased out raises (cluster.use.training_date), and with
    `at` None on a site leased out after its last phase, the last day it trained (with a note)."""
    catalog = catalog or load_catalog()
    at, note = training_date(spec, at)
    phases = phases_through(spec, at)
    if not phases:
        raise ValueError(f"cluster '{spec.name}' has no GPUs on {at}: its first phase starts "
                         f"{spec.phases[0].start}; pick a later --at date")
    pools = [p for p in inventory(spec, catalog, at) if p.gpus > 0]
    fab = fabric_figures(spec.fabric, catalog, pools)
    gpus = sum(p.gpus for p in pools)
    network_usd = 0.5 * (fab.capex_usd_low + fab.capex_usd_high) / gpus if gpus else 0.0
    network_range = (fab.capex_usd_low / gpus, fab.capex_usd_high / gpus) if gpus else (0.0, 0.0)
    return ClusterAt(spec, at, tuple(partitions_of(pools, catalog)), cluster_fleet(spec, catalog, pools, phases, fab),
                     supply_on(spec, catalog, at or phases[-1].start, phases), network_usd, network_range, note)


def machine_for(where: ClusterAt, partition: Partition, catalog: Catalog | None = None) -> JobMachine:
    """The JobMachine of one partition (its memory-bounding GPU, its slowest NIC and smallest domain)."""
    catalog = catalog or load_catalog()
    gpu = partition.memory_gpu(catalog)
    fabric = where.spec.fabric
    hardware = hardware_for(
        gpu.id,
        nvlink_domain=partition.nvlink_domain,
        scale_out_gbps_per_gpu=min(gbps_per_gpu(fabric, catalog, p.system) for p in partition.pools),
        oversubscription=fabric.oversubscription,
        fabric=collective_transport(fabric, catalog),  # InfiniBand, Spectrum-X ... (perf/collectives.yaml)
        sharp=fabric.sharp,
    )
    fleet = job_fleet(where.fleet, partition.pools, catalog, partition.gpus)
    rated = sum(p.gpus * p.system_max_w_per_gpu for p in fleet.pools) / fleet.gpus
    power = default_power_model().for_system(rated, gpu.tdp_w, fleet.overhead_w_per_gpu(),
                                             f"cluster '{where.spec.name}': network, storage and CPU nodes per GPU")
    hardware_cost = default_hardware_cost()
    priced = capex_per_gpu(partition.pools, catalog, where.network_usd_per_gpu)
    source = hardware_cost.sources.get("capex_usd_per_gpu", "energy defaults")
    if priced is not None:
        hardware_cost = hardware_cost.with_capex(*priced)
        source = priced[1]
    econ = Economics(power=power, hardware=hardware_cost, pue=where.supply.pue,
                     usd_per_kwh=where.supply.power_price_usd_per_kwh)
    return JobMachine(partition, hardware, econ, where, source,
                      capex_range_per_gpu(partition.pools, catalog, where.network_usd_range_per_gpu))


def job_machines(spec: ClusterSpec, at: date | None = None, catalog: Catalog | None = None) -> list[JobMachine]:
    """One JobMachine per partition on `at`, largest partition first."""
    catalog = catalog or load_catalog()
    where = cluster_at(spec, at, catalog)
    return [machine_for(where, p, catalog) for p in where.partitions]


def choose_machines(spec: ClusterSpec, partition: str | None = None, gpus: int | None = None,
                    at: date | None = None, catalog: Catalog | None = None) -> tuple[PartitionChoice, list[JobMachine]]:
    """What `--partition` / `--gpus` mean on this cluster (cluster.partitions.choose) and the machines of the
    chosen partition(s): one, or several for a cross-generation job."""
    catalog = catalog or load_catalog()
    where = cluster_at(spec, at, catalog)
    choice = choose(where.partitions, partition, gpus, catalog, f"'{spec.name}'")
    if where.note:
        choice = replace(choice, reason=f"{choice.reason}. {where.note}")
    return choice, [machine_for(where, p, catalog) for p in choice.partitions]


def job_machine(spec: ClusterSpec, partition: str | None = None, at: date | None = None,
                catalog: Catalog | None = None, gpus: int | None = None) -> JobMachine:
    """The one partition a request means; raises (listing the partitions) when it needs several."""
    choice, machines = choose_machines(spec, partition, gpus, at, catalog)
    choice.single  # noqa: B018 (raises PartitionError for a cross-generation request)
    return machines[0]


def describe(machines: Sequence[JobMachine]) -> str:
    return "; ".join(m.partition.describe() for m in machines)
