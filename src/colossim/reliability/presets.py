"""Reliability presets shipped with colossim (presets.yaml), validated with pydantic.

The preset names are Literal unions so a typo is a type/validation error, not a silent miss. The YAML
is the one place that holds the numbers; the loader checks that every Literal name has exactly one
YAML entry (and no others), naming what is missing.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from colossim.inputs import input_error, parse_yaml_text, validate

ComponentClass = Literal["gpu", "hbm", "network", "host", "software", "unknown"]
FailurePresetName = Literal[
    "llama3_h100", "meta_rsc1_a100", "opt175b_cloud_a100", "crusoe_h200", "lablup_b200", "databricks_1pct_afr"
]
RepairPresetName = Literal["automated", "manual", "escalating", "cloud_replacement"]
RestartPresetName = Literal[
    "trainmover", "deadpool", "flashrecovery", "lablup_auto_retry", "aire_sim_default"
]
StoragePresetName = Literal["meta_tectonic", "bloom_gpfs", "lablup_nfs"]
HostLinkName = Literal["pcie_gen5_x16", "pcie_gen4_x16"]
CheckpointStateName = Literal["adam_mixed_bf16", "adam_fp32", "weights_bf16"]
CheckpointPracticeName = Literal["practice_30min", "practice_15min"]
IntervalPolicy = Literal["practice_30min", "practice_15min", "optimal"]  # a practice preset, or Daly's optimum

PRESETS_SOURCE = "colossim/reliability/presets.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _Sourced(_Strict):
    name: str
    source: str = Field(min_length=10)
    estimate: bool = False


class ComponentClassInfo(_Strict):
    needs_node_repair: bool
    description: str


class MixEntry(_Strict):
    component: str
    component_class: ComponentClass = Field(alias="class")
    percent: float = Field(gt=0, le=100)
    paper_category: str | None = None


class Observed(_Strict):
    """The raw count a rate was derived from (events on nodes over days)."""

    events: int = Field(ge=0)
    nodes: int = Field(ge=1)
    days: float = Field(gt=0)

    @property
    def per_1000_node_days(self) -> float:
        return 1000.0 * self.events / (self.nodes * self.days)


class FailureRatePreset(_Sourced):
    failures_per_1000_node_days: float = Field(gt=0)
    planned_per_1000_node_days: float = Field(default=0.0, ge=0)
    gpus_per_node: int = Field(ge=1)
    observed: Observed | None = None
    mix: tuple[MixEntry, ...] | None = None
    mix_from: FailurePresetName | None = None
    mix_note: str = ""

    @model_validator(mode="after")
    def _checks(self) -> FailureRatePreset:
        if (self.mix is None) == (self.mix_from is None):
            raise ValueError("give exactly one of `mix` (a list) or `mix_from` (another preset's name)")
        if self.observed is not None:
            derived = self.observed.per_1000_node_days
            if abs(derived - self.failures_per_1000_node_days) > 1e-3 * derived:
                raise ValueError(f"failures_per_1000_node_days disagrees with `observed` ({derived:.4f})")
        return self


class RepairPreset(_Sourced):
    mean_h: float = Field(gt=0)


class RestartPreset(_Sourced):
    seconds: float = Field(gt=0)


class StoragePreset(_Sourced):
    write_gb_s: float = Field(gt=0)
    read_gb_s: float = Field(gt=0)
    note: str = ""


class HostLinkPreset(_Sourced):
    gb_s: float = Field(gt=0)


class CheckpointStatePreset(_Sourced):
    bytes_per_param: float = Field(gt=0)


class CheckpointPracticePreset(_Sourced):
    """A checkpoint interval labs use at scale: compute time between two persistent checkpoints."""

    interval_s: float = Field(gt=0)


_SECTIONS: dict[str, object] = {
    "component_classes": ComponentClass,
    "failure_rates": FailurePresetName,
    "repair_times": RepairPresetName,
    "restart_times": RestartPresetName,
    "storage": StoragePresetName,
    "host_links": HostLinkName,
    "checkpoint_states": CheckpointStateName,
    "checkpoint_practices": CheckpointPracticeName,
}


class PresetsFile(_Strict):
    component_classes: dict[ComponentClass, ComponentClassInfo]
    failure_rates: dict[FailurePresetName, FailureRatePreset]
    repair_times: dict[RepairPresetName, RepairPreset]
    restart_times: dict[RestartPresetName, RestartPreset]
    storage: dict[StoragePresetName, StoragePreset]
    host_links: dict[HostLinkName, HostLinkPreset]
    checkpoint_states: dict[CheckpointStateName, CheckpointStatePreset]
    checkpoint_practices: dict[CheckpointPracticeName, CheckpointPracticePreset]

    @model_validator(mode="after")
    def _complete(self) -> PresetsFile:
        for section, names in _SECTIONS.items():
            missing = sorted(set(get_args(names)) - set(getattr(self, section)))
            if missing:
                raise ValueError(f"{section}: no entry for {', '.join(missing)}")
        for key, preset in self.failure_rates.items():
            if preset.mix_from is not None and self.failure_rates[preset.mix_from].mix is None:
                raise ValueError(f"failure_rates.{key}.mix_from must name a preset with its own `mix`")
        return self


def parse_presets(text: str, source: str = PRESETS_SOURCE) -> PresetsFile:
    data = parse_yaml_text(text, source)
    if not isinstance(data, dict):
        raise input_error(
            source, "the presets file must be a mapping", "see colossim/reliability/presets.yaml"
        )
    return validate(data, PresetsFile, source)


@lru_cache(maxsize=1)
def load_presets() -> PresetsFile:
    """The presets shipped with colossim (parsed once, on first use)."""
    text = (resources.files("colossim.reliability") / "presets.yaml").read_text(encoding="utf-8")
    return parse_presets(text)


def failure_preset_names() -> tuple[str, ...]:
    return get_args(FailurePresetName)
