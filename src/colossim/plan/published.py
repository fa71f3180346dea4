"""Rank a published layout among every layout the search considers, on the same job and machine."""

from __future__ import annotations

from dataclasses import dataclass

from colossim.perf.step import step_breakdown
from colossim.plan.search import search
from colossim.validation.defaults import resolve
from colossim.validation.schema import ValidationRun


@dataclass(frozen=True)
class PublishedRanking:
    run_id: str
    published_step_time_s: float  # the model's prediction for the published layout
    best_step_time_s: float  # the search's best layout on the same GPUs, batch and precision
    best_layout: str
    rank: int  # 1 = nothing the search found is faster than the published layout
    fitting_layouts: int
    published_fits: bool

    @property
    def speedup(self) -> float:
        return self.published_step_time_s / self.best_step_time_s


def rank_published(run: ValidationRun) -> PublishedRanking:
    """Search the run's model on its GPU count, global batch and precision, with the published switches
    (overlap, dispatcher) as the template, and rank the published layout by the model's step time."""
    r = resolve(run)
    published = step_breakdown(r.model, r.layout, r.hardware)
    reference = 1e6 / published.tokens_per_s
    result = search(r.model, r.hardware, r.layout.gpus, global_batch=r.layout.global_batch, top_k=1,
                    precisions=(r.layout.precision,), template=r.layout, reference_value=reference,
                    min_gpu_fraction=1.0)
    best = result.best
    label = (f"tp{best['tp']} pp{best['pp']}x{best['vpp']} dp{best['dp']} cp{best['cp']} ep{best['ep']} "
             f"mb{best['mbs']} z{best['zero']} {best['recompute']}")
    return PublishedRanking(run.id, published.step_time_s, float(best["step_time_s"]), label,
                            int(result.better_than_reference or 0) + 1, result.fitting, published.memory.fits)
