"""One training run end to end: the plan search picks the fastest layout on the job's partition; the
checkpoint and goodput chain (train.chain) sets the checkpoint interval and the expected (closed-form) and
simulated (Monte Carlo) wall time with failures; the fleet power chain (energy.fleet) and the site's supply
turn the run into MWh, CO2, water and money; hardware is amortised at the partition's catalog price.

  ideal_h      = tokens / tokens_per_s                                  (no failures, no checkpoints)
  footprint    = energy.training_footprint over the Monte Carlo mean busy/idle hours, hot spares idle, the
                 job's share of the cluster's network, storage and CPU nodes
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from colossim.catalog import load_catalog
from colossim.cluster import ClusterSpec, storage_at
from colossim.energy import Assumption, Footprint, RunTime, training_footprint
from colossim.models.params import param_counts
from colossim.models.schema import ModelSpec
from colossim.perf.layout import Layout
from colossim.perf.step import StepBreakdown, step_breakdown
from colossim.plan.machine import JobMachine
from colossim.plan.search import PlanResult, layout_of, search
from colossim.reliability import CheckpointPlan
from colossim.train.chain import JobReliability, JobStorage, MonteCarloSummary, ReliabilityOptions, job_reliability
from colossim.train.ranges import RangeOptions, training_ranges
from colossim.uncertainty import Propagation

SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86_400.0
LAYOUT_KEYS = ("tp", "pp", "vpp", "dp", "cp", "ep", "mbs", "gbs", "zero", "recompute", "precision")


@dataclass(frozen=True)
class TrainingPlan:
    model: str
    cluster: str
    at: date | None
    partition: str
    gpu: str  # the GPU type whose memory bounds the job (the step model's GPU)
    gpu_types: tuple[str, ...]
    gpus_available: int
    tokens: float
    search: PlanResult
    layout: Layout
    step: StepBreakdown
    ideal_days: float
    reliability: JobReliability
    footprint: Footprint
    options: ReliabilityOptions
    assumptions: tuple[Assumption, ...]
    model_params: float = 0.0  # total parameters (what the checkpoint holds)
    machine: JobMachine | None = field(default=None, compare=False, repr=False)  # the partition it runs on
    ranges: Propagation | None = None  # low / high of the headline figures (with_ranges)

    def with_ranges(self, options: RangeOptions | None = None) -> TrainingPlan:
        """The same plan with ranges on its headline figures (train.ranges: a seeded Monte Carlo over the
        estimate inputs and the step model's measured error; the mid is this plan's point figure)."""
        if self.machine is None:
            raise ValueError("ranges need the plan's machine: build the plan with plan_training")
        return replace(self, ranges=training_ranges(self, self.machine, options))

    @property
    def gpus(self) -> int:
        return self.step.gpus

    @property
    def checkpoint(self) -> CheckpointPlan:
        return self.reliability.chain.plan

    @property
    def monte_carlo(self) -> MonteCarloSummary:
        return self.reliability.monte_carlo

    @property
    def wall_days(self) -> float:
        """Median wall-clock days with failures (Monte Carlo)."""
        return self.monte_carlo.wall_days.p50

    @property
    def expected_days(self) -> float:
        """Daly's closed form."""
        return (self.checkpoint.wall_h or self.ideal_days * 24.0) / 24.0

    @property
    def tokens_per_day(self) -> float:
        """Tokens a day at the step model's throughput (no failures)."""
        return self.step.tokens_per_s * SECONDS_PER_DAY

    @property
    def effective_tokens_per_day(self) -> float:
        """Tokens a day with failures, checkpoints and restarts: tokens / median wall days."""
        return self.tokens / self.wall_days

    def layout_summary(self) -> dict:
        best = self.search.best
        return {k: (best[k].item() if hasattr(best[k], "item") else best[k]) for k in LAYOUT_KEYS}

    def summary(self) -> dict:
        """The headline numbers, units in the names (what `colossim train --json` prints)."""
        fp, mc, ck = self.footprint, self.monte_carlo, self.checkpoint
        return {
            "model": self.model, "cluster": self.cluster, "at": self.at.isoformat() if self.at else None,
            "partition": self.partition, "gpu": self.gpu, "gpu_types": list(self.gpu_types),
            "gpus": self.gpus, "gpus_available": self.gpus_available, "tokens": self.tokens,
            "layout": self.layout_summary(),
            "step_time_s": self.step.step_time_s, "tokens_per_s": self.step.tokens_per_s, "mfu": self.step.mfu,
            "memory_per_gpu_gb": self.step.memory.total_gb,
            "tokens_per_day": self.tokens_per_day, "effective_tokens_per_day": self.effective_tokens_per_day,
            "ideal_days": self.ideal_days, "expected_days": self.expected_days,
            "wall_days_p10": mc.wall_days.p10, "wall_days_p50": mc.wall_days.p50, "wall_days_p90": mc.wall_days.p90,
            "goodput_p50": mc.goodput.p50, "interruptions_p50": mc.interruptions.p50,
            "lost_gpu_hours_p50": mc.lost_gpu_hours.p50,
            "job_mttf_h": ck.job_mttf_h, "interruptions_per_day": ck.expected_failures_per_day,
            "checkpoint_interval_min": ck.interval_s / 60.0, "checkpoint_interval_rule": self.options.interval,
            "checkpoint_interval_optimal_min": ck.optimal_interval_s / 60.0, "ettr_optimal": ck.ettr_optimal,
            "checkpoint_size_tb": self.reliability.chain.cost.size_bytes / 1e12,
            "checkpoint_blocking_s": ck.blocking_s, "restart_s": ck.restart_s,
            "ettr_expected": ck.ettr_daly, "spare_nodes": self.reliability.spares.spares,
            "gpu_hours": fp.gpu_hours, "energy_mwh": fp.facility_energy_mwh, "it_energy_mwh": fp.it_energy_mwh,
            "avg_power_mw": fp.avg_facility_power_mw, "busy_power_mw": fp.busy_facility_power_mw,
            "co2_t": fp.co2_t, "water_m3": fp.water_m3,
            "electricity_cost_usd": fp.electricity_cost_usd, "hardware_cost_usd": fp.hardware_cost_usd,
            "total_cost_usd": fp.total_cost_usd, "cost_per_million_tokens_usd": fp.cost_per_million_tokens_usd,
            **(self.ranges.range_fields() if self.ranges is not None else {}),  # figure_low / figure_high
        }

    def assumptions_frame(self) -> pd.DataFrame:
        return pd.DataFrame([a.to_dict() for a in self.assumptions], columns=["name", "value", "unit", "source"])


