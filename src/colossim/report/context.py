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
from colossim.reliability import CheckpointMode
from colossim.reliability.presets import (
    CheckpointStateName,
    FailurePresetName,
    HostLinkName,
    RepairPresetName,
    RestartPresetName,
)


@dataclass(frozen=True)
class ReportOptions:
    """The questions the report asks of the core. The defaults are the real report; `quick()` shrinks
    only the simulated operations period (and the training search where it has a size knob), for tests."""

    scenario: str = "colossus"
    model: str = "grok-3-class"  # model zoo id of the "Grok-class" model trained on each phase
    budget_usd: float = 5e9  # the reported >USD 5B Dell GB200 order
    buy_system: str | None = None  # None: the first system the last phase adds
    failure_preset: FailurePresetName = "llama3_h100"
    restart_preset: RestartPresetName = "lablup_auto_retry"  # the operations simulator's default too
    repair_preset: RepairPresetName = "escalating"
    checkpoint_mode: CheckpointMode = "async"
    checkpoint_state: CheckpointStateName = "adam_mixed_bf16"
    host_link: HostLinkName = "pcie_gen5_x16"
    spares_eps: float = 1e-3  # accepted chance of running short of hot spares
    ops_days: float = 365.0
    ops_jobs: int = 100_000
    ops_seed: int = 1
    quick: bool = False

    def quicker(self) -> ReportOptions:
        """A smaller simulated period for tests (every other question unchanged)."""
        return replace(self, ops_days=45.0, ops_jobs=4_000, quick=True)


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
