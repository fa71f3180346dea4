"""Typed catalog entries of a site's plant: gas turbines, battery systems and cooling designs.

Units are in the field names. Heat rates are on the higher heating value (HHV) of the fuel, the basis of
US fuel and CO2 accounting (40 CFR 98); vendors quote the lower heating value (LHV), HHV = 1.109 x LHV for
pipeline natural gas (energy/emissions.yaml `hhv_per_lhv`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from colossim.catalog.schema import Sourced

Combustor = Literal["dry_low_nox", "water_injection", "conventional"]


class Turbine(Sourced):
    """One model of gas turbine generator set. `nox_ppm` / `co_ppm` are the combustor's exhaust
    concentrations at 15 % O2, dry (vendor data); null means the AP-42 factor of its combustor type."""

    vendor: str
    kind: Literal["mobile", "industrial", "aeroderivative"]
    unit_mw: float = Field(gt=0, le=1000, description="continuous electrical output of one unit")
    heat_rate_btu_per_kwh: float = Field(ge=5000, le=20000, description="HHV, at the unit's rating")
    heat_rate_low_btu_per_kwh: float | None = Field(default=None, ge=5000, le=20000)
    heat_rate_high_btu_per_kwh: float | None = Field(default=None, ge=5000, le=20000)
    combustor: Combustor
    nox_ppm: float | None = Field(default=None, gt=0, le=500)
    co_ppm: float | None = Field(default=None, gt=0, le=2000)

    @model_validator(mode="after")
    def _range(self) -> Turbine:
        low = self.heat_rate_low_btu_per_kwh or self.heat_rate_btu_per_kwh
        high = self.heat_rate_high_btu_per_kwh or self.heat_rate_btu_per_kwh
        if not low <= self.heat_rate_btu_per_kwh <= high:
            raise ValueError("need heat_rate_low_btu_per_kwh <= heat_rate_btu_per_kwh <= heat_rate_high_btu_per_kwh")
        return self

    @property
    def heat_rate_range_btu_per_kwh(self) -> tuple[float, float]:
        return (self.heat_rate_low_btu_per_kwh or self.heat_rate_btu_per_kwh,
                self.heat_rate_high_btu_per_kwh or self.heat_rate_btu_per_kwh)


class Battery(Sourced):
    """One battery unit (a Tesla Megapack, say): its power, its energy and its round-trip efficiency."""

    vendor: str
    unit_mw: float = Field(gt=0, le=100)
    unit_mwh: float = Field(gt=0, le=1000)
    round_trip_efficiency: float = Field(gt=0, le=1)


class CoolingDesign(Sourced):
    """How the heat leaves the site and the water that costs: litres consumed per kWh of IT energy (WUE)."""

    water_l_per_kwh: float = Field(ge=0, le=20, description="site water consumed per kWh of IT energy")
    evaporative: bool


__all__ = ["Battery", "Combustor", "CoolingDesign", "Turbine"]
