"""Partitions: the groups of a cluster's GPUs that one training job can span, and which one a request means.

GPU types share a partition when a job can mix them without changing its layout: the same dense tensor
rates, scale-up domain and scale-up bandwidth (H100 and H200: the same GH100 die on the same HGX board with
NVLink 4, the H200 being a drop-in HGX H100 part, colossus_facts.md and hardware_catalog.yaml h200_sxm). A job
across such types is limited by the smallest HBM among them. A job across partitions (Hopper with GB200) is
a cross-generation job (colossim.plan.hetero).

A request is a partition name (`h100+h200`), one GPU type (id or alias: only that type's GPUs), `all` (the
whole cluster), or nothing: then the largest partition that can hold the GPUs asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from colossim.catalog import Catalog, Gpu
from colossim.cluster.inventory import Pool, inventory
from colossim.cluster.spec import ClusterSpec

ALL = "all"


class PartitionError(ValueError):
    """A request no partition can hold, or a name that is no partition; the message lists them."""


@dataclass(frozen=True)
class Partition:
    """GPUs of one or more compatible types (`pools` from the inventory), most numerous type first."""

    name: str
    gpu_types: tuple[str, ...]
    pools: tuple[Pool, ...]

    @property
    def gpus(self) -> int:
        return sum(p.gpus for p in self.pools)

    @property
    def gpus_by_type(self) -> dict[str, int]:
        return {g: sum(p.gpus for p in self.pools if p.gpu == g) for g in self.gpu_types}

    @property
    def mixed(self) -> bool:
        return len(self.gpu_types) > 1

    @property
    def main_pool(self) -> Pool:
        return max(self.pools, key=lambda p: (p.gpus, p.system))

    @property
    def nvlink_domain(self) -> int:
        return min(p.nvlink_domain for p in self.pools)

    def memory_gpu(self, catalog: Catalog) -> Gpu:
        """The GPU type that bounds a job's memory: the smallest HBM, then the slowest HBM."""
        return min((catalog.gpus[g] for g in self.gpu_types), key=lambda g: (g.hbm_gb, g.hbm_bw_tb_s, g.id))

    def describe(self) -> str:
        """'h100+h200: 200,000 GPUs (150,000 h100_sxm5 + 50,000 h200_sxm)', 'gb200: 30,024 GPUs (gb200_nvl72_gpu)'."""
        parts = " + ".join(f"{n:,} {g}" for g, n in self.gpus_by_type.items()) if self.mixed else self.gpu_types[0]
        return f"{self.name}: {self.gpus:,} GPUs ({parts})"


def short_name(gpu: Gpu) -> str:
    """The shortest of a GPU's id and aliases ('h100' for h100_sxm5)."""
    return min((gpu.id, *gpu.aliases), key=lambda n: (len(n), n))


def compatible(a: Gpu, b: Gpu) -> bool:
    """Types that can train one job together without changing its layout (module docstring)."""
    return (a.dense_tflops == b.dense_tflops and a.scale_up_domain == b.scale_up_domain
            and a.scale_up_bw_gb_s == b.scale_up_bw_gb_s)


def _partition(types: Sequence[str], pools: Sequence[Pool], catalog: Catalog) -> Partition:
    mine = tuple(p for p in pools if p.gpu in types)
    counts = {g: sum(p.gpus for p in mine if p.gpu == g) for g in types}
    ordered = tuple(sorted(types, key=lambda g: (-counts[g], g)))
    return Partition("+".join(short_name(catalog.gpus[g]) for g in ordered), ordered, mine)


def partitions_of(pools: Sequence[Pool], catalog: Catalog) -> list[Partition]:
    """The partitions of an inventory, largest first."""
    live = [p for p in pools if p.gpus > 0]
    groups: list[list[str]] = []
    for gpu in sorted({p.gpu for p in live}):
        for group in groups:
            if compatible(catalog.gpus[group[0]], catalog.gpus[gpu]):
                group.append(gpu)
                break
        else:
            groups.append([gpu])
    parts = [_partition(g, live, catalog) for g in groups]
    return sorted(parts, key=lambda p: (-p.gpus, p.name))


