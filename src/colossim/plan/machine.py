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


def _compatible(a, b) -> bool:
    """GPUs that can train one job together: same tensor rates and scale-up fabric (e.g. H100 and H200,
    the same GH100 die with different HBM: colossus_facts.md notes the H200 is a drop-in HGX H100 part)."""
    return (a.dense_tflops == b.dense_tflops and a.scale_up_domain == b.scale_up_domain
            and a.scale_up_bw_gb_s == b.scale_up_bw_gb_s)


def job_partitions(spec: ClusterSpec, at: date | None = None, catalog: Catalog | None = None) -> list[JobMachine]:
    """Every homogeneous partition a single job could use on `at`: each GPU type alone, and groups of
    compatible types together (modelled with the group's smallest HBM and slowest HBM bandwidth)."""
    catalog = catalog or load_catalog()
    pools = [p for p in inventory(spec, catalog, at) if p.gpus > 0]
    counts = _gpu_counts(pools)
    out = [job_machine(spec, g, at, catalog) for g in sorted(counts)]
    groups: list[list[str]] = []
    for g in sorted(counts):
        for group in groups:
            if _compatible(catalog.gpus[group[0]], catalog.gpus[g]):
                group.append(g)
                break
        else:
            groups.append([g])
    for group in (grp for grp in groups if len(grp) > 1):
        weakest = min(group, key=lambda g: (catalog.gpus[g].hbm_gb, catalog.gpus[g].hbm_bw_tb_s))
        base = job_machine(spec, weakest, at, catalog)
        out.append(JobMachine(base.hardware, sum(counts[g] for g in group), "+".join(group), base.system,
                              base.economics, base.cluster, at))
    return out
