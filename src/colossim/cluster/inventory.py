"""What is installed: pools of identical systems per phase, at a date or after each phase."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from colossim.catalog import Catalog, load_catalog
from colossim.cluster.spec import ClusterSpec, Phase


@dataclass(frozen=True)
class Pool:
    """`systems` identical units of one catalog system, added in one phase."""

    phase: str
    start: date
    system: str
    gpu: str
    systems: int
    gpus: int
    gpus_per_system: int
    nvlink_domain: int
    power_max_kw: float  # nameplate of ONE system unit
    systems_per_rack: int


@dataclass(frozen=True)
class PhaseSnapshot:
    """The inventory right after `phase` (all phases up to and including it)."""

    phase: str
    start: date
    pools: tuple[Pool, ...]

    @property
    def gpus(self) -> int:
        return sum(p.gpus for p in self.pools)


class RetireError(ValueError):
    """A phase retires more units of a system than are installed."""

    def __init__(self, phase_index: int, entry_index: int, message: str):
        super().__init__(message)
        self.phase_index = phase_index
        self.entry_index = entry_index


def make_pool(
    system_id: str, count: int, catalog: Catalog, phase: str, start: date, systems_per_rack: int | None = None
) -> Pool:
    """A pool of `count` units of a catalog system (ids and aliases accepted)."""
    system = catalog.systems[system_id]
    gpu = catalog.gpus[system.gpu]
    return Pool(
        phase=phase,
        start=start,
        system=system.id,
        gpu=gpu.id,
        systems=count,
        gpus=count * system.gpus,
        gpus_per_system=system.gpus,
        nvlink_domain=min(gpu.scale_up_domain, system.gpus),
        power_max_kw=system.power_max_kw,
        systems_per_rack=systems_per_rack or system.systems_per_rack,
    )


def _apply(phases: Sequence[tuple[int, Phase]], catalog: Catalog) -> tuple[Pool, ...]:
    pools: list[Pool] = []
    for p_index, phase in phases:
        for entry in phase.add:
            if entry.count > 0:
                pools.append(
                    make_pool(
                        entry.system, entry.count, catalog, phase.name, phase.start, entry.systems_per_rack
                    )
                )
        for e_index, entry in enumerate(phase.retire):
            system_id = catalog.systems[entry.system].id
            left = entry.count
            installed = sum(p.systems for p in pools if p.system == system_id)
            if left > installed:
                raise RetireError(
                    p_index,
                    e_index,
                    f"phase '{phase.name}' retires {left} '{system_id}' but only {installed} are installed",
                )
            for i, pool in enumerate(pools):  # oldest first
                if left == 0:
                    break
                if pool.system == system_id and pool.systems > 0:
                    take = min(left, pool.systems)
                    left -= take
                    kept = pool.systems - take
                    pools[i] = replace(pool, systems=kept, gpus=kept * pool.gpus_per_system)
    return tuple(p for p in pools if p.systems > 0)


def inventory(spec: ClusterSpec, catalog: Catalog, at: date | None = None) -> list[Pool]:
    """Pools installed on date `at` (phases whose start is on or before it); all phases when None."""
    chosen = [(i, p) for i, p in enumerate(spec.phases) if at is None or p.start <= at]
    return list(_apply(chosen, catalog))


def phase_snapshots(spec: ClusterSpec, catalog: Catalog | None = None) -> list[PhaseSnapshot]:
    """The inventory after each phase, in order (phases sharing a date get one snapshot each)."""
    catalog = catalog or load_catalog()
    indexed = list(enumerate(spec.phases))
    return [PhaseSnapshot(phase.name, phase.start, _apply(indexed[: i + 1], catalog)) for i, phase in indexed]


def phases_through(spec: ClusterSpec, at: date | None) -> list[Phase]:
    return [p for p in spec.phases if at is None or p.start <= at]
