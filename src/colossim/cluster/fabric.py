"""Folded-Clos (fat-tree) sizing: switches and links per tier, optics, power, bandwidth per GPU.

Standard k-ary fat-tree arithmetic (Al-Fares et al., SIGCOMM 2008): with radix-k switches, tiers
below the top use k/2 ports down and k/2 up, the top tier uses all k down, so a t-tier tree holds
2*(k/2)^t endpoints non-blocking (k^2/2 for two tiers, k^3/4 for three). With an oversubscription
o:1 at one boundary, switches of that tier use k*o/(1+o) ports down. In general a t-tier tree holds
prod(down ports of tiers 1..t-1) * k endpoints. Switch counts are ceilings tier by tier (a partly
filled tree is cabled like a full one, pod by pod where pods are given).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from colossim.catalog import Catalog, Nic, Switch
from colossim.catalog.schema import Transport
from colossim.cluster.inventory import Pool
from colossim.cluster.spec import FabricSpec

MAX_TIERS = 5


class FabricError(ValueError):
    """The endpoints do not fit the requested fabric."""


@dataclass(frozen=True)
class FatTree:
    """A sized fat tree. Tier 1 is the leaf; links_per_tier[0] are endpoint-to-leaf links and
    links_per_tier[i] the links from tier i up to tier i+1."""

    endpoints: int
    radix: int
    tiers: int
    oversubscription: float
    oversub_tier: int
    max_endpoints: int
    switches_per_tier: tuple[int, ...]
    links_per_tier: tuple[int, ...]
    leaf_down_ports: int

    @property
    def switches(self) -> int:
        return sum(self.switches_per_tier)

    @property
    def switch_ports_used(self) -> int:
        """Each endpoint link uses one leaf port; each inter-switch link one port at each end."""
        return self.links_per_tier[0] + 2 * sum(self.links_per_tier[1:]) if self.tiers else 0

    @property
    def oversubscribed(self) -> bool:
        return self.oversubscription > 1.0 and self.tiers > self.oversub_tier

    @property
    def max_switch_hops(self) -> int:
        """Switches crossed by a packet between two endpoints under different top-tier subtrees."""
        return 2 * self.tiers - 1 if self.tiers else 0


def _ports_down(radix: int, tiers: int, oversubscription: float, oversub_tier: int) -> list[int]:
    """Down ports per switch for tiers 1..tiers (the top tier uses every port)."""
    downs = []
    for tier in range(1, tiers):
        if tier == oversub_tier and oversubscription > 1.0:
            downs.append(
                max(1, min(radix - 1, math.floor(radix * oversubscription / (1.0 + oversubscription))))
            )
        else:
            downs.append(max(1, radix // 2))
    return [*downs, radix]


def max_endpoints(radix: int, tiers: int, oversubscription: float = 1.0, oversub_tier: int = 1) -> int:
    """Largest number of endpoint ports a `tiers`-tier fat tree of radix-`radix` switches holds."""
    if tiers < 1 or radix < 2:
        raise FabricError("a fat tree needs at least one tier of switches with radix >= 2")
    return math.prod(_ports_down(radix, tiers, oversubscription, oversub_tier))


def smallest_tiers(
    endpoints: int,
    radix: int,
    oversubscription: float = 1.0,
    oversub_tier: int = 1,
    max_tiers: int = MAX_TIERS,
) -> int:
    for tiers in range(1, max_tiers + 1):
        if max_endpoints(radix, tiers, oversubscription, oversub_tier) >= endpoints:
            return tiers
    raise FabricError(
        f"{endpoints:,} endpoint ports exceed a {max_tiers}-tier fat tree of radix-{radix} "
        f"switches ({max_endpoints(radix, max_tiers, oversubscription, oversub_tier):,}): "
        "use a switch with more ports"
    )


def design_fat_tree(
    endpoints: int,
    radix: int,
    oversubscription: float = 1.0,
    tiers: int | None = None,
    oversub_tier: int = 1,
    pod_endpoints: int | None = None,
    max_tiers: int = MAX_TIERS,
) -> FatTree:
    """Size a fat tree for `endpoints` ports of the switches' port speed.

    oversub_tier: the boundary (above tier 1 = leaf, 2 = pod spine, ...) where downlink:uplink is
    `oversubscription`:1. pod_endpoints: endpoints per pod, a block of tiers 1..oversub_tier cabled
    on its own (rail-optimized pods); the tree above connects the pods.
    """
    if endpoints < 0:
        raise FabricError("the number of endpoints cannot be negative")
    if radix < 2:
        raise FabricError("a switch needs a radix of at least 2")
    if oversubscription < 1.0:
        raise FabricError("oversubscription is downlink:uplink and must be >= 1")
    if endpoints == 0:
        return FatTree(0, radix, 0, oversubscription, oversub_tier, 0, (), (0,), 0)
    t = (
        tiers
        if tiers is not None
        else smallest_tiers(endpoints, radix, oversubscription, oversub_tier, max_tiers)
    )
    capacity = max_endpoints(radix, t, oversubscription, oversub_tier)
    if endpoints > capacity:
        needed = smallest_tiers(endpoints, radix, oversubscription, oversub_tier, max_tiers)
        raise FabricError(
            f"{endpoints:,} endpoint ports do not fit a {t}-tier fat tree of radix-{radix} switches "
            f"(at most {capacity:,}): use tiers: {needed} (or leave tiers empty) or a larger switch"
        )
    downs = _ports_down(radix, t, oversubscription, oversub_tier)
    ups = [radix - d for d in downs[:-1]]
    pods = pod_endpoints is not None and t > oversub_tier and endpoints > pod_endpoints
    if pods:
        pod_capacity = math.prod(downs[:oversub_tier])
        if pod_endpoints > pod_capacity:  # type: ignore[operator]
            raise FabricError(
                f"a pod of {pod_endpoints:,} endpoint ports exceeds the {pod_capacity:,} that "
                f"{oversub_tier} tiers of radix-{radix} switches hold: use smaller pods"
            )
    switches = [0] * t
    links = [endpoints] + [0] * (t - 1)
    lower = oversub_tier if pods else t - 1  # tiers cabled block by block
    full, rest = divmod(endpoints, pod_endpoints) if pods else (1, 0)  # type: ignore[arg-type]
    blocks = [(pod_endpoints if pods else endpoints, full)] + ([(rest, 1)] if rest else [])
    for size, count in blocks:
        carry = size
        for i in range(lower):
            switches[i] += math.ceil(carry / downs[i]) * count
            carry = math.ceil(carry * ups[i] / downs[i])
            links[i + 1] += carry * count
    carry = links[lower]
    for i in range(lower, t - 1):
        switches[i] += math.ceil(carry / downs[i])
        carry = math.ceil(carry * ups[i] / downs[i])
        links[i + 1] = carry
    switches[t - 1] += math.ceil(carry / downs[t - 1])
    return FatTree(
        endpoints, radix, t, oversubscription, oversub_tier, capacity, tuple(switches), tuple(links), downs[0]
    )


# ------------------------------------------------------------------ the cluster's fabric


@dataclass(frozen=True)
class FabricFigures:
    """The back-end (scale-out) fabric of a cluster, plus its front-end fabric, with optics and power.

    NIC-side optics draw from the systems' power supplies (inside their nameplate power); they are
    reported for reference and not added to the network power.
    """

    kind: str
    switch: str
    port_gbps: float
    backend: FatTree
    frontend: FatTree
    gpus: int
    nics: int
    gbps_per_gpu: float  # the lowest across the installed systems
    gbps_per_gpu_by_system: tuple[tuple[str, float], ...]
    hop_latency_us: float
    local_gpus: int  # GPUs that reach each other without crossing the oversubscribed boundary
    switch_optics: int  # back-end switch-side modules
    frontend_switch_optics: int
    nic_optics: int  # NIC-side modules, back-end and front-end
    switch_power_kw: float
    switch_optics_power_kw: float
    nic_optics_power_kw: float
    frontend_nics: int
    frontend_switch_power_kw: float
    frontend_optics_power_kw: float
    capex_usd_low: float
    capex_usd_high: float
    switch_rack_units: int

    @property
    def oversubscription(self) -> float:
        return self.backend.oversubscription if self.backend.oversubscribed else 1.0

    @property
    def switches(self) -> int:
        return self.backend.switches + self.frontend.switches

    @property
    def network_power_kw(self) -> float:
        """Switches and switch-side optics of both fabrics (NIC-side optics are in the systems)."""
        return (
            self.switch_power_kw
            + self.switch_optics_power_kw
            + self.frontend_switch_power_kw
            + self.frontend_optics_power_kw
        )

    @property
    def latency_us_max(self) -> float:
        """Switch latency across the whole tree (cables and NICs excluded)."""
        return self.backend.max_switch_hops * self.hop_latency_us

    def effective_gbps_per_gpu(self, span_gpus: int | None = None, gbps: float | None = None) -> float:
        """Scale-out bandwidth per GPU for traffic among `span_gpus` GPUs (None: the whole cluster):
        the full NIC rate inside `local_gpus`, divided by the oversubscription beyond it."""
        rate = self.gbps_per_gpu if gbps is None else gbps
        span = self.gpus if span_gpus is None else span_gpus
        return rate if span <= self.local_gpus else rate / self.oversubscription


def _nic(fabric: FabricSpec, catalog: Catalog, system_nic: str) -> Nic:
    return catalog.nics[fabric.nic or system_nic]


def gbps_per_gpu(fabric: FabricSpec, catalog: Catalog, system_id: str) -> float:
    """Scale-out line rate per GPU of one catalog system on this fabric (Gb/s)."""
    system = catalog.systems[system_id]
    if fabric.gbps_per_gpu is not None:
        return fabric.gbps_per_gpu
    return _nic(fabric, catalog, system.nic).speed_gb_s * system.nics_per_gpu


def collective_transport(fabric: FabricSpec, catalog: Catalog) -> Transport:
    """What the scale-out delivers to collectives (a perf/collectives.yaml scale_out kind): the cluster's
    `transport`, else its switch's."""
    return fabric.transport or catalog.switches[fabric.switch].collective_transport


