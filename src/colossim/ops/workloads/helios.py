"""Real capacity that changes under a workload: the Helios clusters' daily GPU counts (SenseTime, 2020).

The shipped files (ops/data/helios_*_vc_gpu_count_daily.csv, CC BY 4.0) give, per day, the GPUs of each
virtual cluster and the total; the totals step up and down (expansions and removals). `helios_cluster`
turns a total series into one pool of 1-GPU slots (Helios jobs share 8-GPU servers, so a job takes GPUs,
not whole servers; jobs of 8 GPUs or more take whole 8-GPU servers, the NVLink domain).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib import resources
from typing import Literal

import numpy as np

from colossim.ops.pools import OpsCluster, pool_from_capacity_series

HeliosName = Literal["venus", "earth"]
_FILES = {"venus": "helios_venus_vc_gpu_count_daily.csv", "earth": "helios_earth_vc_gpu_count_daily.csv"}


def helios_capacity(name: HeliosName) -> tuple[date, np.ndarray, np.ndarray]:
    """(first date, day offsets, total GPUs per day) of a Helios cluster."""
    if name not in _FILES:
        raise KeyError(f"unknown Helios cluster '{name}': use one of {', '.join(_FILES)}")
    text = (resources.files("colossim.ops") / "data" / _FILES[name]).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    dates = [date.fromisoformat(r["date"]) for r in rows]
    days = np.array([(d - dates[0]).days for d in dates], dtype=float)
    totals = np.array([int(r["total"]) for r in rows], dtype=np.int64)
    return dates[0], days, totals


def helios_cluster(name: HeliosName, pod_gpus: int = 64) -> OpsCluster:
    """One pool following the cluster's measured daily GPU total (no burn-in: the series is in service)."""
    start, days, totals = helios_capacity(name)
    pool = pool_from_capacity_series(
        f"helios-{name}", days, totals, gpu="helios_gpu", gpus_per_node=1, nvlink_domain_gpus=8, pod_nodes=pod_gpus,
        source=f"HeliosData daily GPU totals ({_FILES[name]}, CC BY 4.0); the GPU model is not used here",
    )
    return OpsCluster(f"helios-{name}", (pool,), start, source=pool.source)


def helios_vc_shares(name: HeliosName) -> dict[str, float]:
    """Each virtual cluster's mean share of the cluster's GPUs over the trace (the daily VC counts)."""
    if name not in _FILES:
        raise KeyError(f"unknown Helios cluster '{name}': use one of {', '.join(_FILES)}")
    text = (resources.files("colossim.ops") / "data" / _FILES[name]).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    vcs = [k for k in rows[0] if k not in ("date", "total")]
    totals = np.array([float(r["total"]) for r in rows])
    means = {vc: float(np.mean([float(r[vc]) for r in rows] / np.where(totals > 0, totals, 1.0))) for vc in vcs}
    return {vc: share for vc, share in means.items() if share > 0}
