"""From a `colossim.cluster` description (dated phases of catalog systems) to the simulator's pools.

- One pool per GPU type and node geometry, across phases (all of a site's GPUs of one type share the
  scale-out fabric, so a job may span phases; it never spans GPU types).
- A phase's `start` is read as the date its hardware is in service: its racks arrive in `batches` spread
  over the `ramp_days` before (start - burn_in), then spend `burn_in_days` in burn-in. Retirements remove
  nodes on the phase's date (idle ones at once, busy ones when their job releases them).
- Nodes: 8-GPU servers are nodes; rack-scale NVL72 systems are split into compute trays of
  `rack_node_gpus` GPUs (GB200/GB300: 2 superchips = 4 GPUs per tray, hardware_catalog.yaml) inside
  one 72-GPU NVLink domain.
- Pods: a 3-tier fat tree of radix-k switches has (k/2)^2 endpoints per pod (Al-Fares et al.,
  SIGCOMM 2008): 4,096 GPUs for the 128-port SN5600; a rail-optimized fabric gives gpus_per_pod.
- Site use (`colossim.cluster.use`): from the date a phase leases the site out for inference, its GPUs
  leave the training pools (idle ones at once, busy ones as their jobs end, as a retirement); hardware a
  phase adds during a lease goes straight to the tenant; when a later phase sets `use: training`, the
  leased nodes come back through burn-in. The run's notes say so. Why not the serving share at 100 %: that
  share is the owner's own serving, taken from and given back to training by the hour; a leased site is
  another operator's service whose power and water the supply ledger (`colossim cluster`) already counts.
- Power: each pool carries its GPU's TDP (catalog), its systems' nameplate per GPU and its share of the
  cluster's IT overhead (colossim.cluster.power: network and storage per GPU of the cluster after its last
  phase, CPU nodes as `cpu_other_fraction` of the pool's nameplate), and the cluster its site's PUE
  (`pue_of`): the inputs of the fleet power chain (colossim.ops.energy). Network and storage per GPU
  change little from phase to phase (Colossus: 121-125 W), so one figure serves the whole run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from colossim.catalog import Catalog, load_catalog
from colossim.cluster import ClusterSpec, load_cluster, pue_of
from colossim.cluster.inventory import make_pool
from colossim.cluster.power import fleet_at
from colossim.cluster.use import lease_note, use_at
from colossim.ops.pools import DAY_S, Delivery, OpsCluster, PoolSpec, ramp

RACK_NODE_GPUS = (
    4  # GB200/GB300 NVL72 compute tray: 2 superchips = 4 GPUs (hardware_catalog.yaml form_factor)
)
DEFAULT_RAMP_DAYS = 50.0  # estimate: Colossus phase 1 took 122 days in all, 19 from first rack to training
DEFAULT_BURN_IN_DAYS = 14.0  # estimate


@dataclass
class _Acc:
    gpu: str
    gpus_per_node: int
    nvlink_domain: int
    deliveries: list[Delivery]
    tdp_w: float | None = None
    nameplate_w: float = 0.0  # sum over the pool's GPUs of their system's nameplate per GPU
    gpus: int = 0
    phases: list[str] | None = None
    installed_nodes: int = 0  # nodes the site holds after the phases so far, leased out or not


def pod_gpus_of(spec: ClusterSpec, catalog: Catalog) -> int:
    fabric = spec.fabric
    if fabric.kind == "rail_optimized" and fabric.gpus_per_pod:
        return fabric.gpus_per_pod
    radix = catalog.switches[fabric.switch].radix
    return (radix // 2) ** 2


def pools_from_cluster(
    spec: ClusterSpec,
    catalog: Catalog | None = None,
    *,
    start: date | None = None,
    ramp_days: float = DEFAULT_RAMP_DAYS,
    burn_in_days: float = DEFAULT_BURN_IN_DAYS,
    batches: int = 10,
    rack_node_gpus: int = RACK_NODE_GPUS,
    pod_gpus: int | None = None,
) -> OpsCluster:
    """The simulator's pools for a cluster spec. `start` (the simulation's day 0) defaults to the first
    phase's date minus ramp and burn-in, so the first racks arrive on day 0."""
    catalog = catalog or load_catalog()
    if ramp_days < 0 or burn_in_days < 0 or batches < 1:
        raise ValueError("ramp_days and burn_in_days must be >= 0 and batches >= 1")
    first = min(p.start for p in spec.phases)
    start = start or first - timedelta(days=ramp_days + burn_in_days)
    pod = pod_gpus or pod_gpus_of(spec, catalog)
    pools: dict[tuple[str, int, int], _Acc] = {}
    leased, lease_notes = False, []
    for phase in spec.phases:
        in_service_s = (phase.start - start).days * DAY_S
        now_leased = use_at(spec, phase.start) != "training"
        if now_leased != leased:  # the site's use changes on this date: its installed nodes leave or return
            for acc in pools.values():
                if acc.installed_nodes:
                    nodes = acc.installed_nodes
                    acc.deliveries.append(Delivery(in_service_s, -nodes if now_leased else nodes))
            lease_notes.append(_use_change_note(spec, phase.start, now_leased, in_service_s, pools.values()))
            leased = now_leased
        arrive_end = in_service_s - burn_in_days * DAY_S
        arrive_start = arrive_end - ramp_days * DAY_S
        for entry in phase.add:
            if entry.count == 0:
                continue
            inv = make_pool(
                entry.system, entry.count, catalog, phase.name, phase.start, entry.systems_per_rack
            )
            rack_scale = inv.gpus_per_system > 8 and inv.nvlink_domain >= inv.gpus_per_system
            gpn = rack_node_gpus if rack_scale else inv.gpus_per_system
            key = (inv.gpu, gpn, inv.nvlink_domain)
            acc = pools.setdefault(key, _Acc(inv.gpu, gpn, inv.nvlink_domain, [], phases=[]))
            if not leased:  # hardware added during a lease goes to the tenant
                acc.deliveries.extend(ramp(arrive_start, arrive_end, inv.gpus // gpn, batches))
            acc.installed_nodes += inv.gpus // gpn
            acc.tdp_w = float(catalog.gpus[inv.gpu].tdp_w)
            acc.nameplate_w += inv.gpus * inv.power_max_kw * 1e3 / inv.gpus_per_system
            acc.gpus += inv.gpus
            if phase.name not in acc.phases:
                acc.phases.append(phase.name)
        for entry in phase.retire:
            inv = make_pool(
                entry.system, entry.count, catalog, phase.name, phase.start, entry.systems_per_rack
            )
            rack_scale = inv.gpus_per_system > 8 and inv.nvlink_domain >= inv.gpus_per_system
            gpn = rack_node_gpus if rack_scale else inv.gpus_per_system
            acc = pools.get((inv.gpu, gpn, inv.nvlink_domain))
            if (
                acc is None
            ):  # pragma: no cover - load_cluster already rejects retiring what was never installed
                raise ValueError(
                    f"phase {phase.name} retires {entry.system}, which no earlier phase installed"
                )
            if not leased:
                acc.deliveries.append(Delivery(in_service_s, -(inv.gpus // gpn)))
            acc.installed_nodes -= inv.gpus // gpn
    fleet = fleet_at(spec, catalog)
    shared_w = (fleet.overhead.network_kw + fleet.overhead.storage_kw) * 1e3 / fleet.gpus if fleet.gpus else 0.0
    specs = []
    for acc in pools.values():
        nameplate = acc.nameplate_w / acc.gpus if acc.gpus else None
        nodes_per_domain = max(1, acc.nvlink_domain // acc.gpus_per_node)
        pod_nodes = max(nodes_per_domain, (pod // acc.gpus_per_node) // nodes_per_domain * nodes_per_domain)
        specs.append(
            PoolSpec(
                name=f"{acc.gpu}",
                gpu=acc.gpu,
                gpus_per_node=acc.gpus_per_node,
                nvlink_domain_gpus=acc.nvlink_domain,
                pod_nodes=pod_nodes,
                tdp_w=acc.tdp_w,
                system_max_w_per_gpu=nameplate,
                overhead_w_per_gpu=None if nameplate is None else shared_w + spec.cpu_other_fraction * nameplate,
                deliveries=tuple(acc.deliveries),
                burn_in_s=burn_in_days * DAY_S,
                phase=",".join(acc.phases or []),
                source=f"colossim.cluster scenario {spec.name}: phases {', '.join(acc.phases or [])}",
            )
        )
    return OpsCluster(
        spec.name,
        tuple(specs),
        start,
        source=spec.source,
        notes=(
            f"delivery ramp {ramp_days:g} d and burn-in {burn_in_days:g} d before each phase date "
            f"(estimates); pods of {pod} GPUs",
            *lease_notes,
        ),
        pue=pue_of(spec, catalog),
    )


def _use_change_note(spec: ClusterSpec, on: date, leased: bool, at_s: float, pools) -> str:
    gpus = sum(acc.installed_nodes * acc.gpus_per_node for acc in pools)
    day = f"day {at_s / DAY_S:g} of the run"
    if leased:
        return (f"{lease_note(spec, on)}; here its {gpus:,} GPUs leave the training pools on {on} ({day}): idle "
                "ones at once, busy ones as their jobs end; no training job starts on them while leased")
    return f"{spec.name} trains again from {on} ({day}): its {gpus:,} GPUs come back from the lease through burn-in"


HELIOS_SCENARIOS = {"helios-venus": "venus", "helios-earth": "earth"}


def load_ops_cluster(name_or_path: str, **kwargs) -> OpsCluster:
    """`load_cluster` (a built-in scenario such as 'colossus', or a cluster YAML file) turned into pools;
    'helios-venus' / 'helios-earth' give the measured Helios capacity series (colossim.ops.workloads.helios)."""
    if name_or_path in HELIOS_SCENARIOS:
        from colossim.ops.workloads.helios import helios_cluster

        return helios_cluster(HELIOS_SCENARIOS[name_or_path])
    return pools_from_cluster(load_cluster(name_or_path), **kwargs)
