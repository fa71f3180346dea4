"""What every section starts from: the options, the catalog, the cluster and its figures after each phase.

Only the core's public functions are called here; sections add no modelling of their own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from colossim.catalog import Catalog, load_catalog
from colossim.cluster import (
    ClusterFigures,
    ClusterSpec,
    GrowthRow,
    figures_for_pools,
    growth,
    load_cluster,
    phase_snapshots,
)
from colossim.train import ReliabilityOptions

# Training tokens of the Grok-class run: the model zoo's own sanity check for grok-3-class
# (colossim/models/data/zoo.yaml, estimate_reasoning (4): 6 x 0.8e12 active parameters x ~60e12 tokens
# ~ 2.9e26 FLOP, consistent with the public scale of the Grok 3 run). An estimate.
GROK_CLASS_TOKENS = 60e12


@dataclass(frozen=True)
class ReportOptions:
    """The questions the report asks of the core. Failures, checkpoints, restarts and repairs follow
    colossim.train's defaults (`ReliabilityOptions`), so the training and failures sections agree. The
    defaults are the real report; `quicker()` only shortens the simulated operations and the Monte Carlo."""

    scenario: str = "colossus"
    model: str = "grok-3-class"  # model zoo id of the "Grok-class" model trained on each phase
    tokens: float = GROK_CLASS_TOKENS
    precision: str = "bf16"
    partition: str | None = None  # the training section's headline job: this partition's (None: the fastest)
    budget_usd: float = 5e9  # the reported >USD 5B Dell GB200 order
    buy_system: str | None = None  # None: the first system the last phase adds
    reliability: ReliabilityOptions = field(default_factory=ReliabilityOptions)
    ops_days: float = 365.0
    ops_jobs: int = 100_000
    ops_seed: int = 1
    quick: bool = False

    def __post_init__(self) -> None:
        """Refuse a question with no answer up front (a section must never drop it as 'unavailable')."""
        positive = {"tokens": self.tokens, "budget_usd": self.budget_usd, "ops_days": self.ops_days,
                    "ops_jobs": self.ops_jobs}
        bad = [name for name, v in positive.items() if not (math.isfinite(v) and v > 0)]
        if bad or self.ops_seed < 0:
            raise ValueError(f"report options {', '.join(bad) or 'ops_seed'} must be finite and positive "
                             f"(ops_seed >= 0); got {', '.join(f'{k}={positive.get(k, self.ops_seed)}' for k in bad)}")

    def quicker(self) -> ReportOptions:
        """A shorter simulated period and fewer Monte Carlo runs, for tests (every question unchanged)."""
        return replace(self, ops_days=45.0, ops_jobs=4_000, quick=True,
                       reliability=replace(self.reliability, monte_carlo_runs=200))


@dataclass(frozen=True)
class Context:
    options: ReportOptions
    catalog: Catalog
    spec: ClusterSpec
    phases: tuple[ClusterFigures, ...]  # the cluster right after each phase (same as `growth`)
    growth: tuple[GrowthRow, ...]
    cache: dict[str, Any] = field(default_factory=dict, compare=False)  # results shared between sections

    @property
    def final(self) -> ClusterFigures:
        return self.phases[-1]

    @property
    def gpu_phases(self) -> tuple[ClusterFigures, ...]:
        """The phases after which the cluster has GPUs (a first phase may add only storage or CPU nodes):
        the per-phase questions of a training job are asked of these."""
        return tuple(f for f in self.phases if f.gpus > 0)


def build_context(options: ReportOptions, catalog: Catalog | None = None) -> Context:
    catalog = catalog or load_catalog()
    spec = load_cluster(options.scenario, catalog)
    snaps = phase_snapshots(spec, catalog)
    phases = tuple(
        figures_for_pools(spec, catalog, snap.pools, spec.phases[: i + 1], snap.start)
        for i, snap in enumerate(snaps)
    )
    if not any(f.gpus for f in phases):
        raise ValueError(f"cluster '{spec.name}' has no GPUs in any phase: the report needs GPU systems in at "
                         "least one phase (add them, or see `colossim cluster` for the figures as they are)")
    return Context(options, catalog, spec, phases, tuple(growth(spec, catalog)))
