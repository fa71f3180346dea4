"""What a cluster can train, phase by phase: the best single job, the best job on each partition, and every
partition busy at once (the flagship on the largest partition, another run of the model on each of the
others) with the tokens a day they train together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from colossim.catalog import load_catalog
from colossim.cluster import ClusterSpec, phase_snapshots
from colossim.models.schema import ModelSpec
from colossim.plan.machine import job_machines
from colossim.train.chain import ReliabilityOptions
from colossim.train.plan import TrainingPlan, plan_training


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
    best: TrainingPlan  # the single job with the shortest median wall time
    by_partition: tuple[TrainingPlan, ...]  # the best job on each partition that can run the model, largest first
    concurrent: ConcurrentSplit
    skipped: tuple[str, ...] = ()  # partitions that cannot run the model, and why

    @property
    def others(self) -> tuple[TrainingPlan, ...]:
        return tuple(p for p in self.by_partition if p is not self.best)

    def summary(self) -> dict:
        """What `compare --json` and the report print per phase: the best job's fields, then the rest."""
        return {"phase": self.phase, "start": self.start.isoformat(), "cluster_gpus": self.cluster_gpus,
                **self.best.summary(),
                "partitions": [_partition_row(p) for p in self.by_partition],
                "partitions_skipped": list(self.skipped),
                "concurrent": self.concurrent.summary()}


def _partition_row(p: TrainingPlan) -> dict:
    return {"partition": p.partition, "gpu": p.gpu, "gpus": p.gpus, "gpus_available": p.gpus_available,
            "tokens_per_day": p.tokens_per_day, "effective_tokens_per_day": p.effective_tokens_per_day,
            "ideal_days": p.ideal_days, "wall_days_p50": p.wall_days, "mfu": p.step.mfu,
            "energy_mwh": p.footprint.facility_energy_mwh, "total_cost_usd": p.footprint.total_cost_usd}


def compare_phases(model: ModelSpec, spec: ClusterSpec, tokens: float, precisions: tuple[str, ...] = ("bf16",),
                   options: ReliabilityOptions | None = None) -> list[PhaseComparison]:
    """For each phase, the run on every partition (train.plan_training), the fastest by median wall days, and
    the concurrent split."""
    catalog = load_catalog()
    out = []
    for snap in phase_snapshots(spec, catalog):
        plans, skipped = [], []
        for machine in job_machines(spec, snap.start, catalog):
            try:
                plans.append(plan_training(model, spec, machine, tokens, precisions=precisions, options=options))
            except ValueError as exc:
                skipped.append(f"{machine.gpu}: {exc.args[0] if exc.args else exc}")
        if not plans:
            raise ValueError(f"{model.id} cannot train on any partition of phase '{snap.phase}': "
                             + "; ".join(skipped))
        best = min(plans, key=lambda p: (p.wall_days, -p.gpus))
        out.append(PhaseComparison(snap.phase, snap.start, snap.gpus, best, tuple(plans), ConcurrentSplit(tuple(plans)),
                                   tuple(skipped)))
    return out
