"""The machine a job runs on, taken from a cluster description: one GPU type, its NVLink domain, the
scale-out bandwidth of the fabric, and the site's PUE and tariff for the cost and energy objectives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from colossim.catalog import Catalog, load_catalog
from colossim.cluster import ClusterSpec, gbps_per_gpu, inventory, pue_of, site_of
from colossim.perf.hardware import Hardware, hardware_for
from colossim.plan.search import Economics


@dataclass(frozen=True)
class JobMachine:
    hardware: Hardware
    gpus_available: int
    gpu: str
    system: str
    economics: Economics
    cluster: str
    at: date | None


def _gpu_counts(pools) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in pools:
        counts[p.gpu] = counts.get(p.gpu, 0) + p.gpus
    return counts


def job_machine(spec: ClusterSpec, gpu: str | None = None, at: date | None = None,
                catalog: Catalog | None = None) -> JobMachine:
    """One homogeneous partition of the cluster: the named GPU type (id or alias), or the most numerous.
    A job spans one GPU type: mixed-GPU training is not modelled."""
    catalog = catalog or load_catalog()
    pools = [p for p in inventory(spec, catalog, at) if p.gpus > 0]
    if not pools:
        raise ValueError(f"cluster '{spec.name}' has no GPUs{f' on {at}' if at else ''}: pick a later --at date")
    counts = _gpu_counts(pools)
    if gpu is None:
        gpu_id = max(counts, key=lambda g: (counts[g], g))
    else:
        gpu_id = catalog.gpus[gpu].id
        if gpu_id not in counts:
            have = ", ".join(f"{g} ({n:,})" for g, n in sorted(counts.items()))
            raise ValueError(f"cluster '{spec.name}' has no {gpu_id}: use --gpu with one of {have}")
    mine = [p for p in pools if p.gpu == gpu_id]
    main = max(mine, key=lambda p: p.gpus)
    site = site_of(spec, catalog)
    hardware = hardware_for(
        gpu_id,
        nvlink_domain=main.nvlink_domain,
        scale_out_gbps_per_gpu=gbps_per_gpu(spec.fabric, catalog, main.system),
        oversubscription=spec.fabric.oversubscription,
    )
    econ = Economics(pue=pue_of(spec, catalog), usd_per_kwh=site.power_price_usd_per_kwh)
    return JobMachine(hardware, counts[gpu_id], gpu_id, main.system, econ, spec.name, at)
