"""How a phase's GPUs split between training and serving: GPUs moved to serving against days to train.

  serving   replicas of the best serving layout on the partition (serve.capacity, the same answer as
            `colossim serve`): requests/s, output tokens/s and facility MW scale with the replicas that fit
            in the serving GPUs
  training  the headline job keeps its layout (TP, PP, CP, EP, batch) and gives up data-parallel replicas
            until it fits in the GPUs left, as a lab shrinks a running job (where no such job fits in memory,
            the plan search's best layout on the GPUs left): the step model gives its step time,
            the checkpoint chain (train.chain) its failures, and Daly's expected wall time its days; while the
            GPUs left still hold the whole job, moving GPUs to serving costs training nothing
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from colossim.cluster import storage_at
from colossim.models.schema import ModelSpec
from colossim.perf.layout import layout_problems
from colossim.perf.step import step_breakdown
from colossim.plan.search import layout_of, search
from colossim.serve.capacity import ServeCapacity
from colossim.train.chain import JobStorage, checkpoint_chain
from colossim.train.plan import SECONDS_PER_DAY, SECONDS_PER_HOUR, TrainingPlan

SHARES = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9)  # share of the partition's GPUs moved to serving


@dataclass(frozen=True)
class SplitPoint:
    serving_share: float
    serving_gpus: int
    serving_replicas: int
    requests_per_s: float
    output_tokens_per_s: float
    serving_power_mw: float
    training_gpus: int  # 0 where the job no longer fits
    training_dp: int
    tokens_per_day: float  # with failures (Daly's expected goodput)
    training_days: float | None  # Daly's expected wall time; None where the job does not fit
    note: str = ""

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _shrunk(model: ModelSpec, plan: TrainingPlan, gpus_left: int):
    """The job in `gpus_left` GPUs and its step, and how it got there: the same layout with fewer data-parallel
    replicas where one fits (memory included), else the plan search's best layout on those GPUs; None when
    nothing fits."""
    lay, machine = plan.layout, plan.machine
    per_replica = lay.tp * lay.pp * lay.cp
    for dp in range(min(lay.dp, gpus_left // per_replica), 0, -1):
        candidate = lay.model_copy(update={"dp": dp})
        if layout_problems(model, candidate, dp * per_replica):
            continue
        step = step_breakdown(model, candidate, machine.hardware)
        if step.memory.total_gb <= step.memory.usable_gb:
            note = "" if dp == lay.dp else f"data-parallel replicas {lay.dp:,} -> {dp:,}"
            return candidate, step, note
    try:
        found = search(model, machine.hardware, gpus_left, objective="time", top_k=1,
                       precisions=(lay.precision,), economics=machine.economics, template=plan.search.template)
    except ValueError:  # no layout fits in what is left
        return None
    candidate = layout_of(found.best, model.layers, plan.search.template or found.template)
    return candidate, step_breakdown(model, candidate, machine.hardware), "re-planned: the layout did not fit"


def fleet_split(model: ModelSpec, plan: TrainingPlan, serving: ServeCapacity,
                shares: Sequence[float] = SHARES) -> list[SplitPoint]:
    """The trade-off on the plan's partition, one point per share of its GPUs moved to serving."""
    machine = plan.machine
    if machine is None:
        raise ValueError("the fleet split needs the plan's machine: build the plan with plan_training")
    total = machine.gpus_available
    per_replica_rate = serving.requests_per_s / serving.replicas if serving.replicas else 0.0
    per_replica_tokens = serving.output_tokens_per_s / serving.replicas if serving.replicas else 0.0
    per_replica_mw = serving.power_mw / serving.replicas if serving.replicas else 0.0
    storage = storage_at(machine.cluster.spec, machine.at)
    out = []
    for share in shares:
        if not 0.0 <= share < 1.0:
            raise ValueError(f"a serving share is in [0, 1), not {share}")
        serving_gpus = int(round(share * total))
        replicas = int(serving_gpus // serving.gpus_per_replica) if serving.gpus_per_replica else 0
        shrunk = _shrunk(model, plan, total - serving_gpus)
        common = dict(serving_share=share, serving_gpus=serving_gpus, serving_replicas=replicas,
                      requests_per_s=replicas * per_replica_rate, output_tokens_per_s=replicas * per_replica_tokens,
                      serving_power_mw=replicas * per_replica_mw)
        if shrunk is None:
            out.append(SplitPoint(**common, training_gpus=0, training_dp=0, tokens_per_day=0.0, training_days=None,
                                  note="the job's layout no longer fits in the GPUs left"))
            continue
        layout, step, note = shrunk
        ideal_h = plan.tokens / step.tokens_per_s / SECONDS_PER_HOUR
        job_storage = JobStorage.share_of(storage, step.gpus / machine.cluster.gpus, machine.cluster.spec.name)
        chain = checkpoint_chain(plan.model_params, step.gpus, step.step_time_s, job_storage, plan.options,
                                 compute_h=ideal_h)
        wall_h = chain.plan.wall_h or ideal_h
        out.append(SplitPoint(**common, training_gpus=step.gpus, training_dp=layout.dp,
                              tokens_per_day=step.tokens_per_s * SECONDS_PER_DAY * chain.plan.ettr_daly,
                              training_days=wall_h / 24.0, note=note))
    return out


@dataclass(frozen=True)
class PhaseSplit:
    phase: str
    partition: str
    serving_layout: str  # the serving replica (serve.capacity's label)
    points: tuple[SplitPoint, ...]
    note: str = ""  # why there are no points (the model serves on no layout of the partition)

    def to_dict(self) -> dict:
        return {"phase": self.phase, "partition": self.partition, "serving_layout": self.serving_layout,
                "points": [p.to_dict() for p in self.points], "note": self.note}


def phase_splits(model: ModelSpec, phases, shares: Sequence[float] = SHARES, simulate: bool = True
                 ) -> list[PhaseSplit]:
    """The trade-off on each phase's headline partition (train.compare.PhaseComparison), serving the same
    model within serve.capacity's default latency target and request mix (`simulate`: check the rate with the
    event simulation, as `colossim serve` does; off: the closed-form load curve)."""
    from colossim.serve.capacity import serve_capacity

    out = []
    for c in phases:
        plan = c.best
        try:
            serving = serve_capacity(model, plan.machine, simulate=simulate)
        except ValueError as exc:  # no serving layout fits the partition
            out.append(PhaseSplit(c.phase, plan.partition, "", (), str(exc.args[0] if exc.args else exc)))
            continue
        out.append(PhaseSplit(c.phase, plan.partition, serving.layout_label,
                              tuple(fleet_split(model, plan, serving, shares))))
    return out


__all__ = ["SHARES", "PhaseSplit", "SplitPoint", "fleet_split", "phase_splits"]
