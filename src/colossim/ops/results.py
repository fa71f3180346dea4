"""What a simulation returns: a summary (JSON-ready, units in the names), time series and per-job arrays,
and optionally the event timeline for the Perfetto export.

GPU-time identities (checked by the tests):
- capacity_gpu_h = busy_gpu_h + idle_gpu_h + spare_gpu_h + down_gpu_h  (in-service GPUs x time;
  burn_in_gpu_h is reported apart: delivered, not yet in service)
- busy_gpu_h = useful_gpu_h + checkpoint_gpu_h + lost_gpu_h + fragmentation_gpu_h
  (lost = work redone after failures/preemptions + restart time; fragmentation = GPUs allocated but not
  asked for, when a job is rounded up to whole nodes or NVLink domains)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from colossim.ops.workload import OUTCOMES, Workload

if TYPE_CHECKING:  # pragma: no cover
    from colossim.ops.simulator import _Run

STATUSES: tuple[str, ...] = (*OUTCOMES, "rejected", "running", "queued", "not_submitted")
GPU_S_PER_GPU_H = 3600.0


@dataclass
class Timeline:
    """Raw event timeline (only when config.record_timeline): job segments (job, pool, start_s, end_s,
    gpus, why it ended: end / stop / horizon), failures (t_s, pool, needed repair) and deliveries
    (t_s, pool, nodes)."""

    segments: list[tuple[int, int, float, float, int, str]] = field(default_factory=list)
    failures: list[tuple[float, int, bool]] = field(default_factory=list)
    deliveries: list[tuple[float, int, int]] = field(default_factory=list)


@dataclass(frozen=True, eq=False)
class OpsResult:
    summary: dict[str, Any]
    series: dict[str, np.ndarray]
    jobs: dict[str, np.ndarray]
    pool_names: tuple[str, ...]
    timeline: Timeline | None = None
    job_ids: tuple[str, ...] | None = None

    def status_counts(self) -> dict[str, int]:
        codes = self.jobs["status"]
        return {name: int(np.sum(codes == i)) for i, name in enumerate(STATUSES)}

    def to_dict(self, with_series: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"summary": self.summary}
        if with_series:
            out["series"] = {k: v.tolist() for k, v in self.series.items()}
        return out


def _stats(values: np.ndarray, prefix: str) -> dict[str, float | None]:
    if values.size == 0:
        return {f"{prefix}_mean": None, f"{prefix}_median": None, f"{prefix}_p95": None}
    return {
        f"{prefix}_mean": float(values.mean()),
        f"{prefix}_median": float(np.median(values)),
        f"{prefix}_p95": float(np.percentile(values, 95)),
    }


def _series(run: _Run) -> dict[str, np.ndarray]:
    from colossim.ops.simulator import SERIES_KEYS

    table = np.array(run.series_rows, dtype=float).reshape(len(run.series_rows), len(SERIES_KEYS))
    out = {key: table[:, i].copy() for i, key in enumerate(SERIES_KEYS)}
    out["pool_capacity_gpus"] = np.array(run.series_pool_cap, dtype=float).reshape(len(run.series_rows), -1)
    d_busy = np.diff(out["acc_busy_gpu_s"], prepend=0.0)
    d_cap = np.diff(out["acc_capacity_gpu_s"], prepend=0.0)
    d_t = np.diff(out["t_s"], prepend=0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["utilisation"] = np.where(d_cap > 0, d_busy / d_cap, np.nan)  # interval mean busy / in service
        out["power_mw"] = np.where(
            d_t > 0, np.diff(out["acc_energy_kwh"], prepend=0.0) / (d_t / 3600.0) / 1000.0, np.nan
        )
    return out


def _flagship(run: _Run, workload: Workload, index: int) -> dict[str, Any]:
    plan = workload.meta.get("flagship_plan")
    start, end = run.first_start[index], run.end_s[index]
    last = end if np.isfinite(end) else run.horizon
    wall = last - start if np.isfinite(start) else 0.0
    useful_s = workload.duration_s[index] - run.remaining[index]
    out: dict[str, Any] = {
        "gpus": int(workload.gpus[index]),
        "status": STATUSES[run.status[index]],
        "submit_day": workload.submit_s[index] / 86_400.0,
        "start_day": start / 86_400.0 if np.isfinite(start) else None,
        "end_day": end / 86_400.0 if np.isfinite(end) else None,
        "wall_days": wall / 86_400.0,
        "compute_done_days": useful_s / 86_400.0,
        "interruptions": run.interrupts[index],
        "preemptions": run.preempts[index],
        "goodput": useful_s / wall if wall > 0 else None,
        "lost_gpu_h": run.job_lost_gs[index] / GPU_S_PER_GPU_H,
        "checkpoint_interval_s": run.tau[index],
        "checkpoint_write_s": run.delta[index],
        "restart_s": run.restart[index],
    }
    if plan is not None:
        out.update(
            {
                "mttf_h": plan.mttf_s / 3600.0,
                "expected_goodput_daly": plan.expected_goodput_daly,
                "expected_goodput_meta": plan.expected_goodput_meta,
                "expected_interruptions_per_day": 86_400.0 / plan.mttf_s,
            }
        )
    return out


def build_result(run: _Run, workload: Workload) -> OpsResult:
    cfg = run.config
    pools = run.pools
    cap_s = sum((p.acc_busy + p.acc_free + p.acc_down + p.acc_spare) * p.gpn for p in pools)
    busy_s = sum(p.acc_busy * p.gpn for p in pools)
    status = np.array(run.status, dtype=np.int8)
    first = np.array(run.first_start, dtype=float)
    end = np.array(run.end_s, dtype=float)
    submit = workload.submit_s
    started = np.isfinite(first)
    ended = np.isfinite(end) & (status <= 2)
    jobs = {
        "submit_s": np.asarray(submit),
        "gpus": np.asarray(workload.gpus),
        "duration_s": np.asarray(workload.duration_s),
        "kind": np.asarray(workload.kind),
        "outcome": np.asarray(workload.outcome),
        "status": status,
        "first_start_s": first,
        "end_s": end,
        "queue_s": first - submit,
        "run_s": np.array(run.run_s),
        "interruptions": np.array(run.interrupts),
        "preemptions": np.array(run.preempts),
        "lost_gpu_h": np.array(run.job_lost_gs) / GPU_S_PER_GPU_H,
        "pool": np.array(run.pool, dtype=np.int16),
        "pods": np.array(run.pods_used, dtype=np.int32),
    }
    counts = {name: int(np.sum(status == i)) for i, name in enumerate(STATUSES)}
    series = _series(run)
    summary: dict[str, Any] = {
        "days": cfg.days,
        "seed": cfg.seed,
        "policy": cfg.policy.kind,
        "placement": cfg.placement.kind,
        "spares": cfg.spares.kind,
        "pools": len(pools),
        "workload": workload.source,
        "jobs_total": len(workload),
        "jobs_submitted": len(workload) - counts["not_submitted"],
        "jobs_completed": counts["completed"],
        "jobs_failed": counts["failed"],
        "jobs_cancelled": counts["cancelled"],
        "jobs_rejected": counts["rejected"],
        "jobs_running_at_end": counts["running"],
        "jobs_queued_at_end": counts["queued"],
        "capacity_gpu_h": cap_s / GPU_S_PER_GPU_H,
        "busy_gpu_h": busy_s / GPU_S_PER_GPU_H,
        "idle_gpu_h": sum(p.acc_free * p.gpn for p in pools) / GPU_S_PER_GPU_H,
        "spare_gpu_h": sum(p.acc_spare * p.gpn for p in pools) / GPU_S_PER_GPU_H,
        "down_gpu_h": sum(p.acc_down * p.gpn for p in pools) / GPU_S_PER_GPU_H,
        "burn_in_gpu_h": sum(p.acc_burn * p.gpn for p in pools) / GPU_S_PER_GPU_H,
        "useful_gpu_h": run.useful_gs / GPU_S_PER_GPU_H,
        "checkpoint_gpu_h": run.ckpt_gs / GPU_S_PER_GPU_H,
        "lost_gpu_h": run.lost_gs / GPU_S_PER_GPU_H,
        "fragmentation_gpu_h": run.frag_gs / GPU_S_PER_GPU_H,
        "utilisation": busy_s / cap_s if cap_s > 0 else None,
        "goodput": run.useful_gs / cap_s if cap_s > 0 else None,
        **_stats((first - submit)[started], "queue_time_s"),
        **_stats((end - submit)[ended], "jct_s"),
        "failures": run.failures,
        "failures_hit_jobs": run.failures_hit_jobs,
        "failures_software": run.failures_software,
        "repairs": run.repairs,
        "preemptions": run.preemptions,
        "spare_swaps": run.spare_swaps,
        "pods_per_job_mean": float(np.mean(np.array(run.pods_used)[started])) if started.any() else None,
        "multi_pod_job_share": float(np.mean(np.array(run.pods_used)[started] > 1)) if started.any() else None,
        "energy_mwh": sum(p.acc_busy * p.gpn * p.kw_per_gpu for p in pools) / 3600.0 / 1000.0,
        "peak_capacity_gpus": int(series["capacity_gpus"].max(initial=0)),
        "final_capacity_gpus": int(series["capacity_gpus"][-1]) if len(series["t_s"]) else 0,
        "events": run.n_events,
        "stale_events": run.n_stale,
        "thinned_failure_events": run.n_thinned,
        "failures_per_1000_node_days": [1000.0 * r for r in run.rate_per_node_day],
    }
    if workload.job_id is not None and "flagship" in workload.job_id:
        summary["flagship"] = _flagship(run, workload, workload.job_id.index("flagship"))
    return OpsResult(
        summary, _series(run), jobs, tuple(p.spec.name for p in pools), run.timeline, workload.job_id
    )
