"""Which GPUs of a cluster serve: one partition, named by a GPU type id or alias (`h100`, `gb200`) or a group
of compatible types joined by '+' (`h100_sxm5+h200_sxm`), or the most numerous type when none is named.

This is the ONE place serving resolves a partition; it calls colossim.plan.machine (job_machine,
job_partitions) and is meant to be repointed to colossim.cluster's partitions when they land.
"""

from __future__ import annotations

from datetime import date

from colossim.catalog import Catalog, load_catalog
from colossim.cluster import ClusterSpec
from colossim.plan.machine import JobMachine, job_machine, job_partitions


def _canonical(name: str, catalog: Catalog) -> str:
    parts = [p.strip() for p in name.split("+") if p.strip()]
    ids = []
    for p in parts:
        try:
            ids.append(catalog.gpus[p].id)
        except KeyError:
            ids.append(p.lower())
    return "+".join(sorted(ids))


def serving_partition(spec: ClusterSpec, partition: str | None = None, at: date | None = None,
                      catalog: Catalog | None = None) -> JobMachine:
    """The partition `partition` of the cluster (see the module docstring); a name that matches none lists them."""
    catalog = catalog or load_catalog()
    if partition is None:
        return job_machine(spec, None, at, catalog)
    parts = job_partitions(spec, at, catalog)
    wanted = _canonical(partition, catalog)
    for p in parts:
        if "+".join(sorted(p.gpu.split("+"))) == wanted:
            return p
    have = ", ".join(f"{p.gpu} ({p.gpus_available:,} GPUs)" for p in parts)
    raise ValueError(f"cluster '{spec.name}' has no partition '{partition}': use --partition with one of {have}")


def partitions(spec: ClusterSpec, at: date | None = None, catalog: Catalog | None = None) -> list[JobMachine]:
    return job_partitions(spec, at, catalog)


__all__ = ["partitions", "serving_partition"]
