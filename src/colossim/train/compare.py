"""The same training run on each phase of a scenario: the best partition of the cluster as it stood."""

from __future__ import annotations

from dataclasses import dataclass

from colossim.catalog import load_catalog
from colossim.cluster import ClusterSpec, phase_snapshots
from colossim.models.schema import ModelSpec
from colossim.plan.machine import job_partitions
from colossim.train.plan import ReliabilityOptions, TrainingPlan, plan_training


@dataclass(frozen=True)
class PhaseComparison:
    phase: str
    cluster_gpus: int
    best: TrainingPlan  # the partition with the shortest median wall time
    others: tuple[TrainingPlan, ...]  # the other partitions that can run the model


def compare_phases(model: ModelSpec, spec: ClusterSpec, tokens: float, precisions: tuple[str, ...] = ("bf16",),
                   options: ReliabilityOptions | None = None) -> list[PhaseComparison]:
    """For each phase, plan the run on every partition a job can use (each GPU type, and compatible types
    together, e.g. H100 + H200) and keep the fastest by median wall-clock days. A phase after which the
    cluster has no GPUs (e.g. a first phase that adds only storage) has nothing to compare and is left out."""
    catalog = load_catalog()
    out = []
    snapshots = phase_snapshots(spec, catalog)
    if not any(snap.gpus for snap in snapshots):
        raise ValueError(f"cluster '{spec.name}' has no GPUs in any phase: add GPU systems to a phase")
    for snap in snapshots:
        if not snap.gpus:
            continue
        plans = []
        reasons = []
        for machine in job_partitions(spec, snap.start, catalog):
            try:
                plans.append(plan_training(model, spec, machine, tokens, precisions=precisions, options=options))
            except ValueError as exc:
                reasons.append(f"{machine.gpu}: {exc}")
        if not plans:
            raise ValueError(f"{model.id} cannot train on any partition of phase '{snap.phase}': "
                             + ("; ".join(reasons) or "no partition of its GPUs can run a job"))
        plans.sort(key=lambda p: p.monte_carlo["wall_days"]["p50"])
        out.append(PhaseComparison(snap.phase, snap.gpus, plans[0], tuple(plans[1:])))
    return out
