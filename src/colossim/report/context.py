"""What every section starts from: the options, the catalog, the cluster and its figures after each phase.

Only the core's public functions are called here; sections add no modelling of their own.
"""

from __future__ import annotations

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


def build_context(options: ReportOptions, catalog: Catalog | None = None) -> Context:
    catalog = catalog or load_catalog()
    spec = load_cluster(options.scenario, catalog)
    snaps = phase_snapshots(spec, catalog)
    phases = tuple(
        figures_for_pools(spec, catalog, snap.pools, spec.phases[: i + 1], snap.start)
        for i, snap in enumerate(snaps)
    )
    return Context(options, catalog, spec, phases, tuple(growth(spec, catalog)))
