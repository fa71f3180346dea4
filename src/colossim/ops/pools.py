"""The simulator's view of a cluster: node pools (one GPU type, node size, NVLink domain, pod size)
with dated deliveries, as small frozen values.

A pool's capacity changes by `Delivery` steps: positive = racks arrive (they enter service after the pool's
burn-in delay), negative = nodes are removed (idle ones at once, busy ones when their job lets go).
This is the simulator's own input type, so it works with any source of pools: the built-in Colossus-like
list below, a YAML file (`cluster_file`), a capacity time series (`pool_from_capacity_series`) or the
`colossim.cluster` inventory (`adapter`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np

DAY_S = 86_400.0


@dataclass(frozen=True)
class Delivery:
    at_s: float  # seconds from the simulation start (< 0: before it; in service at 0 if burn-in is over)
    nodes: int  # > 0 arrivals, < 0 removals


@dataclass(frozen=True)
class PoolSpec:
    name: str
    gpu: str  # catalog GPU id, e.g. h100_sxm5
    gpus_per_node: int
    nvlink_domain_gpus: int  # GPUs sharing one NVLink domain (8 for HGX, 72 for NVL72)
    pod_nodes: int  # nodes per pod: the network unit a job should stay inside
    tdp_w: float | None  # the GPU's TDP (catalog), for the energy model; None: unknown (no energy figure)
    deliveries: tuple[Delivery, ...]
    burn_in_s: float = 0.0
    failures_per_node_day: float | None = None  # None: the simulation default, scaled to this node size
    phase: str = ""
    source: str = ""
    # the fleet power chain's inputs beyond the TDP (colossim.ops.energy); None: the power model's defaults
    system_max_w_per_gpu: float | None = None  # nameplate of the pool's systems per GPU (GPU-weighted mean)
    overhead_w_per_gpu: float | None = None  # the cluster's network, storage and CPU nodes per GPU

    def __post_init__(self) -> None:
        if self.gpus_per_node < 1 or self.nvlink_domain_gpus < 1 or self.pod_nodes < 1:
            raise ValueError(
                f"pool {self.name}: gpus_per_node, nvlink_domain_gpus and pod_nodes must be >= 1"
            )
        if self.nvlink_domain_gpus % self.gpus_per_node and self.gpus_per_node % self.nvlink_domain_gpus:
            raise ValueError(
                f"pool {self.name}: NVLink domain ({self.nvlink_domain_gpus} GPUs) must be a multiple "
                f"of the node size ({self.gpus_per_node}) or divide it"
            )
        if (self.tdp_w is not None and not (0 < self.tdp_w < math.inf)) or not (0 <= self.burn_in_s < math.inf):
            raise ValueError(f"pool {self.name}: tdp_w must be > 0 (or None) and burn_in_s >= 0, both finite")
        if self.system_max_w_per_gpu is not None and not (
                self.tdp_w is not None and self.tdp_w <= self.system_max_w_per_gpu < math.inf):
            raise ValueError(f"pool {self.name}: system_max_w_per_gpu needs a TDP and must be >= it, finite")
        if self.overhead_w_per_gpu is not None and not (0 <= self.overhead_w_per_gpu < math.inf):
            raise ValueError(f"pool {self.name}: overhead_w_per_gpu must be >= 0 and finite")
        if self.failures_per_node_day is not None and not (0 <= self.failures_per_node_day < math.inf):
            raise ValueError(f"pool {self.name}: failures_per_node_day must be >= 0 and finite")
        installed = 0
        for d in sorted(self.deliveries, key=lambda d: d.at_s):
            if not math.isfinite(d.at_s):
                raise ValueError(f"pool {self.name}: delivery times must be finite")
            installed += d.nodes
            if installed < 0:
                raise ValueError(f"pool {self.name}: removes more nodes than were delivered")

    @property
    def nodes_per_domain(self) -> int:
        return max(1, self.nvlink_domain_gpus // self.gpus_per_node)

    @property
    def max_nodes(self) -> int:
        """Most nodes ever installed (the running maximum of the delivery steps)."""
        installed = peak = 0
        for d in sorted(self.deliveries, key=lambda d: d.at_s):
            installed += d.nodes
            peak = max(peak, installed)
        return peak

    @property
    def max_gpus(self) -> int:
        return self.max_nodes * self.gpus_per_node

    def nodes_for(self, gpus: np.ndarray) -> np.ndarray:
        """Nodes a gang job of `gpus` GPUs takes here: whole nodes, and whole NVLink domains once it needs
        at least one domain."""
        gpus = np.asarray(gpus, dtype=np.int64)
        nodes = -(-gpus // self.gpus_per_node)
        per_domain = self.nodes_per_domain
        if per_domain > 1:
            domains = -(-gpus // self.nvlink_domain_gpus)
            nodes = np.where(gpus >= self.nvlink_domain_gpus, domains * per_domain, nodes)
        return nodes

    def in_service_steps(self) -> list[tuple[float, int]]:
        """(time, +/- nodes) steps of in-service capacity: arrivals shifted by burn-in, removals immediate;
        anything before the start counts from time 0."""
        steps = [
            (max(0.0, d.at_s + (self.burn_in_s if d.nodes > 0 else 0.0)), d.nodes) for d in self.deliveries
        ]
        return sorted(steps)


@dataclass(frozen=True)
class OpsCluster:
    name: str
    pools: tuple[PoolSpec, ...]
    start: date | None = None
    source: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)
    pue: float | None = None  # facility power / IT power of the site; None: unknown (IT energy only)

    def __post_init__(self) -> None:
        names = [p.name for p in self.pools]
        if not self.pools:
            raise ValueError(f"cluster {self.name} has no pools")
        if len(set(names)) != len(names):
            raise ValueError(f"cluster {self.name}: pool names must be unique")

    @property
    def max_gpus(self) -> int:
        return sum(p.max_gpus for p in self.pools)

    def capacity_gpus_at(self, t_s: float) -> int:
        """GPUs in service at time t (after burn-in, before removals), straight from the delivery plan."""
        return sum(n * p.gpus_per_node for p in self.pools for at, n in p.in_service_steps() if at <= t_s)

    def capacity_gpu_seconds(self, horizon_s: float) -> float:
        """Integral of in-service GPUs over [0, horizon] from the delivery plan alone (independent of the
        simulator, used to check its accounting)."""
        total = 0.0
        for p in self.pools:
            for at, n in p.in_service_steps():
                if at < horizon_s:
                    total += n * p.gpus_per_node * (horizon_s - at)
        return total

    def capacity_curve(self, horizon_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Step function of in-service GPUs: times (starting at 0) and the GPU count from each time on."""
        steps = sorted((at, n * p.gpus_per_node) for p in self.pools for at, n in p.in_service_steps())
        times, gpus, level = [0.0], [0], 0
        for at, g in steps:
            level += g
            if at <= 0:
                gpus[0] = level
            elif at < horizon_s:
                times.append(at)
                gpus.append(level)
        return np.array(times), np.array(gpus, dtype=float)


