"""A site's power and water supply as a dated timeline: grid capacity steps, fleets of on-site gas turbines
(count, catalog model, add-on controls, the permit they run under), battery systems, the water source, and
the air permits with their caps. Each step holds from its start date until the next step of the same kind
(of the same turbine fleet). Every step carries its source and the record's confidence (high/medium/low).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from colossim.cluster.spec_base import Fraction, IsoDate, Strict
from colossim.energy.emissions import Control, Pollutant

Confidence = Literal["high", "medium", "low"]
WaterSource = Literal["aquifer", "municipal", "recycled"]


class Step(Strict):
    start: IsoDate
    note: str = ""
    source: str = Field(min_length=3)
    confidence: Confidence = "medium"
    estimate: bool = False


class GridStep(Step):
    mw: float = Field(ge=0, le=100_000, description="grid capacity available to the site from `start`")


class TurbineStep(Step):
    """From `start`, fleet `fleet` has `units` of catalog turbine `model` (0 removes the fleet)."""

    fleet: str = Field(min_length=1)
    model: str = Field(min_length=1, description="catalog turbine id")
    units: int = Field(ge=0, le=10_000)
    availability: Fraction = Field(default=1.0, description="share of the fleet's rating available")
    controls: list[Control] = Field(default=[], description="add-on controls: scr, oxidation_catalyst")
    permit: str | None = Field(default=None, description="id of the permit the fleet runs under (permits list)")


class BatteryStep(Step):
    model: str = Field(min_length=1, description="catalog battery id")
    units: int = Field(ge=0, le=100_000)


class WaterStep(Step):
    supply: WaterSource


class Permit(Strict):
    """An air permit: the units it allows and its caps, US short tons per rolling 12 months."""

    id: str = Field(min_length=1)
    name: str
    issued: IsoDate
    expires: IsoDate | None = None
    units: int = Field(ge=1)
    model: str = Field(min_length=1, description="catalog turbine id")
    caps_short_tons: dict[Pollutant, float] = Field(min_length=1)
    caps_published: bool = Field(default=True, description="false: the figures are a reference line (e.g. the "
                                 "250-ton PSD major-source threshold), not the permit's own caps")
    source: str = Field(min_length=3)
    confidence: Confidence = "medium"

    def in_force(self, at: date) -> bool:
        return self.issued <= at and (self.expires is None or at <= self.expires)


class SupplyTimeline(Strict):
    grid: list[GridStep] = Field(min_length=1)
    turbines: list[TurbineStep] = []
    batteries: list[BatteryStep] = []
    water: list[WaterStep] = []
    permits: list[Permit] = []
    load_swing: float = Field(default=0.04, ge=0, lt=0.5, description="daily peak above the mean facility load")
    load_swing_source: str = Field(
        default="estimate: training load is flat; the cooling plant's share of facility power follows the day's "
        "temperature (Memphis summer days swing ~10 C, NOAA normals), giving a ~4 % afternoon peak")

    @model_validator(mode="after")
    def _ordered(self) -> SupplyTimeline:
        for kind in ("grid", "turbines", "batteries", "water"):
            starts = [s.start for s in getattr(self, kind)]
            if starts != sorted(starts):
                raise ValueError(f"supply.{kind}: list the steps in order of their start dates")
        ids = [p.id for p in self.permits]
        if len(set(ids)) != len(ids):
            raise ValueError("supply.permits: permit ids must be unique")
        for step in self.turbines:
            if step.permit is not None and step.permit not in ids:
                raise ValueError(f"supply.turbines: fleet '{step.fleet}' names permit '{step.permit}', which is "
                                 f"not in supply.permits ({', '.join(ids) or 'none'})")
        return self

    def dates(self) -> list[date]:
        return sorted({s.start for kind in (self.grid, self.turbines, self.batteries, self.water) for s in kind})


__all__ = ["BatteryStep", "Confidence", "GridStep", "Permit", "Step", "SupplyTimeline", "TurbineStep", "WaterSource",
           "WaterStep"]
