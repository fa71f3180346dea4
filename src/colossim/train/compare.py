"""What a cluster can train, phase by phase: the best single job, the best job on each partition, and every
partition busy at once (the flagship on the largest partition, another run of the model on each of the
others) with the tokens a day they train together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from colossim.catalog import load_catalog
from colossim.cluster import ClusterSpec, storage_at
from colossim.cluster.use import training_snapshots
from colossim.models.params import param_counts
from colossim.models.schema import ModelSpec
from colossim.perf.layout import Layout
from colossim.plan.hetero import CrossGenerationPlan, plan_cross_generation
from colossim.plan.machine import job_machines
from colossim.train.chain import CheckpointChain, JobStorage, ReliabilityOptions, checkpoint_chain
from colossim.train.plan import TrainingPlan, plan_training
from colossim.train.ranges import RangeOptions


@dataclass(frozen=True)
class ConcurrentSplit:
    """Every partition training at once: `jobs[0]` is the flagship (the largest partition), the rest run the
    same model on the other partitions. Jobs share the cluster's storage by their GPU share."""

    jobs: tuple[TrainingPlan, ...]

    @property
    def gpus(self) -> int:
        return sum(j.gpus for j in self.jobs)

    @property
    def tokens_per_day(self) -> float:
        return sum(j.tokens_per_day for j in self.jobs)

    @property
    def effective_tokens_per_day(self) -> float:
        """With each job's failures, checkpoints and restarts (tokens / median wall days)."""
        return sum(j.effective_tokens_per_day for j in self.jobs)

    @property
    def energy_mwh_per_day(self) -> float:
        return sum(j.footprint.facility_energy_mwh / (j.footprint.wall_h / 24.0) for j in self.jobs)

    def summary(self) -> dict:
        return {"gpus": self.gpus, "tokens_per_day": self.tokens_per_day,
                "effective_tokens_per_day": self.effective_tokens_per_day,
                "energy_mwh_per_day": self.energy_mwh_per_day,
                "jobs": [{"role": "flagship" if i == 0 else "second run", "partition": j.partition, "gpus": j.gpus,
                          "tokens_per_day": j.tokens_per_day, "effective_tokens_per_day": j.effective_tokens_per_day,
                          "wall_days_p50": j.wall_days}
                         for i, j in enumerate(self.jobs)]}


@dataclass(frozen=True)
class PhaseComparison:
    phase: str
    start: date
    cluster_gpus: int
    best: TrainingPlan  # the headline single job: the fastest (shortest median wall time) unless chosen
    by_partition: tuple[TrainingPlan, ...]  # the best job on each partition that can run the model, largest first
    concurrent: ConcurrentSplit
    skipped: tuple[str, ...] = ()  # partitions that cannot run the model, and why
    cross_generation: CrossGenerationPlan | None = None  # one job over every partition (plan.hetero)
    cross_generation_chain: CheckpointChain | None = None  # its failures and checkpoints (train.chain)
    cross_generation_note: str = ""  # why there is none

    @property
    def cross_generation_tokens_per_day(self) -> float | None:
        """One job over every partition, with failures: tokens/s x a day x Daly's expected goodput."""
        if self.cross_generation is None or self.cross_generation_chain is None:
            return None
        return self.cross_generation.tokens_per_s * 86_400.0 * self.cross_generation_chain.plan.ettr_daly

    @property
    def fastest(self) -> TrainingPlan:
        """The single job with the shortest median wall time (the headline unless `with_headline` chose another)."""
        return min(self.by_partition, key=lambda p: (p.wall_days, -p.gpus))

    @property
    def others(self) -> tuple[TrainingPlan, ...]:
        return tuple(p for p in self.by_partition if p is not self.best)

    def summary(self) -> dict:
        """What `compare --json` and the report print per phase: the best job's fields, then the rest."""
        return {"phase": self.phase, "start": self.start.isoformat(), "cluster_gpus": self.cluster_gpus,
                **self.best.summary(),
                "partitions": [_partition_row(p) for p in self.by_partition],
                "partitions_skipped": list(self.skipped),
                "concurrent": self.concurrent.summary(),
                "cross_generation": None if self.cross_generation is None else {
                    **self.cross_generation.summary(), "goodput_expected": self.cross_generation_chain.plan.ettr_daly,
                    "effective_tokens_per_day": self.cross_generation_tokens_per_day},
                "cross_generation_note": self.cross_generation_note}


