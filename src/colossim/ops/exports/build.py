"""Read a finished run's arrays into the typed results (summary, series, jobs, flagship, timeline).

Everything here is arithmetic over the ledgers the kernel kept: GPU-seconds per pool and state, the
GPU-time ledger, per-job columns and counters. Energy comes from colossim.ops.energy (the one place).
"""

from __future__ import annotations

import numpy as np

from colossim.ops.config import OpsConfig
from colossim.ops.energy import fleet_energy
from colossim.ops.exports.results import (
    STATUSES,
    FlagshipOutcome,
    JobsTable,
    OpsResult,
    OpsSummary,
    Timeline,
    TimeSeries,
)
from colossim.ops.pools import OpsCluster
from colossim.ops.sim import layout as L
from colossim.ops.sim.engine import RunArrays
from colossim.ops.workloads.workload import Workload

GPU_S_PER_GPU_H = 3600.0
DAY_S = 86_400.0


def _stats(values: np.ndarray) -> tuple[float | None, float | None, float | None]:
    if values.size == 0:
        return None, None, None
    return float(values.mean()), float(np.median(values)), float(np.percentile(values, 95))


def _ratio(a: float, b: float) -> float | None:
    return a / b if b > 0 else None


def _series(run: RunArrays, cluster: OpsCluster) -> TimeSeries:
    n = int(run.core.cnt[L.C_SAMPLES])
    ser = run.out.ser[:n]
    cols = {key: ser[:, i].copy() for i, key in enumerate(L.SERIES_KEYS)}
    sp = run.out.ser_pool[:, :n]
    d_t = np.diff(cols["t_s"], prepend=0.0)
    d_busy = np.diff(cols["acc_busy_gpu_s"], prepend=0.0)
    d_train = np.diff(cols["acc_capacity_gpu_s"] - cols["acc_serving_gpu_s"], prepend=0.0)
    d_busy_pool = np.diff(sp[L.SP_BUSY] + sp[L.SP_SERVE], axis=0, prepend=0.0)
    d_idle_pool = np.diff(sp[L.SP_IDLE], axis=0, prepend=0.0)
    d_service_pool = np.diff(sp[L.SP_CAP_S], axis=0, prepend=0.0)
    energy = fleet_energy(d_busy_pool, d_idle_pool, d_service_pool, cluster.pools, cluster.pue)
    with np.errstate(invalid="ignore", divide="ignore"):
        hours = np.where(d_t > 0, d_t / 3600.0, np.nan)
        it_mw = np.full(n, np.nan) if energy is None else energy.it_kwh.sum(axis=1) / hours / 1000.0
        fac_mw = (np.full(n, np.nan) if energy is None or energy.facility_kwh is None
                  else energy.facility_kwh.sum(axis=1) / hours / 1000.0)
        util = np.where(d_train > 0, d_busy / d_train, np.nan)
    return TimeSeries(**cols, utilisation=util, it_power_mw=it_mw, power_mw=fac_mw,
                      pool_capacity_gpus=sp[L.SP_CAP].copy())


def _jobs(run: RunArrays, workload: Workload) -> JobsTable:
    jf, ji = run.jobs.jf, run.jobs.ji
    first = jf[L.FIRST_START].copy()
    return JobsTable(
        submit_s=np.asarray(workload.submit_s), gpus=np.asarray(workload.gpus),
        duration_s=np.asarray(workload.duration_s), kind=np.asarray(workload.kind),
        outcome=np.asarray(workload.outcome), status=ji[L.STATUS].astype(np.int8), first_start_s=first,
        end_s=jf[L.END_S].copy(), queue_s=first - workload.submit_s, run_s=jf[L.RUN_S].copy(),
        interruptions=ji[L.INTERRUPTS].copy(), preemptions=ji[L.PREEMPTS].copy(),
        lost_gpu_h=jf[L.LOST_GS] / GPU_S_PER_GPU_H, pool=ji[L.POOL].astype(np.int16),
        pods=ji[L.PODS_USED].astype(np.int32), group=ji[L.GROUP].copy(),
    )


def _flagship(run: RunArrays, workload: Workload, i: int, horizon: float) -> FlagshipOutcome:
    plan = workload.meta.get("flagship_plan")
    jf, ji = run.jobs.jf, run.jobs.ji
    start, end = jf[L.FIRST_START, i], jf[L.END_S, i]
    wall = ((end if np.isfinite(end) else horizon) - start) if np.isfinite(start) else 0.0
    useful_s = workload.duration_s[i] - jf[L.REMAINING, i]
    finite = plan is not None and not plan.failure_free
    return FlagshipOutcome(
        gpus=int(workload.gpus[i]), status=STATUSES[int(ji[L.STATUS, i])], submit_day=workload.submit_s[i] / DAY_S,
        start_day=start / DAY_S if np.isfinite(start) else None, end_day=end / DAY_S if np.isfinite(end) else None,
        wall_days=wall / DAY_S, compute_done_days=useful_s / DAY_S, interruptions=int(ji[L.INTERRUPTS, i]),
        preemptions=int(ji[L.PREEMPTS, i]), goodput=useful_s / wall if wall > 0 else None,
        lost_gpu_h=jf[L.LOST_GS, i] / GPU_S_PER_GPU_H, checkpoint_interval_s=float(jf[L.TAU, i]),
        checkpoint_write_s=float(jf[L.DELTA, i]), restart_s=float(jf[L.RESTART, i]),
        mttf_h=plan.mttf_s / 3600.0 if finite else None,
        expected_goodput_daly=plan.expected_goodput_daly if plan is not None else None,
        expected_goodput_meta=plan.expected_goodput_meta if plan is not None else None,
        expected_interruptions_per_day=DAY_S / plan.mttf_s if finite else None,
    )