def partitions(spec: ClusterSpec, catalog: Catalog, at: date | None = None) -> list[Partition]:
    """The partitions of the cluster on `at` (None: after its last phase), largest first."""
    return partitions_of(inventory(spec, catalog, at), catalog)


def listing(parts: Sequence[Partition]) -> str:
    return "; ".join(p.describe() for p in parts)


@dataclass(frozen=True)
class PartitionChoice:
    """What a request means: one partition, or every partition together (a cross-generation job)."""

    partitions: tuple[Partition, ...]
    reason: str  # one line for the user: which partition and why

    @property
    def cross_generation(self) -> bool:
        return len(self.partitions) > 1

    @property
    def single(self) -> Partition:
        if self.cross_generation:
            raise PartitionError(f"the request spans {len(self.partitions)} partitions: {self.reason}")
        return self.partitions[0]

    @property
    def gpus(self) -> int:
        return sum(p.gpus for p in self.partitions)


def find(parts: Sequence[Partition], selector: str, catalog: Catalog) -> Partition | None:
    """The partition named `selector`, or the GPUs of one type (id or alias) as a partition of their own."""
    key = selector.strip().lower()
    for p in parts:
        if p.name == key:
            return p
    if "+" in key:  # GPU types joined by '+', in any order, ids or aliases
        names = [k.strip() for k in key.split("+") if k.strip()]
        if all(n in catalog.gpus for n in names):
            wanted = {catalog.gpus[n].id for n in names}
            for p in parts:
                if set(p.gpu_types) == wanted:
                    return p
    if key in catalog.gpus:
        gpu = catalog.gpus[key].id
        for p in parts:
            if gpu in p.gpu_types:
                return p if not p.mixed else _partition((gpu,), p.pools, catalog)
    return None


def choose(parts: Sequence[Partition], selector: str | None, gpus: int | None, catalog: Catalog,
           cluster: str = "the cluster") -> PartitionChoice:
    """The partition(s) a request means (module docstring); PartitionError lists them when none fits."""
    if not parts:
        raise PartitionError(f"{cluster} has no GPUs at that date: pick a later --at date")
    total = sum(p.gpus for p in parts)
    if gpus is not None and gpus < 1:
        raise PartitionError("--gpus must be >= 1")
    if selector is not None and selector.strip().lower() == ALL:
        if gpus is not None and gpus > total:
            raise PartitionError(f"--gpus {gpus:,} exceeds the {total:,} GPUs of {cluster} ({listing(parts)})")
        why = (f"all of {cluster}: {len(parts)} partitions, {total:,} GPUs" if len(parts) > 1
               else f"all of {cluster} is one partition, {parts[0].describe()}")
        return PartitionChoice(tuple(parts), why)
    if selector is not None:
        chosen = find(parts, selector, catalog)
        if chosen is None:
            raise PartitionError(f"{cluster} has no partition or GPU type '{selector}': use one of "
                                 f"{', '.join(p.name for p in parts)}, a GPU type in them, or '{ALL}' "
                                 f"({listing(parts)})")
        if gpus is not None and gpus > chosen.gpus:
            raise PartitionError(f"--gpus {gpus:,} exceeds partition {chosen.describe()}: use at most "
                                 f"{chosen.gpus:,}, another partition or '--partition {ALL}' ({listing(parts)})")
        return PartitionChoice((chosen,), f"partition {chosen.describe()} (asked for)")
    if gpus is None:
        return PartitionChoice((parts[0],), f"partition {parts[0].describe()} (the largest)")
    holding = [p for p in parts if p.gpus >= gpus]
    if holding:
        p = holding[0]
        others = [q.name for q in parts if q is not p]
        tail = f"; other partitions: {listing([q for q in parts if q is not p])}" if others else ""
        return PartitionChoice((p,), f"partition {p.describe()}, the largest that holds {gpus:,}{tail}")
    if gpus <= total:
        return PartitionChoice(tuple(parts), f"{gpus:,} GPUs exceed every partition: one job across "
                               f"{len(parts)} partitions ({listing(parts)})")
    raise PartitionError(f"--gpus {gpus:,} exceeds the {total:,} GPUs of {cluster}: no partition can hold it "
                         f"({listing(parts)})")
