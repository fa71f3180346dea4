"""Which GPUs of a cluster serve: one partition of the cluster (colossim.cluster.partitions, the one place
partitions are defined), named as every other command names it (`--partition h100+h200`, a GPU type in it,
or none: the largest), through colossim.plan.machine's `job_machine`."""

from __future__ import annotations

from datetime import date

from colossim.catalog import Catalog
from colossim.cluster import ClusterSpec
from colossim.plan.machine import JobMachine, job_machine, job_machines


def serving_partition(spec: ClusterSpec, partition: str | None = None, at: date | None = None,
                      catalog: Catalog | None = None, gpus: int | None = None) -> JobMachine:
    """The partition a serving request means; one that matches none (or needs several) lists them."""
    return job_machine(spec, partition, at, catalog, gpus)


def partitions(spec: ClusterSpec, at: date | None = None, catalog: Catalog | None = None) -> list[JobMachine]:
    return job_machines(spec, at, catalog)


__all__ = ["partitions", "serving_partition"]
