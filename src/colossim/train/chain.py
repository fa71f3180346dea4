"""The checkpoint and goodput chain of one training job: the one place `train`, `compare` and the report
(and, through them, the simulator's flagship) take failures, checkpoints, restarts, goodput and spares from.

  failures     = nodes x per-node rate (FailureModel preset), exponential, series system
  checkpoint   = model + optimizer state (reliability.checkpoint_bytes, 14 B per parameter) written at the
                 job's share of the cluster's storage bandwidth (its share of the GPUs: Meta's Llama 3 job had
                 2 TB/s for 16k GPUs), blocking, asynchronous or in-memory, sharded over every GPU of the job
  interval     = a practice labs use at scale (default: every 30 min, reliability preset practice_30min), or
                 the exact minimiser of Daly's expected wall time ("optimal"), never shorter than one step
                 (checkpoints are taken between optimizer steps); Daly's optimum is reported beside it
  restart      = the preset's recovery time + reading the checkpoint back
  wall time    = Daly's closed form, and a seeded Monte Carlo (p10/p50/p90)
  spares       = hot-spare nodes so that failed nodes outnumber them with probability < spare_eps
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from colossim.cluster.spec import StorageSpec
from colossim.reliability import (
    CheckpointCost,
    CheckpointMode,
    CheckpointPlan,
    FailureModel,
    FailurePresetName,
    HostLinkName,
    IntervalPolicy,
    Percentiles,
    RepairPresetName,
    RestartPresetName,
    SparesPlan,
    checkpoint_bytes,
    checkpoint_cost,
    failure_model,
    load_presets,
    plan_checkpoints,
    simulate_training,
    spares_needed,
)


@dataclass(frozen=True)
class ReliabilityOptions:
    """How failures, checkpoints and restarts are modelled (named presets from reliability/presets.yaml)."""

    failures: FailurePresetName = "llama3_h100"
    checkpoint_mode: CheckpointMode = "blocking"  # conservative default; async / in_memory as options
    restart: RestartPresetName = "flashrecovery"
    repair: RepairPresetName = "automated"
    host_link: HostLinkName = "pcie_gen5_x16"  # GPU-to-host copy of async / in-memory checkpoints
    interval: IntervalPolicy = "practice_30min"  # a lab's practice (presets checkpoint_practices) or "optimal"
    monte_carlo_runs: int = 2000
    seed: int = 1
    spare_eps: float = 1e-3  # chance that failed nodes outnumber the hot spares


@dataclass(frozen=True)
class MonteCarloSummary:
    """Percentiles over the simulated runs of one job."""

    wall_days: Percentiles
    lost_gpu_hours: Percentiles
    interruptions: Percentiles
    goodput: Percentiles


@dataclass(frozen=True)
class JobStorage:
    """The storage bandwidth one job checkpoints to: its share of the cluster's."""

    write_gb_s: float
    read_gb_s: float
    share: float  # the job's share of the cluster's GPUs
    source: str

    @classmethod
    def share_of(cls, storage: StorageSpec | None, share: float, cluster: str) -> JobStorage:
        if storage is None or storage.write_gb_s <= 0 or storage.read_gb_s <= 0:
            raise ValueError(f"cluster '{cluster}' has no storage bandwidth: add storage write_gb_s/read_gb_s "
                             "to its YAML (checkpoints need it)")
        if not 0 < share <= 1:
            raise ValueError(f"a job's share of the cluster must be in (0, 1], not {share}")
        return cls(storage.write_gb_s * share, storage.read_gb_s * share, share,
                   f"cluster storage {storage.write_gb_s:,.0f} GB/s x the job's GPU share {share:.3f}; "
                   + (storage.source or f"cluster '{cluster}' storage"))


@dataclass(frozen=True)
class CheckpointChain:
    """Failures and checkpoints of one job: what the interval and goodput rest on."""

    gpus: int
    failures: FailureModel
    cost: CheckpointCost
    plan: CheckpointPlan
    storage: JobStorage


@dataclass(frozen=True)
class JobReliability:
    """The chain, the Monte Carlo of the whole run and the hot spares."""

    chain: CheckpointChain
    monte_carlo: MonteCarloSummary
    busy_h: float  # Monte Carlo means: compute + rework
    idle_h: float  # blocking checkpoints + restarts
    spares: SparesPlan

    @property
    def spare_gpus(self) -> int:
        return self.spares.spares * self.chain.failures.gpus_per_node


def checkpoint_chain(params: float, gpus: int, step_time_s: float, storage: JobStorage, options: ReliabilityOptions,
                     compute_h: float | None = None, failures: FailureModel | None = None) -> CheckpointChain:
    """Failure model, checkpoint cost and interval of a job of `gpus` GPUs holding `params` parameters.
    `failures`: another failure model than the options' preset (the uncertainty ranges scale its rate)."""
    presets = load_presets()
    fails = failures or failure_model(options.failures)
    cost = checkpoint_cost(checkpoint_bytes(params), options.checkpoint_mode, storage.write_gb_s, storage.read_gb_s,
                           presets.restart_times[options.restart].seconds, shards=gpus,
                           host_link_gb_s=presets.host_links[options.host_link].gb_s)
    cost = replace(cost, background_s=max(cost.background_s, step_time_s))  # at most one save per step
    if options.interval == "optimal":
        plan = plan_checkpoints(gpus, fails, cost, "exact", compute_h=compute_h)
    else:
        practice = presets.checkpoint_practices[options.interval].interval_s
        plan = plan_checkpoints(gpus, fails, cost, "practice", compute_h=compute_h, interval_s=practice)
    return CheckpointChain(gpus, fails, cost, plan, storage)


def hot_spares(gpus: int, failures: FailureModel, options: ReliabilityOptions) -> SparesPlan:
    """Hot-spare nodes for a job of `gpus` GPUs: failed nodes outnumber them with probability < spare_eps."""
    repair_h = load_presets().repair_times[options.repair].mean_h
    return spares_needed(gpus / failures.gpus_per_node, failures.repair_failures_per_node_hour, repair_h,
                         options.spare_eps)


def job_reliability(params: float, gpus: int, step_time_s: float, ideal_h: float, storage: JobStorage,
                    options: ReliabilityOptions) -> JobReliability:
    """The whole chain for a run of `ideal_h` hours of compute (module docstring)."""
    chain = checkpoint_chain(params, gpus, step_time_s, storage, options, compute_h=ideal_h)
    plan, fails = chain.plan, chain.failures
    mc = simulate_training(ideal_h, gpus, fails.job_failures_per_hour(gpus), plan.interval_s, plan.blocking_s,
                           plan.restart_s, runs=options.monte_carlo_runs, seed=options.seed)
    summary = MonteCarloSummary(Percentiles.of(mc.wall_days), Percentiles.of(mc.lost_gpu_hours),
                                Percentiles.of(mc.interruptions.astype(float)), Percentiles.of(mc.goodput))
    spares = hot_spares(gpus, fails, options)
    busy = mc.compute_h + float(mc.rework_h.mean())
    idle = mc.checkpoint_h + float(mc.restart_h.mean())
    return JobReliability(chain, summary, busy, idle, spares)
