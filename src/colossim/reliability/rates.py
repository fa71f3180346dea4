"""Failure rates per component class and the MTTF of a job spanning many nodes.

A job on N nodes stops when any node fails (series system); with independent exponential failures the
job's failure rate is the sum of the node rates, so MTTF_job = 1 / (N * r_f)
(Kokolis et al., HPCA'25, arXiv 2410.21680; shared/reference/reliability.md sec. 3).
Rates are kept per node-hour for the preset's node size and scale with the GPU count of the job
(a node of 8 GPUs fails 8x as often as one GPU's share), so they transfer to other node sizes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

from colossim.reliability.presets import (
    ComponentClass,
    FailurePresetName,
    FailureRatePreset,
    PresetsFile,
    load_presets,
)

HOURS_PER_DAY = 24.0


@dataclass(frozen=True)
class ComponentRate:
    component: str
    component_class: ComponentClass
    share: float  # fraction of all failures (normalised to sum 1)


@dataclass(frozen=True)
class FailureModel:
    """Failure rate of one node (gpus_per_node GPUs) and the mix of causes behind it."""

    id: str
    name: str
    failures_per_node_hour: float
    gpus_per_node: int
    components: tuple[ComponentRate, ...]
    repair_classes: frozenset[ComponentClass]
    source: str
    estimate: bool = False
    planned_per_node_hour: float = 0.0
    class_shares: Mapping[ComponentClass, float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.failures_per_node_hour > 0 or not np.isfinite(self.failures_per_node_hour):
            raise ValueError("failures_per_node_hour must be a positive finite number")
        if self.gpus_per_node < 1:
            raise ValueError("gpus_per_node must be >= 1")
        shares: dict[ComponentClass, float] = {}
        for c in self.components:
            shares[c.component_class] = shares.get(c.component_class, 0.0) + c.share
        object.__setattr__(self, "class_shares", MappingProxyType(shares))

    # --- unit views -----------------------------------------------------------------------------
    @property
    def failures_per_1000_node_days(self) -> float:
        return self.failures_per_node_hour * HOURS_PER_DAY * 1000.0

    @property
    def failures_per_gpu_hour(self) -> float:
        return self.failures_per_node_hour / self.gpus_per_node

    @property
    def node_mtbf_h(self) -> float:
        return 1.0 / self.failures_per_node_hour

    # --- per class ------------------------------------------------------------------------------
    def class_rates_per_node_hour(self) -> dict[ComponentClass, float]:
        return {cls: share * self.failures_per_node_hour for cls, share in self.class_shares.items()}

    @property
    def repair_share(self) -> float:
        """Fraction of failures that take a node out for repair (the rest are cured by a restart)."""
        return sum(s for cls, s in self.class_shares.items() if cls in self.repair_classes)

    @property
    def repair_failures_per_node_hour(self) -> float:
        return self.repair_share * self.failures_per_node_hour

    # --- a job on many GPUs ---------------------------------------------------------------------
    def job_failures_per_hour(self, gpus: float) -> float:
        """Series system: the job's rate is the sum of its nodes' rates (scaled per GPU)."""
        return float(job_failure_rate_per_hour(gpus / self.gpus_per_node, self.failures_per_node_hour))

    def job_mttf_h(self, gpus: float) -> float:
        return 1.0 / self.job_failures_per_hour(gpus)

    def expected_failures(self, gpus: float, hours: float) -> float:
        return self.job_failures_per_hour(gpus) * hours

    def scaled(self, factor: float) -> FailureModel:
        """The same mix at `factor` times the rate (for sensitivity studies)."""
        return replace(
            self,
            id=f"{self.id}_x{factor:g}",
            failures_per_node_hour=self.failures_per_node_hour * factor,
            planned_per_node_hour=self.planned_per_node_hour * factor,
        )


def job_failure_rate_per_hour(nodes: float | np.ndarray, failures_per_node_hour: float | np.ndarray):
    """lambda_job = N * r_f for N nodes in series with exponential failures (reliability.md sec. 3)."""
    return np.asarray(nodes, dtype=float) * np.asarray(failures_per_node_hour, dtype=float)


def job_mttf_h(nodes: float | np.ndarray, failures_per_node_hour: float | np.ndarray):
    """MTTF_job = 1 / (N * r_f) (Kokolis et al. HPCA'25; reliability.md sec. 3)."""
    return 1.0 / job_failure_rate_per_hour(nodes, failures_per_node_hour)


def per_node_hour(failures_per_1000_node_days: float) -> float:
    return failures_per_1000_node_days / 1000.0 / HOURS_PER_DAY


def _components(preset: FailureRatePreset, presets: PresetsFile) -> tuple[ComponentRate, ...]:
    mix = preset.mix if preset.mix is not None else presets.failure_rates[preset.mix_from].mix
    total = sum(m.percent for m in mix)  # Llama 3's printed percentages sum to 94.9 %: normalise
    return tuple(ComponentRate(m.component, m.component_class, m.percent / total) for m in mix)


def _repair_classes(presets: PresetsFile) -> frozenset[ComponentClass]:
    return frozenset(cls for cls, info in presets.component_classes.items() if info.needs_node_repair)


def failure_model(name: FailurePresetName) -> FailureModel:
    """A named preset from presets.yaml (e.g. 'llama3_h100', 'meta_rsc1_a100')."""
    presets = load_presets()
    if name not in presets.failure_rates:
        known = ", ".join(sorted(presets.failure_rates))
        raise KeyError(f"unknown failure preset '{name}': use one of {known}")
    p = presets.failure_rates[name]
    source = p.source + (f" Mix: {p.mix_note}." if p.mix_note else "")
    return FailureModel(
        id=name,
        name=p.name,
        failures_per_node_hour=per_node_hour(p.failures_per_1000_node_days),
        gpus_per_node=p.gpus_per_node,
        components=_components(p, presets),
        repair_classes=_repair_classes(presets),
        source=source,
        estimate=p.estimate,
        planned_per_node_hour=per_node_hour(p.planned_per_1000_node_days),
    )


def custom_failure_model(
    failures_per_1000_node_days: float,
    gpus_per_node: int = 8,
    mix_from: FailurePresetName = "llama3_h100",
    source: str = "user input",
) -> FailureModel:
    """A user-given rate with the cause mix of a named preset."""
    base = failure_model(mix_from)
    return replace(
        base,
        id="custom",
        name=f"custom rate with the {mix_from} mix",
        failures_per_node_hour=per_node_hour(failures_per_1000_node_days),
        gpus_per_node=gpus_per_node,
        source=f"{source}; mix: {base.source}",
        estimate=True,
        planned_per_node_hour=0.0,
    )