def _assumptions(fp: Footprint, rel: JobReliability, options: ReliabilityOptions, capex_source: str,
                 partition: str) -> tuple[Assumption, ...]:
    from colossim.reliability import load_presets

    presets = load_presets()
    fails, storage = rel.chain.failures, rel.chain.storage
    restart, repair = presets.restart_times[options.restart], presets.repair_times[options.repair]
    return (
        *fp.assumptions,
        Assumption("capex_source", partition, "-", capex_source),
        Assumption("failure_model", fails.name, "-", fails.source),
        Assumption("failures_per_node_day", fails.failures_per_node_hour * 24, "per node-day", fails.source),
        Assumption("checkpoint_mode", options.checkpoint_mode, "-",
                   "reliability.checkpoint (blocking, async or in_memory)"),
        Assumption("checkpoint_interval", rel.chain.plan.interval_s / 60.0, "min",
                   presets.checkpoint_practices[options.interval].source if options.interval != "optimal" else
                   "the exact minimiser of Daly's expected wall time (reliability.interval)"),
        Assumption("storage_write_job_share", storage.write_gb_s, "GB/s", storage.source),
        Assumption("restart_fixed", restart.seconds, "s", restart.source),
        Assumption("repair_mean", repair.mean_h, "h", repair.source),
        Assumption("step_model", "colossim.perf calibrated step model", "-",
                   "docs/perf_model.md; validated by `colossim validate`"),
    )


def plan_training(model: ModelSpec, spec: ClusterSpec, machine: JobMachine, tokens: float,
                  gpus: int | None = None, precisions: tuple[str, ...] = ("bf16",),
                  global_batch: int | None = None, options: ReliabilityOptions | None = None,
                  template: Layout | None = None) -> TrainingPlan:
    """Best layout on `gpus` of the machine's partition (default: all of it), then time, failures and footprint.
    `template`: the switches the search does not turn (the software stack; plan.search.search)."""
    if tokens <= 0:
        raise ValueError("tokens must be > 0 (e.g. 15e12)")
    opts = options or ReliabilityOptions()
    n = gpus or machine.gpus_available
    if n > machine.gpus_available:
        raise ValueError(f"{n:,} GPUs asked but partition {machine.partition.describe()} of '{spec.name}' "
                         "holds fewer: use at most that")
    catalog = load_catalog()
    found = search(model, machine.hardware, n, global_batch=global_batch, objective="time", top_k=5,
                   precisions=precisions, economics=machine.economics, template=template)
    layout = layout_of(found.best, model.layers, template or found.template)
    step = step_breakdown(model, layout, machine.hardware)
    used = step.gpus
    ideal_h = tokens / step.tokens_per_s / SECONDS_PER_HOUR
    storage = JobStorage.share_of(storage_at(spec, machine.at), used / machine.cluster.gpus, spec.name)
    rel = job_reliability(param_counts(model).total, used, step.step_time_s, ideal_h, storage, opts)
    fp = training_footprint(machine.fleet(used, catalog), RunTime(rel.busy_h, rel.idle_h), machine.cluster.supply,
                            tokens, power=machine.economics.power, hardware=machine.economics.hardware,
                            spare_gpus=rel.spare_gpus)
    part = machine.partition
    return TrainingPlan(
        model=model.id, cluster=spec.name, at=machine.at, partition=part.name, gpu=machine.hardware.gpu.id,
        gpu_types=part.gpu_types, gpus_available=part.gpus, tokens=tokens, search=found, layout=layout, step=step,
        ideal_days=ideal_h / 24.0, reliability=rel, footprint=fp, options=opts,
        assumptions=_assumptions(fp, rel, opts, machine.capex_source, part.name),
        model_params=param_counts(model).total, machine=machine,
    )
