"""Sourced defaults of the energy and cost model (defaults.yaml, validated with pydantic)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, model_validator

from colossim.inputs import input_error, parse_yaml_text, validate

DEFAULTS_SOURCE = "colossim/energy/defaults.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourcedValue(_Strict):
    value: float = Field(ge=0)
    unit: str
    source: str = Field(min_length=10)
    estimate: bool = False
    low: float | None = Field(default=None, ge=0)  # the range an estimate carries (colossim.uncertainty)
    high: float | None = Field(default=None, ge=0)
    range_source: str | None = Field(default=None, min_length=10)

    @model_validator(mode="after")
    def _range(self) -> SourcedValue:
        if (self.low is None) != (self.high is None):
            raise ValueError("give both low and high, or neither")
        if self.low is not None and not self.low <= self.value <= self.high:
            raise ValueError(f"need low <= value <= high, not {self.low} / {self.value} / {self.high}")
        if self.low is not None and self.range_source is None:
            raise ValueError("a range needs its range_source")
        return self


class PowerDefaults(_Strict):
    gpu_idle_fraction: SourcedValue
    host_w_per_gpu: SourcedValue
    train_utilisation: SourcedValue
    host_load_fraction: SourcedValue
    overhead_w_per_gpu: SourcedValue


class HardwareDefaults(_Strict):
    capex_usd_per_gpu: SourcedValue
    lifetime_years: SourcedValue
    fleet_utilisation: SourcedValue


class EnergyDefaults(_Strict):
    power: PowerDefaults
    hardware: HardwareDefaults


def parse_defaults(text: str, source: str = DEFAULTS_SOURCE) -> EnergyDefaults:
    data = parse_yaml_text(text, source)
    if not isinstance(data, dict):
        raise input_error(source, "the defaults file must be a mapping", "see colossim/energy/defaults.yaml")
    return validate(data, EnergyDefaults, source)


@lru_cache(maxsize=1)
def load_defaults() -> EnergyDefaults:
    """The defaults shipped with colossim (parsed once, on first use)."""
    return parse_defaults((resources.files("colossim.energy") / "defaults.yaml").read_text(encoding="utf-8"))
