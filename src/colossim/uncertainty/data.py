"""The shipped ranges of inputs that are not one catalog or defaults entry (uncertainty/data/ranges.yaml)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from colossim.inputs import parse_yaml_text, validate
from colossim.uncertainty.ranges import Range

RANGES_SOURCE = "colossim/uncertainty/data/ranges.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Probability = Annotated[float, Field(ge=0, le=1)]


class StepTimeError(_Strict):
    quantiles: list[tuple[Probability, Annotated[float, Field(gt=0)]]] = Field(min_length=2)
    predictions: int = Field(ge=1)
    source: str = Field(min_length=10)

    def range(self) -> Range:
        """The ratio measured / predicted: drawn from the quantiles; mid 1 (the point figures use the model
        as it predicts); low / high (the tornado's swing) the 5th and 95th percentiles."""
        import numpy as np

        p = np.array([q for q, _ in self.quantiles])
        v = np.array([x for _, x in self.quantiles])
        low, high = (float(np.interp(q, p, v)) for q in (0.05, 0.95))
        return Range(min(low, 1.0), 1.0, max(high, 1.0), self.source, quantiles=tuple(map(tuple, self.quantiles)))


class FailureRateRange(_Strict):
    low_per_1000_node_days: float = Field(gt=0)
    high_per_1000_node_days: float = Field(gt=0)
    source: str = Field(min_length=10)

    @model_validator(mode="after")
    def _ordered(self) -> FailureRateRange:
        if self.high_per_1000_node_days < self.low_per_1000_node_days:
            raise ValueError("high_per_1000_node_days must be >= low_per_1000_node_days")
        return self

    def factor_range(self, preset_per_1000_node_days: float) -> Range:
        """As a multiple of a preset's rate (mid 1), widened to hold the preset's own rate."""
        p = preset_per_1000_node_days
        return Range.around(1.0, self.low_per_1000_node_days / p, self.high_per_1000_node_days / p, self.source)


class RangesFile(_Strict):
    step_time: StepTimeError
    failure_rate: FailureRateRange


def parse_ranges(text: str, source: str = RANGES_SOURCE) -> RangesFile:
    return validate(parse_yaml_text(text, source), RangesFile, source)


@lru_cache(maxsize=1)
def load_ranges() -> RangesFile:
    return parse_ranges((resources.files("colossim.uncertainty") / "data" / "ranges.yaml").read_text("utf-8"))


__all__ = ["FailureRateRange", "RangesFile", "StepTimeError", "load_ranges", "parse_ranges"]
