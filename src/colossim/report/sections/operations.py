"""A simulated period of operations (colossim.ops): jobs, node failures, repairs and rack deliveries on
the scenario, with the flagship training run checkpointed as in the failures section."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from colossim.report.context import Context
from colossim.report.document import Bullets, Paragraph, Section, Table
from colossim.report.figures import OpsSeries, QueueWaits, operations_figure, queue_figure
from colossim.report.sections import AssumptionRow, SectionOutput

DAY_S = 86_400.0

# summary key -> (label, unit, scale applied to the simulator's value); the order is the table's
SUMMARY_ROWS: dict[str, tuple[str, str, float]] = {
    "jobs_submitted": ("jobs submitted", "jobs", 1.0),
    "jobs_completed": ("jobs completed", "jobs", 1.0),
    "jobs_failed": ("jobs that ended in their own error (as often as in the trace)", "jobs", 1.0),
    "peak_capacity_gpus": ("GPUs in service at the end", "GPUs", 1.0),
    "capacity_gpu_h": ("GPU-hours in service", "million GPU-h", 1e-6),
    "busy_gpu_h": ("GPU-hours busy with jobs", "million GPU-h", 1e-6),
    "useful_gpu_h": ("GPU-hours of useful work", "million GPU-h", 1e-6),
    "lost_gpu_h": ("GPU-hours lost to failures (redone work and restarts)", "million GPU-h", 1e-6),
    "checkpoint_gpu_h": ("GPU-hours stopped for checkpoints", "million GPU-h", 1e-6),
    "down_gpu_h": ("GPU-hours down for repair", "million GPU-h", 1e-6),
    "utilisation": ("utilisation (busy / in service)", "%", 100.0),
    "goodput": ("goodput (useful / in service)", "%", 100.0),
    "failures": ("node failures", "failures", 1.0),
    "failures_hit_jobs": ("failures that interrupted a job", "failures", 1.0),
    "repairs": ("node repairs", "repairs", 1.0),
    "queue_time_s_median": ("queue wait, median", "h", 1 / 3600),
    "queue_time_s_p95": ("queue wait, 95th percentile", "h", 1 / 3600),
    "energy_mwh": ("facility energy (IT power by utilisation x PUE)", "GWh", 1e-3),
}
FLAGSHIP_ROWS: dict[str, tuple[str, str, float]] = {
    "gpus": ("flagship run: GPUs", "GPUs", 1.0),
    "status": ("flagship run: status at the end", "-", 1.0),
    "compute_done_days": ("flagship run: compute done", "days", 1.0),
    "wall_days": ("flagship run: wall-clock time", "days", 1.0),
    "interruptions": ("flagship run: interruptions", "interruptions", 1.0),
    "goodput": ("flagship run: goodput, simulated", "%", 100.0),
    "expected_goodput_daly": ("flagship run: goodput, Daly's formula", "%", 100.0),
}


def _flagship(ctx: Context, cluster) -> dict | None:
    """The flagship: the training section's run on the first phase (its GPUs, ideal days and checkpoint plan)
    when it is known; else the simulator's default run, checkpointed as the failures section plans it for the
    first phase; None when the cluster has no GPUs of the default run's type."""
    from colossim.ops import FlagshipConfig

    defaults = FlagshipConfig()
    types = {p.gpu for p in cluster.pools}
    train = ctx.cache.get("flagship_run")  # set by the training section: gpus, gpu_type, ideal_days
    cfg: dict = {}
    if train:
        cfg.update(train)
    elif defaults.gpu_type not in types:
        return None
    rel = ctx.cache.get("reliability")
    if rel and not train:  # else the training run's own checkpoint plan came with it
        plan = rel[0].plan
        cfg.update(checkpoint_interval=plan.interval_s, checkpoint_write_s=max(plan.blocking_s, 0.0),
                   restart_s=plan.restart_s)
    return cfg