def build_result(run: RunArrays, cluster: OpsCluster, workload: Workload, config: OpsConfig) -> OpsResult:
    pf, pi, cnt, led = run.pools.pf, run.pools.pi, run.core.cnt, run.core.led
    gpn = pi[L.GPN].astype(float)

    def gpu_s(row: int) -> np.ndarray:
        return pf[row] * gpn

    busy, free, down, spare, serve = (gpu_s(r) for r in (L.ACC_BUSY, L.ACC_FREE, L.ACC_DOWN, L.ACC_SPARE,
                                                           L.ACC_SERVE))
    cap_s = float((busy + free + down + spare + serve).sum())
    train_s = cap_s - float(serve.sum())
    status = run.jobs.ji[L.STATUS]
    counts = {name: int(np.sum(status == k)) for k, name in enumerate(STATUSES)}
    jobs = _jobs(run, workload)
    started = np.isfinite(jobs.first_start_s)
    ended = np.isfinite(jobs.end_s) & (status <= 2)
    series = _series(run, cluster)
    energy = fleet_energy(busy + serve, free + spare, busy + free + down + spare + serve, cluster.pools,
                          cluster.pue)
    q_mean, q_med, q_p95 = _stats(jobs.queue_s[started])
    j_mean, j_med, j_p95 = _stats((jobs.end_s - jobs.submit_s)[ended])
    pods = jobs.pods[started]
    summary = OpsSummary(
        days=config.days, seed=config.seed, policy=config.policy.kind, placement=config.placement.kind,
        spares=config.spares.kind, pools=len(cluster.pools), workload=workload.source, jobs_total=len(workload),
        jobs_submitted=len(workload) - counts["not_submitted"], jobs_completed=counts["completed"],
        jobs_failed=counts["failed"], jobs_cancelled=counts["cancelled"], jobs_rejected=counts["rejected"],
        jobs_running_at_end=counts["running"], jobs_queued_at_end=counts["queued"],
        capacity_gpu_h=cap_s / GPU_S_PER_GPU_H, training_capacity_gpu_h=train_s / GPU_S_PER_GPU_H,
        busy_gpu_h=float(busy.sum()) / GPU_S_PER_GPU_H, idle_gpu_h=float(free.sum()) / GPU_S_PER_GPU_H,
        spare_gpu_h=float(spare.sum()) / GPU_S_PER_GPU_H, down_gpu_h=float(down.sum()) / GPU_S_PER_GPU_H,
        serving_gpu_h=float(serve.sum()) / GPU_S_PER_GPU_H,
        serving_unmet_gpu_h=float(gpu_s(L.ACC_SERVE_PEND).sum()) / GPU_S_PER_GPU_H,
        burn_in_gpu_h=float(gpu_s(L.ACC_BURN).sum()) / GPU_S_PER_GPU_H,
        useful_gpu_h=led[L.L_USEFUL] / GPU_S_PER_GPU_H, checkpoint_gpu_h=led[L.L_CKPT] / GPU_S_PER_GPU_H,
        lost_gpu_h=led[L.L_LOST] / GPU_S_PER_GPU_H, fragmentation_gpu_h=led[L.L_FRAG] / GPU_S_PER_GPU_H,
        utilisation=_ratio(float(busy.sum()), train_s), goodput=_ratio(float(led[L.L_USEFUL]), train_s),
        queue_time_s_mean=q_mean, queue_time_s_median=q_med, queue_time_s_p95=q_p95,
        jct_s_mean=j_mean, jct_s_median=j_med, jct_s_p95=j_p95,
        failures=int(cnt[L.C_FAILURES]), failures_hit_jobs=int(cnt[L.C_HIT]), failures_software=int(cnt[L.C_SOFT]),
        repairs=int(cnt[L.C_REPAIRS]), preemptions=int(cnt[L.C_PREEMPT]), spare_swaps=int(cnt[L.C_SWAPS]),
        pods_per_job_mean=float(pods.mean()) if pods.size else None,
        multi_pod_job_share=float(np.mean(pods > 1)) if pods.size else None,
        it_energy_mwh=None if energy is None else float(energy.it_kwh.sum()) / 1000.0,
        energy_mwh=None if energy is None or energy.facility_kwh is None else float(energy.facility_kwh.sum()) / 1000.0,
        peak_capacity_gpus=int(series.capacity_gpus.max(initial=0)),
        final_capacity_gpus=int(series.capacity_gpus[-1]) if len(series.t_s) else 0,
        events=int(cnt[L.C_EVENTS]), stale_events=int(cnt[L.C_STALE]), thinned_failure_events=int(cnt[L.C_THINNED]),
        failures_per_1000_node_days=tuple(1000.0 * run.reliability.rate_per_node_day(p) for p in cluster.pools),
        quota_groups=run.groups,
    )
    flagship = None
    if workload.job_id is not None and "flagship" in workload.job_id:
        flagship = _flagship(run, workload, workload.job_id.index("flagship"), config.horizon_s)
    timeline = None
    if config.record_timeline:
        o = run.out
        timeline = Timeline(o.seg[: cnt[L.C_SEG]].copy(), o.fail[: cnt[L.C_FAIL]].copy(),
                            o.deliv[: cnt[L.C_DELIV]].copy())
    return OpsResult(summary, series, jobs, tuple(p.name for p in cluster.pools), flagship, timeline,
                     workload.job_id)


__all__ = ["build_result"]
