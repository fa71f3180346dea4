"""One training run end to end: the plan search picks the fastest layout on the job's GPUs; the
reliability model sets the checkpoint interval and the expected (closed-form) and simulated (Monte
Carlo) wall time with failures; the energy model turns the run into MWh, CO2, water and money.

  ideal_h      = tokens / tokens_per_s                                  (no failures, no checkpoints)
  failures     = nodes x per-node rate (FailureModel preset), exponential, series system
  checkpoint   = model + optimizer state (reliability.checkpoint_bytes) written at the job's share of the
                 cluster's storage bandwidth (its share of the GPUs; Meta's Llama 3 job had 2 TB/s for 16k
                 GPUs), blocking, asynchronous or in-memory; interval by the exact Daly optimum, never
                 shorter than one step (checkpoints are taken between optimizer steps)
  wall time    = Daly's expected wall time (closed form) and a seeded Monte Carlo (p10/p50/p90)
  footprint    = energy.training_footprint over the Monte Carlo mean busy/idle hours, hot spares idle
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from colossim.catalog import load_catalog
from colossim.cluster import ClusterSpec, gas_turbine_share_at, inventory, site_of, storage_at
from colossim.energy.footprint import Footprint, RunTime, training_footprint
from colossim.energy.supply import SiteSupply
from colossim.models.params import param_counts
from colossim.models.schema import ModelSpec
from colossim.perf.step import StepBreakdown, step_breakdown
from colossim.plan.machine import JobMachine
from colossim.plan.search import PlanResult, layout_of, search
from colossim.reliability import (
    CheckpointMode,
    CheckpointPlan,
    FailurePresetName,
    HostLinkName,
    RepairPresetName,
    RestartPresetName,
    checkpoint_bytes,
    checkpoint_cost,
    failure_model,
    load_presets,
    plan_checkpoints,
    simulate_training,
    spares_needed,
)

SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class ReliabilityOptions:
    """How failures, checkpoints and restarts are modelled (named presets from reliability/presets.yaml)."""

    failures: FailurePresetName = "llama3_h100"
    checkpoint_mode: CheckpointMode = "blocking"  # conservative default; async / in_memory as options
    restart: RestartPresetName = "flashrecovery"
    repair: RepairPresetName = "automated"
    host_link: HostLinkName = "pcie_gen5_x16"  # GPU-to-host copy of async / in-memory checkpoints
    monte_carlo_runs: int = 2000
    seed: int = 1
    spare_eps: float = 1e-3  # chance that failed nodes outnumber the hot spares


@dataclass(frozen=True)
class TrainingPlan:
    model: str
    cluster: str
    at: date | None
    gpu: str
    gpus_available: int
    tokens: float
    search: PlanResult
    step: StepBreakdown
    ideal_days: float
    checkpoint: CheckpointPlan
    checkpoint_size_tb: float
    expected_days: float  # Daly's closed form
    monte_carlo: dict[str, dict[str, float]]  # wall_days, lost_gpu_hours, interruptions, goodput -> p10/p50/p90
    spare_nodes: int
    footprint: Footprint
    options: ReliabilityOptions
    assumptions: list[dict] = field(default_factory=list)

    @property
    def gpus(self) -> int:
        return self.step.gpus

    def summary(self) -> dict:
        """The headline numbers, units in the names (what `colossim train --json` prints)."""
        best = self.search.best
        fp = self.footprint
        return {
            "model": self.model, "cluster": self.cluster, "at": self.at.isoformat() if self.at else None,
            "gpu": self.gpu, "gpus": self.gpus, "gpus_available": self.gpus_available, "tokens": self.tokens,
            "layout": {k: (v.item() if hasattr(v, "item") else v) for k, v in best[
                ["tp", "pp", "vpp", "dp", "cp", "ep", "mbs", "gbs", "zero", "recompute", "precision"]].items()},
            "step_time_s": self.step.step_time_s, "tokens_per_s": self.step.tokens_per_s, "mfu": self.step.mfu,
            "memory_per_gpu_gb": self.step.memory.total_gb,
            "ideal_days": self.ideal_days, "expected_days": self.expected_days,
            "wall_days_p10": self.monte_carlo["wall_days"]["p10"],
            "wall_days_p50": self.monte_carlo["wall_days"]["p50"],
            "wall_days_p90": self.monte_carlo["wall_days"]["p90"],
            "goodput_p50": self.monte_carlo["goodput"]["p50"],
            "interruptions_p50": self.monte_carlo["interruptions"]["p50"],
            "lost_gpu_hours_p50": self.monte_carlo["lost_gpu_hours"]["p50"],
            "job_mttf_h": self.checkpoint.job_mttf_h,
            "interruptions_per_day": self.checkpoint.expected_failures_per_day,
            "checkpoint_interval_min": self.checkpoint.interval_s / 60.0,
            "checkpoint_size_tb": self.checkpoint_size_tb,
            "checkpoint_blocking_s": self.checkpoint.blocking_s, "restart_s": self.checkpoint.restart_s,
            "ettr_expected": self.checkpoint.ettr_daly, "spare_nodes": self.spare_nodes,
            "gpu_hours": fp.gpu_hours, "energy_mwh": fp.facility_energy_mwh, "it_energy_mwh": fp.it_energy_mwh,
            "avg_power_mw": fp.avg_facility_power_mw, "co2_t": fp.co2_t, "water_m3": fp.water_m3,
            "electricity_cost_usd": fp.electricity_cost_usd, "hardware_cost_usd": fp.hardware_cost_usd,
            "total_cost_usd": fp.total_cost_usd, "cost_per_million_tokens_usd": fp.cost_per_million_tokens_usd,
        }

    def assumptions_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.assumptions, columns=["name", "value", "unit", "source"])


def plan_training(model: ModelSpec, spec: ClusterSpec, machine: JobMachine, tokens: float,
                  gpus: int | None = None, precisions: tuple[str, ...] = ("bf16",),
                  global_batch: int | None = None, options: ReliabilityOptions | None = None) -> TrainingPlan:
    """Best layout on `gpus` (default: every GPU of the machine's type), then time, failures and footprint."""
    if tokens <= 0:
        raise ValueError("tokens must be > 0 (e.g. 15e12)")
    opts = options or ReliabilityOptions()
    n = gpus or machine.gpus_available
    if n > machine.gpus_available:
        raise ValueError(f"{n:,} GPUs asked but '{spec.name}' has {machine.gpus_available:,} {machine.gpu}: "
                         "use at most that")
    catalog = load_catalog()
    found = search(model, machine.hardware, n, global_batch=global_batch, objective="time", top_k=5,
                   precisions=precisions, economics=machine.economics)
    layout = layout_of(found.best, model.layers)
    step = step_breakdown(model, layout, machine.hardware)
    used = step.gpus
    ideal_h = tokens / step.tokens_per_s / SECONDS_PER_HOUR

    fails = failure_model(opts.failures)
    storage = storage_at(spec, machine.at)
    if storage is None or storage.write_gb_s <= 0 or storage.read_gb_s <= 0:
        raise ValueError(f"cluster '{spec.name}' has no storage bandwidth: add storage write_gb_s/read_gb_s "
                         "to its YAML (checkpoints need it)")
    presets = load_presets()
    size = checkpoint_bytes(param_counts(model).total)
    share = used / sum(p.gpus for p in inventory(spec, catalog, machine.at))
    cost = checkpoint_cost(size, opts.checkpoint_mode, storage.write_gb_s * share, storage.read_gb_s * share,
                           presets.restart_times[opts.restart].seconds, shards=used,
                           host_link_gb_s=presets.host_links[opts.host_link].gb_s)
    cost = replace(cost, background_s=max(cost.background_s, step.step_time_s))  # at most one save per step
    ckpt = plan_checkpoints(used, fails, cost, "exact", compute_h=ideal_h)
    mc = simulate_training(ideal_h, used, fails.job_failures_per_hour(used), ckpt.interval_s, ckpt.blocking_s,
                           ckpt.restart_s, runs=opts.monte_carlo_runs, seed=opts.seed)
    nodes = used / fails.gpus_per_node
    spares = spares_needed(nodes, fails.repair_failures_per_node_hour,
                           presets.repair_times[opts.repair].mean_h, opts.spare_eps)
    site = site_of(spec, catalog)
    supply = SiteSupply.from_site(site, gas_turbine_share_at(spec, machine.at), machine.economics.pue)
    fp = training_footprint(used, machine.hardware.gpu.tdp_w, RunTime.from_montecarlo(mc), supply, tokens,
                            spare_gpus=spares.spares * fails.gpus_per_node)
    assumptions = [a.to_dict() for a in fp.assumptions] + [
        {"name": "failure_model", "value": fails.name, "unit": "-", "source": fails.source},
        {"name": "failures_per_node_day", "value": fails.failures_per_node_hour * 24, "unit": "per node-day",
         "source": fails.source},
        {"name": "checkpoint_mode", "value": opts.checkpoint_mode, "unit": "-",
         "source": "reliability.checkpoint (blocking, async or in_memory)"},
        {"name": "storage_write_job_share", "value": storage.write_gb_s * share, "unit": "GB/s",
         "source": f"cluster storage {storage.write_gb_s:,.0f} GB/s x the job's GPU share {share:.3f}; "
                   + (storage.source or f"cluster '{spec.name}' storage")},
        {"name": "restart_fixed", "value": presets.restart_times[opts.restart].seconds, "unit": "s",
         "source": presets.restart_times[opts.restart].source},
        {"name": "repair_mean", "value": presets.repair_times[opts.repair].mean_h, "unit": "h",
         "source": presets.repair_times[opts.repair].source},
        {"name": "step_model", "value": "colossim.perf calibrated step model", "unit": "-",
         "source": "docs/perf_model.md; validated by `colossim validate`"},
    ]
    return TrainingPlan(
        model=model.id, cluster=spec.name, at=machine.at, gpu=machine.gpu, gpus_available=machine.gpus_available,
        tokens=tokens, search=found, step=step, ideal_days=ideal_h / 24.0, checkpoint=ckpt,
        checkpoint_size_tb=size / 1e12,
        expected_days=(ckpt.wall_h or ideal_h) / 24.0, monte_carlo=mc.summary(), spare_nodes=spares.spares,
        footprint=fp, options=opts, assumptions=assumptions,
    )
