"""Emissions of gas turbines beyond CO2: NOx, CO and formaldehyde per MMBtu of fuel, with and without add-on
controls, and the upstream methane that turns combustion CO2 into CO2e. The factors are sourced data
(emissions.yaml); the CO2 itself is the supply chain's (energy.supply), not computed here.

  combustor factor   vendor ppm at 15 % O2 -> lb/MMBtu (EPA Method 19), else AP-42 Table 3.1-1 by combustor
  SCR                NOx x (1 - removal)
  oxidation catalyst CO x (1 - removal); formaldehyde at most the subpart YYYY limit (91 ppbvd, via Method 19)
  pollutant kg       fuel MMBtu x lb/MMBtu x 0.45359237
  upstream CO2e      fuel MMBtu x CH4 kg/MMBtu x leak / (1 - leak) x GWP   (leak: share of gas produced)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from colossim.energy.defaults import SourcedValue as Value
from colossim.inputs import input_error, parse_yaml_text, validate

Control = Literal["scr", "oxidation_catalyst"]
Pollutant = Literal["nox", "co", "formaldehyde"]
CombustorKind = Literal["dry_low_nox", "water_injection", "conventional"]
LeakPreset = Literal["none", "alvarez2018"]
GwpHorizon = Literal["gwp100", "gwp20"]
POLLUTANTS: tuple[Pollutant, ...] = ("nox", "co", "formaldehyde")
KG_PER_LB = 0.45359237  # exact (international avoirdupois pound)
EMISSIONS_SOURCE = "colossim/energy/emissions.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Method19(_Strict):
    fd_dscf_per_mmbtu: Value
    scf_per_lbmol: Value
    o2_reference_pct: Value


class Ap42(_Strict):
    source: str = Field(min_length=10)
    nox_lb_per_mmbtu: dict[CombustorKind, float]
    co_lb_per_mmbtu: dict[CombustorKind, float]
    formaldehyde_lb_per_mmbtu: float = Field(gt=0)


class Scr(_Strict):
    name: str
    nox_removal: float = Field(gt=0, lt=1)
    source: str = Field(min_length=10)
    estimate: bool = False


class OxidationCatalyst(_Strict):
    name: str
    co_removal: float = Field(gt=0, lt=1)
    formaldehyde_ppbvd: float = Field(gt=0)
    source: str = Field(min_length=10)
    estimate: bool = False


class Controls(_Strict):
    scr: Scr
    oxidation_catalyst: OxidationCatalyst


class Leak(_Strict):
    rate: float = Field(ge=0, lt=1)
    source: str = Field(min_length=10)


class Gwp(_Strict):
    value: float = Field(gt=0)
    source: str = Field(min_length=10)


class Methane(_Strict):
    ch4_kg_per_mmbtu: Value
    leakage: dict[LeakPreset, Leak]
    gwp: dict[GwpHorizon, Gwp]


class EmissionData(_Strict):
    co2_kg_per_mmbtu: Value
    hhv_per_lhv: Value
    method19: Method19
    molecular_weight: dict[Pollutant, Value]
    ap42: Ap42
    controls: Controls
    methane: Methane
    short_ton_kg: Value


@lru_cache(maxsize=1)
def emission_data() -> EmissionData:
    """The factors shipped with colossim (parsed once, on first use)."""
    text = (resources.files("colossim.energy") / "emissions.yaml").read_text(encoding="utf-8")
    data = parse_yaml_text(text, EMISSIONS_SOURCE)
    if not isinstance(data, dict):
        raise input_error(EMISSIONS_SOURCE, "the emission factors must be a mapping", "see the shipped file")
    return validate(data, EmissionData, EMISSIONS_SOURCE)


def ppm_to_lb_per_mmbtu(ppm: float, pollutant: Pollutant, data: EmissionData | None = None) -> float:
    """E = C x MW / 385.3 x Fd x 20.9 / (20.9 - %O2_ref) (EPA Method 19, concentration at 15 % O2 dry)."""
    d = data or emission_data()
    m = d.method19
    lb_per_dscf = ppm * 1e-6 * d.molecular_weight[pollutant].value / m.scf_per_lbmol.value
    return lb_per_dscf * m.fd_dscf_per_mmbtu.value * 20.9 / (20.9 - m.o2_reference_pct.value)


@dataclass(frozen=True)
class TurbineFactors:
    """lb per MMBtu of fuel for one turbine model with its controls."""

    nox: float
    co: float
    formaldehyde: float
    controls: tuple[Control, ...] = ()

    def lb_per_mmbtu(self, pollutant: Pollutant) -> float:
        return getattr(self, pollutant)


def turbine_factors(combustor: CombustorKind, nox_ppm: float | None = None, co_ppm: float | None = None,
                    controls: Iterable[Control] = (), data: EmissionData | None = None) -> TurbineFactors:
    """The combustor's factors (vendor ppm, else AP-42), then each add-on control (module docstring)."""
    d = data or emission_data()
    nox = ppm_to_lb_per_mmbtu(nox_ppm, "nox", d) if nox_ppm else d.ap42.nox_lb_per_mmbtu[combustor]
    co = ppm_to_lb_per_mmbtu(co_ppm, "co", d) if co_ppm else d.ap42.co_lb_per_mmbtu[combustor]
    hcho = d.ap42.formaldehyde_lb_per_mmbtu
    chosen = tuple(sorted(set(controls)))
    if "scr" in chosen:
        nox *= 1.0 - d.controls.scr.nox_removal
    if "oxidation_catalyst" in chosen:
        ox = d.controls.oxidation_catalyst
        co *= 1.0 - ox.co_removal
        hcho = min(hcho, ppm_to_lb_per_mmbtu(ox.formaldehyde_ppbvd / 1000.0, "formaldehyde", d))
    return TurbineFactors(nox, co, hcho, chosen)


def pollutant_kg(fuel_mmbtu, lb_per_mmbtu: float):
    """kg = MMBtu x lb/MMBtu x 0.45359237 (broadcasts over numpy arrays)."""
    return fuel_mmbtu * lb_per_mmbtu * KG_PER_LB


def short_tons(kg) -> float:
    return kg / emission_data().short_ton_kg.value


@dataclass(frozen=True)
class MethaneLeak:
    """Upstream methane lost per unit of gas produced, and the horizon it is weighed over."""

    preset: LeakPreset = "none"
    horizon: GwpHorizon = "gwp100"

    @property
    def rate(self) -> float:
        return emission_data().methane.leakage[self.preset].rate

    @property
    def gwp(self) -> float:
        return emission_data().methane.gwp[self.horizon].value

    @property
    def co2e_kg_per_mmbtu(self) -> float:
        """Leaked CH4 per MMBtu burned x GWP: m x r / (1 - r) x GWP (r of the gas produced is lost)."""
        m = emission_data().methane.ch4_kg_per_mmbtu.value
        return m * self.rate / (1.0 - self.rate) * self.gwp

    @property
    def source(self) -> str:
        d = emission_data().methane
        return f"{d.leakage[self.preset].source}; {d.gwp[self.horizon].source}"


__all__ = ["Control", "EmissionData", "GwpHorizon", "KG_PER_LB", "LeakPreset", "MethaneLeak", "POLLUTANTS",
           "Pollutant", "TurbineFactors", "emission_data", "pollutant_kg", "ppm_to_lb_per_mmbtu", "short_tons",
           "turbine_factors"]
