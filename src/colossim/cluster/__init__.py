"""Cluster descriptions (site, fabric, storage, growth phases), their inventory, partitions, power (for the
fleet power chain), prices and headline figures.

from colossim.cluster import load_cluster, inventory, cluster_figures
spec = load_cluster("colossus")
pools = inventory(spec, load_catalog(), at=date(2024, 9, 2))
"""

from colossim.cluster.buy import BuyOption, BuyResult, buy
from colossim.cluster.fabric import (
    FabricError,
    FabricFigures,
    FatTree,
    design_fat_tree,
    fabric_figures,
    gbps_per_gpu,
    hop_latency_us,
    max_endpoints,
    smallest_tiers,
)
from colossim.cluster.figures import (
    ClusterFigures,
    FabricSummary,
    GrowthRow,
    cluster_fabric,
    cluster_figures,
    figures_for_pools,
    growth,
)
from colossim.cluster.inventory import PhaseSnapshot, Pool, inventory, phase_snapshots
from colossim.cluster.load import check_cluster, list_scenarios, load_cluster, parse_cluster
from colossim.cluster.mix import supply_after, supply_at, supply_on
from colossim.cluster.partitions import (
    Partition,
    PartitionChoice,
    PartitionError,
    choose,
    partitions,
    partitions_of,
)
from colossim.cluster.power import cluster_fleet, fleet_at, it_overhead, job_fleet, system_pool
from colossim.cluster.prices import capex_per_gpu, capex_range_per_gpu, servers_capex
from colossim.cluster.site import gas_turbine_share_at, pue_of, site_of, storage_at
from colossim.cluster.spec import ClusterSpec, FabricSpec, Phase, StorageSpec, SystemCount

__all__ = [
    "BuyOption",
    "BuyResult",
    "ClusterFigures",
    "ClusterSpec",
    "FabricError",
    "FabricFigures",
    "FabricSpec",
    "FabricSummary",
    "FatTree",
    "GrowthRow",
    "Phase",
    "Partition",
    "PartitionChoice",
    "PartitionError",
    "PhaseSnapshot",
    "Pool",
    "StorageSpec",
    "SystemCount",
    "buy",
    "capex_per_gpu",
    "capex_range_per_gpu",
    "check_cluster",
    "choose",
    "cluster_fabric",
    "cluster_fleet",
    "cluster_figures",
    "design_fat_tree",
    "fabric_figures",
    "figures_for_pools",
    "fleet_at",
    "gas_turbine_share_at",
    "gbps_per_gpu",
    "growth",
    "hop_latency_us",
    "inventory",
    "it_overhead",
    "job_fleet",
    "list_scenarios",
    "load_cluster",
    "max_endpoints",
    "parse_cluster",
    "partitions",
    "partitions_of",
    "phase_snapshots",
    "pue_of",
    "servers_capex",
    "site_of",
    "smallest_tiers",
    "storage_at",
    "supply_after",
    "supply_at",
    "supply_on",
    "system_pool",
]
