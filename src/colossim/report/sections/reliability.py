"""Failures and goodput of each phase's training job: interruptions per day, the checkpoint interval,
goodput against the interval, and the hot spares the repairs call for.

The jobs are the training section's (each phase's best single job), and their numbers are colossim.train's
checkpoint and goodput chain (train.chain), the same that `colossim train` prints. Only when the training
section cannot plan the run (a cluster file without storage) does this section ask the same chain about a job
on every GPU of the phase, checkpointed to the `meta_tectonic` storage preset, and it says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import get_args

import numpy as np
import pandas as pd

from colossim.models import get_model, param_counts
from colossim.reliability import (
    CheckpointCost,
    CheckpointPlan,
    FailureModel,
    expected_time_breakdown,
    failure_model,
    goodput_vs_interval,
    load_presets,
)
from colossim.reliability.presets import FailurePresetName
from colossim.report.context import Context
from colossim.report.document import Paragraph, Section, Table
from colossim.report.figures import GoodputCurve, RateLine, goodput_figure, interruptions_figure
from colossim.report.format import duration_words
from colossim.report.sections import AssumptionRow, SectionOutput
from colossim.train import CheckpointChain, JobStorage, checkpoint_chain, hot_spares

INTERVALS_S = np.logspace(0.0, np.log10(36_000.0), 200)  # 1 s to 10 h of compute per checkpoint
FALLBACK_STORAGE = "meta_tectonic"  # when a cluster file gives no storage
TRAIN_DEFAULTS = "colossim.train ReliabilityOptions (the training section uses the same)"
CHECKPOINT_STATE = "adam_mixed_bf16"  # what colossim.train checkpoints (reliability.checkpoint_bytes default)
SPLIT_COMPUTE_S = 30 * 86_400.0  # the wall-time split is given for a month of compute

LABELS = {
    "phase": "phase",
    "gpus": "GPUs in the job",
    "failures_per_day": "interruptions per day",
    "job_mttf_min": "mean time between interruptions (min)",
    "checkpoint_tb": "checkpoint size (TB)",
    "blocking_s": "training stops per checkpoint (s)",
    "persist_s": "background write to storage (s)",
    "restart_s": "restart (s)",
    "interval_s": "checkpoint interval (s)",
    "optimal_interval_s": "Young/Daly optimum (s)",
    "goodput_optimal": "goodput at the optimum",
    "goodput": "goodput (Daly)",
    "goodput_meta": "goodput (Meta first-order)",
    "saving_share": "wall time saving",
    "rework_share": "wall time redoing lost work",
    "restart_share": "wall time restarting",
    "lost_gpu_h_per_day": "GPU-hours lost a day",
    "spare_nodes": "hot-spare nodes",
    "nodes_under_repair_mean": "nodes under repair, mean",
}
FORMATS = {"failures_per_day": ",.1f", "job_mttf_min": ",.1f", "checkpoint_tb": ",.1f", "blocking_s": ".2g",
           "persist_s": ",.1f", "restart_s": ",.0f", "interval_s": ",.1f", "goodput": ".1%",
           "optimal_interval_s": ",.1f", "goodput_optimal": ".1%",
           "goodput_meta": ".1%", "saving_share": ".1%", "rework_share": ".1%", "restart_share": ".1%",
           "lost_gpu_h_per_day": ",.0f", "nodes_under_repair_mean": ",.1f"}


@dataclass(frozen=True)
class PhaseReliability:
    phase: str
    gpus: int
    params: float
    step_time_s: float
    chain: CheckpointChain
    spare_nodes: int
    nodes_under_repair_mean: float

    @property
    def failures(self) -> FailureModel:
        return self.chain.failures

    @property
    def cost(self) -> CheckpointCost:
        return self.chain.cost

    @property
    def plan(self) -> CheckpointPlan:
        return self.chain.plan


def _fallback_storage() -> JobStorage:
    s = load_presets().storage[FALLBACK_STORAGE]
    return JobStorage(s.write_gb_s, s.read_gb_s, 1.0, f"the cluster file gives no storage: {s.source}")


def phase_reliability(ctx: Context) -> list[PhaseReliability]:
    """The checkpoint chain of each phase's training job (cached)."""
    if "reliability" in ctx.cache:
        return ctx.cache["reliability"]
    rel = ctx.options.reliability
    params = param_counts(get_model(ctx.options.model)).total
    out = []
    training = ctx.cache.get("training")
    if training:
        for c in training:
            job = c.best.reliability
            out.append(PhaseReliability(c.phase, c.best.gpus, params, c.best.step.step_time_s, job.chain,
                                        job.spares.spares, job.spares.mean_nodes_down))
    else:
        for f in ctx.gpu_phases:
            chain = checkpoint_chain(params, f.gpus, 0.0, _fallback_storage(), rel)
            spares = hot_spares(f.gpus, chain.failures, rel)
            out.append(PhaseReliability(f.phases[-1], f.gpus, params, 0.0, chain, spares.spares,
                                        spares.mean_nodes_down))
    ctx.cache["reliability"] = out
    return out