def run_operations(ctx: Context):
    from colossim.ops import OpsConfig, load_ops_cluster, run

    o = ctx.options
    cluster = load_ops_cluster(o.scenario)
    flagship = _flagship(ctx, cluster)
    config = OpsConfig(days=o.ops_days, seed=o.ops_seed, policy={"kind": "backfill"},
                       workload={"jobs": o.ops_jobs}, flagship=flagship)
    return cluster, config, run(cluster, config)


def facility_power_by_chain(ctx: Context, day0: date, days: np.ndarray, busy: np.ndarray, in_service: np.ndarray,
                            down: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The simulated occupancy through the headline's power chain (colossim.energy.fleet, as
    ClusterFigures.facility_power_mw): busy GPUs at the training draw, idle in-service GPUs (spares included;
    GPUs down for repair draw nothing) at zero load, each
    with its share of the IT overhead, times PUE. Fleet.share is linear, so per GPU of the phase's fleet:
    P = busy x facility_power_mw / gpus + idle x fleet_power(fleet, 0).facility_mw / gpus. Returns it and the
    same chain with every GPU in service busy (the phase's headline facility_power_mw once all its GPUs are in),
    per sample; the phase is the last one started, or the next one when its racks are already in service."""
    from colossim.cluster.power import fleet_at
    from colossim.energy.fleet import fleet_power

    phases = ctx.gpu_phases
    starts = np.array([(f.at - day0).days for f in phases], dtype=float)
    gpus = np.array([f.gpus for f in phases], dtype=float)
    busy_mw = np.array([f.facility_power_mw / f.gpus for f in phases])
    idle_mw = np.array([fleet_power(fleet_at(ctx.spec, ctx.catalog, f.at), 0.0, f.pue).facility_mw / f.gpus
                        for f in phases])
    k = np.clip(np.searchsorted(starts, days, side="right") - 1, 0, len(phases) - 1)
    k = np.where((in_service > gpus[k]) & (k + 1 < len(phases)), k + 1, k)
    idle = np.clip(in_service - busy - down, 0.0, None)
    return busy * busy_mw[k] + idle * idle_mw[k], in_service * busy_mw[k]


def _series(ctx: Context, result, day0: date) -> OpsSeries:
    s = result.series
    flag = result.flagship
    span = None
    if flag is not None and flag.start_day is not None:
        span = (flag.start_day, flag.end_day if flag.end_day is not None else result.summary.days)
    days = np.asarray(s.t_s) / DAY_S
    busy, capacity, down = (np.asarray(x) for x in (s.busy_gpus, s.capacity_gpus, s.down_gpus))
    power, headline = facility_power_by_chain(ctx, day0, days, busy, capacity, down)
    return OpsSeries(
        days=days, capacity_gpus=capacity, busy_gpus=busy, down_gpus=down,
        utilisation=np.asarray(s.utilisation), facility_power_mw=power, headline_power_mw=headline,
        period_goodput=result.summary.goodput, flagship_days=span,
    )


def _queue(result) -> QueueWaits:
    waits = np.asarray(result.jobs.queue_s, dtype=float)
    return QueueWaits(waits[np.isfinite(waits)], int(result.summary.jobs_queued_at_end or 0))


def _scaled(value, scale: float):
    return value * scale if isinstance(value, int | float) and scale != 1.0 else value


def _table_rows(summary: dict) -> list[dict]:
    rows = [{"quantity": label, "value": _scaled(summary[key], scale), "unit": unit}
            for key, (label, unit, scale) in SUMMARY_ROWS.items() if summary.get(key) is not None]
    flag = summary.get("flagship") or {}
    rows += [{"quantity": label, "value": _scaled(flag[key], scale), "unit": unit}
             for key, (label, unit, scale) in FLAGSHIP_ROWS.items() if flag.get(key) is not None]
    return rows


def build(ctx: Context) -> SectionOutput:
    o = ctx.options
    cluster, config, result = run_operations(ctx)
    summary = result.to_dict()["summary"]
    day0 = cluster.start or min(p.start for p in ctx.spec.phases)
    figure = operations_figure(_series(ctx, result, day0), ctx.spec.name, o.ops_days, day0)
    queue = queue_figure(_queue(result))
    rows = _table_rows(summary)
    frame = pd.DataFrame(rows)
    frame["value"] = pd.Series([r["value"] for r in rows], dtype=object)  # counts stay integers
    table = Table("operations", f"{o.ops_days:g} simulated days on {ctx.spec.name}",
                  f"{summary['jobs_submitted']:,} jobs drawn from distributions fitted to a real cluster trace "
                  f"({summary['workload']}), backfill scheduling, node failures at the failures section's rate, "
                  "repairs, and racks delivered in batches before each phase.", frame,
                  summary=True)
    util, good = summary.get("utilisation") or 0.0, summary.get("goodput") or 0.0
    text = Paragraph(
        f"Over {o.ops_days:g} days the GPUs in service were busy {util:.0%} of the time and did useful work "
        f"{good:.0%} of it: the gap is work redone after failures, restarts, checkpoints and GPUs allocated "
        f"but unused. {summary.get('failures', 0):,} node failures interrupted "
        f"{summary.get('failures_hit_jobs', 0):,} jobs."
    )
    facts = [f"Simulated in colossim.ops with seed {config.seed}; a different seed gives a different but "
             "statistically equal period.",
             "A different question from the training section: here the flagship shares the cluster with every other "
             "job, queues for its GPUs and meets the failures of a simulated year, so its days and goodput are the "
             "simulator's, not the training plan's."]
    flag = summary.get("flagship")
    if flag:
        facts.append(
            f"The flagship run ({flag['gpus']:,} GPUs) was {flag['status']} at the end, with "
            f"{flag.get('interruptions', 0):,} interruptions and a simulated goodput of "
            f"{(flag.get('goodput') or 0):.1%} (Daly's formula expects {(flag.get('expected_goodput_daly') or 0):.1%})."
        )
    facts.append("Goodput is reported for the whole period; the simulator gives utilisation over time. The power "
                 "figure puts the simulated GPUs through the headline's power chain; the table's energy row is the "
                 "simulator's own ledger.")
    section = Section("operations", f"A simulated {'year' if o.ops_days >= 360 else 'period'} of operations",
                      (text, Bullets(tuple(facts)), table, figure, queue))
    numbers = {"operations": {"config": config.model_dump(mode="json"), "summary": summary}}
    return SectionOutput(section, numbers, _assumptions(config))


def _assumptions(config) -> tuple[AssumptionRow, ...]:
    from colossim.ops import defaults

    auto, manual, escalate = defaults.repair_hours()
    restart = defaults.restart_s()
    w = config.workload
    return (
        AssumptionRow("operations", "simulated period", config.days, "days", "report option (--ops-days)"),
        AssumptionRow("operations", "jobs", w.jobs, "jobs", "report option"),
        AssumptionRow("operations", "workload profile", w.profile, "-",
                      "job sizes and run times fitted to a public trace summary (colossim.ops.workloads.fit)"),
        AssumptionRow("operations", "offered load", w.target_load, "GPU-time asked / GPU-time in service",
                      "colossim.ops default"),
        AssumptionRow("operations", "scheduling policy", config.policy.kind, "-", "report choice"),
        AssumptionRow("operations", "automated repair", auto.value, "h", auto.source, auto.estimate),
        AssumptionRow("operations", "manual repair", manual.value, "h", manual.source, manual.estimate),
        AssumptionRow("operations", "share escalated to manual repair", escalate.value, "fraction",
                      escalate.source, escalate.estimate),
        AssumptionRow("operations", "restart of ordinary jobs", restart.value, "s", restart.source,
                      restart.estimate),
    )