def _partition_row(p: TrainingPlan) -> dict:
    return {"partition": p.partition, "gpu": p.gpu, "gpus": p.gpus, "gpus_available": p.gpus_available,
            "tokens_per_day": p.tokens_per_day, "effective_tokens_per_day": p.effective_tokens_per_day,
            "ideal_days": p.ideal_days, "wall_days_p50": p.wall_days, "mfu": p.step.mfu,
            "energy_mwh": p.footprint.facility_energy_mwh, "total_cost_usd": p.footprint.total_cost_usd}


def _cross(model, spec, at, machines, plans, precisions, options, template):
    """One job over every partition that can run the model, and its checkpoint chain (None and why, else)."""
    if len(plans) < 2:
        return None, None, "one partition: no job across generations to plan"
    try:
        cross = plan_cross_generation(model, machines, precisions=precisions, found=[p.search for p in plans],
                                      template=template)
    except ValueError as exc:
        return None, None, str(exc.args[0] if exc.args else exc)
    storage = JobStorage.share_of(storage_at(spec, at), cross.gpus / machines[0].cluster.gpus, spec.name)
    chain = checkpoint_chain(param_counts(model).total, cross.gpus, cross.step_time_s, storage,
                             options or ReliabilityOptions())
    return cross, chain, ""


def compare_phases(model: ModelSpec, spec: ClusterSpec, tokens: float, precisions: tuple[str, ...] = ("bf16",),
                   options: ReliabilityOptions | None = None, cross_generation: bool = True,
                   template: Layout | None = None) -> list[PhaseComparison]:
    """For each phase the site trains in (not those it is leased out for inference: cluster.use), the run on
    every partition (train.plan_training), the fastest by median wall days, the concurrent split, and (with
    `cross_generation`, where a phase has several partitions) one job over all of them (plan.hetero). A phase
    after which the cluster has no GPUs (e.g. a first phase that adds only storage) has nothing to compare and
    is left out."""
    catalog = load_catalog()
    out = []
    snapshots = training_snapshots(spec, catalog)[0]
    if not any(snap.gpus for snap in snapshots):
        raise ValueError(f"cluster '{spec.name}' has no GPUs in any phase it trains in: add GPU systems to a phase")
    for snap in snapshots:
        if not snap.gpus:
            continue
        plans, machines, skipped = [], [], []
        for machine in job_machines(spec, snap.start, catalog):
            try:
                plans.append(plan_training(model, spec, machine, tokens, precisions=precisions, options=options,
                                           template=template))
                machines.append(machine)
            except ValueError as exc:
                skipped.append(f"{machine.gpu}: {exc.args[0] if exc.args else exc}")
        if not plans:
            raise ValueError(f"{model.id} cannot train on any partition of phase '{snap.phase}': "
                             + ("; ".join(skipped) or "no partition of its GPUs can run a job"))
        cross, chain, note = (_cross(model, spec, snap.start, machines, plans, precisions, options, template)
                              if cross_generation else (None, None, "not asked"))
        c = PhaseComparison(snap.phase, snap.start, snap.gpus, plans[0], tuple(plans), ConcurrentSplit(tuple(plans)),
                            tuple(skipped), cross, chain, note)
        out.append(replace(c, best=c.fastest))
    return out


def with_headline(phases: Sequence[PhaseComparison], partition: str | None) -> list[PhaseComparison]:
    """The phases with `partition`'s job (a partition name or a GPU type in it) as the headline wherever the
    phase has it, the fastest elsewhere; None keeps the fastest. Raises when no phase has such a partition
    that can run the model."""
    if partition is None:
        return list(phases)
    key = partition.strip().lower()
    out, found = [], False
    for c in phases:
        mine = [p for p in c.by_partition if p.partition == key or key in p.gpu_types or key in _aliases(p.gpu_types)]
        found = found or bool(mine)
        out.append(replace(c, best=mine[0]) if mine else c)
    if not found:
        have = sorted({p.partition for c in phases for p in c.by_partition})
        raise ValueError(f"no phase has a partition '{partition}' that can run the model: use one of "
                         f"{', '.join(have)}")
    return out


def with_ranges(phases: Sequence[PhaseComparison], options: RangeOptions | None = None) -> list[PhaseComparison]:
    """The phases with ranges on each headline job's figures (TrainingPlan.with_ranges); the job keeps its
    place among the partitions' jobs (the same plan, now with its ranges)."""
    out = []
    for c in phases:
        ranged = c.best.with_ranges(options)
        by_partition = tuple(ranged if p is c.best else p for p in c.by_partition)
        out.append(replace(c, best=ranged, by_partition=by_partition))
    return out


def _aliases(gpu_types: Sequence[str]) -> list[str]:
    catalog = load_catalog()
    return [a for g in gpu_types for a in catalog.gpus[g].aliases]