def _interval_words(interval: str) -> str:
    if interval == "optimal":
        return "checkpoints at the interval that maximises goodput (exact optimum of Daly's model)"
    practice = load_presets().checkpoint_practices[interval]  # type: ignore[index]
    return f"a checkpoint every {practice.interval_s / 60:g} min (lab practice at scale, preset {interval})"


def restart_sensitivity(ctx: Context) -> pd.DataFrame:
    """Goodput of each phase's job for each restart preset (everything else as in the main table)."""
    presets = load_presets()
    rel = ctx.options.reliability
    rows = []
    for name, preset in presets.restart_times.items():
        row = {"restart_preset": name, "restart_fixed_s": preset.seconds}
        for r in phase_reliability(ctx):
            other = checkpoint_chain(r.params, r.gpus, r.step_time_s, r.chain.storage, replace(rel, restart=name))
            row[f"goodput_{r.phase}"] = other.plan.ettr_daly
        rows.append(row)
    return pd.DataFrame(rows).sort_values("restart_fixed_s", ignore_index=True)


def _split(r: PhaseReliability) -> tuple[float, float, float]:
    """Shares of wall time spent saving, redoing lost work and restarting (Daly's expected breakdown)."""
    p = r.plan
    b = expected_time_breakdown(SPLIT_COMPUTE_S, p.interval_s, p.blocking_s, p.restart_s, p.job_mttf_h * 3600.0)
    return b.checkpoint_h / b.wall_h, b.rework_h / b.wall_h, b.restart_h / b.wall_h


def _row(r: PhaseReliability) -> dict:
    p = r.plan
    saving, rework, restart = _split(r)
    return {
        "phase": r.phase, "gpus": r.gpus,
        "failures_per_day": p.expected_failures_per_day,
        "job_mttf_min": p.job_mttf_h * 60.0,
        "checkpoint_tb": r.cost.size_bytes / 1e12,
        "blocking_s": p.blocking_s,
        "persist_s": r.cost.background_s,
        "restart_s": p.restart_s,
        "interval_s": p.interval_s,
        "optimal_interval_s": p.optimal_interval_s,
        "goodput": p.ettr_daly,
        "goodput_optimal": p.ettr_optimal,
        "goodput_meta": p.ettr_meta,
        "saving_share": saving,
        "rework_share": rework,
        "restart_share": restart,
        "lost_gpu_h_per_day": (1.0 - p.ettr_daly) * r.gpus * 24.0,
        "spare_nodes": r.spare_nodes,
        "nodes_under_repair_mean": r.nodes_under_repair_mean,
    }


def _curve(r: PhaseReliability) -> GoodputCurve:
    good = goodput_vs_interval(INTERVALS_S, r.gpus, r.failures, r.cost)
    return GoodputCurve(f"{r.phase}: {r.gpus:,} GPUs", INTERVALS_S, np.asarray(good, dtype=float),
                        r.plan.optimal_interval_s, r.plan.ettr_optimal, r.plan.interval_s, r.plan.ettr_daly)


def _assumptions(ctx: Context, results: list[PhaseReliability]) -> tuple[AssumptionRow, ...]:
    o = ctx.options
    rel = o.reliability
    presets = load_presets()
    fm = results[0].failures
    restart = presets.restart_times[rel.restart]
    repair = presets.repair_times[rel.repair]
    link = presets.host_links[rel.host_link]
    state = presets.checkpoint_states[CHECKPOINT_STATE]
    model = get_model(o.model)
    rows = [
        AssumptionRow("failures", f"failure rate ({rel.failures})", fm.failures_per_1000_node_days,
                      f"failures per 1,000 nodes of {fm.gpus_per_node} GPUs per day", fm.source, fm.estimate),
        AssumptionRow("failures", "share of failures needing a node repair", fm.repair_share, "fraction",
                      f"cause mix of preset {rel.failures}", fm.estimate),
        AssumptionRow("failures", f"repair time ({rel.repair})", repair.mean_h, "h", repair.source,
                      repair.estimate),
        AssumptionRow("failures", f"restart time ({rel.restart})", restart.seconds, "s", restart.source,
                      restart.estimate),
        AssumptionRow("failures", "accepted chance of running out of spares", rel.spare_eps, "probability",
                      TRAIN_DEFAULTS),
        AssumptionRow("checkpoints", "checkpoint mode", rel.checkpoint_mode, "-",
                      f"{TRAIN_DEFAULTS} (modes explained in docs/reliability.md)"),
        AssumptionRow("checkpoints", f"checkpoint interval ({rel.interval})",
                      presets.checkpoint_practices[rel.interval].interval_s if rel.interval != "optimal" else "optimal",
                      "s", presets.checkpoint_practices[rel.interval].source if rel.interval != "optimal" else
                      "exact minimiser of Daly's expected wall time", rel.interval != "optimal"),
        AssumptionRow("checkpoints", f"bytes per parameter ({CHECKPOINT_STATE})", state.bytes_per_param,
                      "B", state.source, state.estimate),
        AssumptionRow("checkpoints", f"device-to-host link ({rel.host_link})", link.gb_s, "GB/s per GPU",
                      link.source, link.estimate),
        AssumptionRow("checkpoints", "checkpoint shards", "all GPUs of the job", "-",
                      "as colossim.train: a fully sharded save spreads the state over every GPU"),
        AssumptionRow("checkpoints", "model checkpointed", model.id, "-", model.source,
                      bool(getattr(model, "estimate", False))),
    ]
    if "training" not in ctx.cache:
        s = presets.storage[FALLBACK_STORAGE]
        rows.append(AssumptionRow("checkpoints", f"storage ({FALLBACK_STORAGE})", s.write_gb_s, "GB/s write",
                                  f"the cluster file gives no storage: {s.source}", s.estimate))
    return tuple(rows)