def ramp(start_s: float, end_s: float, nodes: int, batches: int) -> tuple[Delivery, ...]:
    """`nodes` delivered in `batches` equal steps spread evenly over [start, end]."""
    if batches < 1 or nodes < 0 or end_s < start_s:
        raise ValueError("ramp needs batches >= 1, nodes >= 0 and end >= start")
    batches = 1 if end_s == start_s else min(batches, max(nodes, 1))
    cuts = np.linspace(0, nodes, batches + 1).round().astype(int)
    times = np.linspace(start_s, end_s, batches) if batches > 1 else np.array([start_s])
    return tuple(
        Delivery(float(t), int(b - a)) for t, a, b in zip(times, cuts[:-1], cuts[1:], strict=True) if b > a
    )


def pool_from_capacity_series(
    name: str,
    days: np.ndarray,
    gpus: np.ndarray,
    *,
    gpu: str,
    gpus_per_node: int = 8,
    nvlink_domain_gpus: int = 8,
    pod_nodes: int = 64,
    tdp_w: float | None = None,
    source: str = "",
) -> PoolSpec:
    """A pool whose in-service GPU count follows a measured series (day offsets, GPUs on that day): the
    first value is installed at t=0, each later change is a delivery (+) or removal (-) that day, no burn-in.
    GPU counts are rounded down to whole nodes."""
    days = np.asarray(days, dtype=float)
    nodes = np.asarray(gpus, dtype=np.int64) // gpus_per_node
    if len(days) != len(nodes) or len(days) == 0:
        raise ValueError("days and gpus must be non-empty and of equal length")
    steps = np.diff(nodes, prepend=0)
    deliveries = tuple(Delivery(float(d) * DAY_S, int(s)) for d, s in zip(days, steps, strict=True) if s != 0)
    return PoolSpec(
        name=name,
        gpu=gpu,
        gpus_per_node=gpus_per_node,
        nvlink_domain_gpus=nvlink_domain_gpus,
        pod_nodes=pod_nodes,
        tdp_w=tdp_w,
        deliveries=deliveries,
        source=source,
    )