def hop_latency_us(fabric: FabricSpec, catalog: Catalog) -> float:
    return catalog.switches[fabric.switch].hop_latency_us


def _optic_cost(catalog: Catalog, optic_id: str | None, modules: int) -> tuple[float, float, float]:
    if optic_id is None or modules == 0:
        return 0.0, 0.0, 0.0
    optic = catalog.optics[optic_id]
    low = optic.price.usd_low * modules if optic.price else 0.0
    high = optic.price.usd_high * modules if optic.price else 0.0
    return optic.power_w * modules / 1000.0, low, high


def _switch_optic(fabric: FabricSpec, switch: Switch) -> str | None:
    return fabric.switch_optic or switch.optic


def _ports_per_module(catalog: Catalog, optic_id: str | None) -> int:
    return catalog.optics[optic_id].ports_per_module if optic_id else 1


def fabric_figures(fabric: FabricSpec, catalog: Catalog, pools: Sequence[Pool]) -> FabricFigures:
    """Size the back-end and front-end fabrics for the installed pools."""
    switch = catalog.switches[fabric.switch]
    k, port = switch.radix, switch.port_speed_gbps
    backend_ports = 0.0
    frontend_ports = 0.0
    gpus = nics = frontend_nics = 0
    nic_power_kw = nic_low = nic_high = 0.0
    fe_nic_power_kw = 0.0
    rates: dict[str, float] = {}
    for pool in pools:
        system = catalog.systems[pool.system]
        nic = _nic(fabric, catalog, system.nic)
        rate = gbps_per_gpu(fabric, catalog, pool.system)
        rates[pool.system] = rate
        pool_nics = math.ceil(pool.gpus * (1 if fabric.gbps_per_gpu else system.nics_per_gpu))
        gpus += pool.gpus
        nics += pool_nics
        backend_ports += pool.gpus * rate / port
        power, low, high = _optic_cost(catalog, nic.optic, pool_nics)
        nic_power_kw, nic_low, nic_high = nic_power_kw + power, nic_low + low, nic_high + high
        if fabric.frontend and system.extra_nics:
            fe_nic = catalog.nics[system.frontend_nic]
            count = pool.systems * system.extra_nics
            frontend_nics += count
            frontend_ports += count * fe_nic.speed_gb_s / port
            power, low, high = _optic_cost(catalog, fe_nic.optic, count)
            fe_nic_power_kw, nic_low, nic_high = fe_nic_power_kw + power, nic_low + low, nic_high + high
    ports_per_gpu = backend_ports / gpus if gpus else 1.0
    rail = fabric.kind == "rail_optimized"
    pod_ports = math.ceil(fabric.gpus_per_pod * ports_per_gpu) if rail and fabric.gpus_per_pod else None
    oversub_tier = 2 if rail else 1
    backend = design_fat_tree(
        math.ceil(backend_ports - 1e-9), k, fabric.oversubscription, fabric.tiers, oversub_tier, pod_ports
    )
    frontend = design_fat_tree(math.ceil(frontend_ports - 1e-9), k, fabric.frontend_oversubscription)
    if not backend.oversubscribed:
        local = gpus
    elif rail:
        local = fabric.gpus_per_pod or gpus
    else:
        local = max(1, math.floor(backend.leaf_down_ports / ports_per_gpu))
    optic_id = _switch_optic(fabric, switch)
    per_module = _ports_per_module(catalog, optic_id)
    be_modules = math.ceil(backend.switch_ports_used / per_module)
    fe_modules = math.ceil(frontend.switch_ports_used / per_module)
    be_optic_kw, be_low, be_high = _optic_cost(catalog, optic_id, be_modules)
    fe_optic_kw, fe_low, fe_high = _optic_cost(catalog, optic_id, fe_modules)
    n_switches = backend.switches + frontend.switches
    sw_low = switch.price.usd_low * n_switches if switch.price else 0.0
    sw_high = switch.price.usd_high * n_switches if switch.price else 0.0
    return FabricFigures(
        kind=fabric.kind,
        switch=switch.id,
        port_gbps=port,
        backend=backend,
        frontend=frontend,
        gpus=gpus,
        nics=nics,
        gbps_per_gpu=min(rates.values()) if rates else 0.0,
        gbps_per_gpu_by_system=tuple(sorted(rates.items())),
        hop_latency_us=switch.hop_latency_us,
        local_gpus=local,
        switch_optics=be_modules,
        frontend_switch_optics=fe_modules,
        nic_optics=nics + frontend_nics,
        switch_power_kw=backend.switches * switch.power_w / 1000.0,
        switch_optics_power_kw=be_optic_kw,
        nic_optics_power_kw=nic_power_kw + fe_nic_power_kw,
        frontend_nics=frontend_nics,
        frontend_switch_power_kw=frontend.switches * switch.power_w / 1000.0,
        frontend_optics_power_kw=fe_optic_kw,
        capex_usd_low=sw_low + be_low + fe_low + nic_low,
        capex_usd_high=sw_high + be_high + fe_high + nic_high,
        switch_rack_units=n_switches * (switch.rack_units or 1),
    )