def build(ctx: Context) -> SectionOutput:
    o = ctx.options
    rel = o.reliability
    results = phase_reliability(ctx)
    frame = pd.DataFrame([_row(r) for r in results])
    shown = frame.drop(columns=["persist_s"]) if not (frame["persist_s"] > 0).any() else frame  # async only
    fm = results[0].failures
    trained = "training" in ctx.cache
    job = ("The training section's job on each phase (its share of the cluster's storage)" if trained else
           f"The training section could not plan the run, so: one {o.model} job on every GPU of the phase, "
           f"checkpointed to the {FALLBACK_STORAGE} storage preset")
    table = Table(
        "failures", "Failures, checkpoints and goodput of each phase's training job",
        f"{job}; {rel.failures} failure rate, {rel.checkpoint_mode} checkpoints, {_interval_words(rel.interval)}, "
        "with the Young/Daly optimum (the exact minimiser of Daly's wall time) and its goodput beside it; hot "
        "spares for "
        f"{1 - rel.spare_eps:.1%} confidence with {rel.repair} repairs. colossim.train's checkpoint chain: the "
        "same numbers `colossim train` prints for that job.",
        shown, LABELS, FORMATS, summary=True, transpose=True,
    )
    names: tuple[FailurePresetName, ...] = get_args(FailurePresetName)
    short = {n: failure_model(n).name.split(", ")[0] for n in names}  # "Llama 3 405B pre-training"
    lines = [RateLine(short[n], failure_model(n).failures_per_gpu_hour * 24.0) for n in names]
    fig_rates = interruptions_figure(lines, [(r.phase, r.gpus) for r in results], short[rel.failures])
    fig_goodput = goodput_figure([_curve(r) for r in results], get_model(o.model).name,
                                 rel.checkpoint_mode.replace("_", "-"))
    last = results[-1]
    shares = dict(zip(("saving checkpoints", "redoing work lost since the last checkpoint", "restarting"),
                      _split(last), strict=True))
    worst = max(shares, key=shares.__getitem__)
    text = Paragraph(
        f"A training job stops whenever any one of its machines fails. At {fm.failures_per_1000_node_days:.2f} "
        f"failures per 1,000 nodes of {fm.gpus_per_node} GPUs a day ({fm.name}), "
        f"{'the training job on' if trained else 'a job on all'} {last.gpus:,} GPUs is interrupted "
        f"{last.plan.expected_failures_per_day:,.0f} times a day, "
        f"every {last.plan.job_mttf_h * 60:,.0f} minutes on average. Saving a checkpoint every "
        f"{duration_words(last.plan.interval_s)} and restarting in {duration_words(last.plan.restart_s)} "
        f"keeps {last.plan.ettr_daly:.0%} of the wall time useful; most of the rest goes to {worst} "
        f"({shares[worst]:.0%} of the wall time). Checkpointing at the Young/Daly optimum for this job, every "
        f"{duration_words(last.plan.optimal_interval_s)}, would keep {last.plan.ettr_optimal:.0%}: at this scale the "
        "interval labs use for smaller jobs costs that difference, and faster saves and restarts (async or "
        "in-memory checkpoints) are what make shorter intervals affordable."
    )
    sens = restart_sensitivity(ctx)
    restart_table = Table(
        "restart_sensitivity", "Goodput against the time to restart",
        "Goodput of the same jobs if recovery took as long as each published system needs (fixed part; reading "
        "the checkpoint back is added), everything else unchanged: at this scale restarts decide goodput.",
        sens, {"restart_preset": "restart system (preset)", "restart_fixed_s": "detect + reschedule + "
               "initialise (s)", **{c: f"goodput, {c.removeprefix('goodput_')}" for c in sens.columns[2:]}},
        {c: ".1%" for c in sens.columns[2:]} | {"restart_fixed_s": ",.0f"},
    )
    section = Section("failures", "Failures and goodput",
                      (text, table, fig_rates, fig_goodput, restart_table))
    numbers = {
        "failures": {
            "failure_preset": rel.failures,
            "checkpoint_mode": rel.checkpoint_mode,
            "model": o.model,
            "job": "training" if trained else "all_gpus_fallback_storage",
            "phases": frame.to_dict(orient="records"),
            "restart_sensitivity": sens.to_dict(orient="records"),
        }
    }
    return SectionOutput(section, numbers, _assumptions(ctx, results))
