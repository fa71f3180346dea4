"""A campus: several sites of one operator, each its own cluster with its own fabric and supply. No training
job spans them, so a campus answers only the site questions, added up by date: GPUs, power, the sources that
carried it, emissions and water (each member's own `cluster_figures`)."""

from __future__ import annotations

from datetime import date
from importlib import resources
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from colossim.catalog import Catalog, load_catalog
from colossim.cluster.figures import ClusterFigures, cluster_figures
from colossim.cluster.load import list_scenarios, load_cluster
from colossim.cluster.spec import Strict, Variant
from colossim.energy.emissions import MethaneLeak
from colossim.inputs import input_error, parse_yaml_text, validate

CAMPUS_DIR = "campuses"


class CampusSpec(Strict):
    name: str = Field(min_length=1)
    description: str = ""
    members: list[str] = Field(min_length=1, description="built-in scenario names, one per site")
    variant: Variant | None = None
    source: str = Field(min_length=3)


def _campus_files() -> dict[str, Any]:
    base = resources.files("colossim.cluster") / CAMPUS_DIR
    return {entry.name[: -len(".yaml")]: entry for entry in base.iterdir() if entry.name.endswith(".yaml")}


def list_campuses() -> list[str]:
    return sorted(_campus_files())


def is_campus(ref: str) -> bool:
    return ref in _campus_files()


def load_campus(ref: str) -> CampusSpec:
    """A built-in campus by name; its members must be built-in scenarios."""
    files = _campus_files()
    if ref not in files:
        raise input_error(ref[:200], "no built-in campus of that name", f"use one of {', '.join(sorted(files))}")
    source = f"colossim/cluster/{CAMPUS_DIR}/{ref}.yaml"
    data = parse_yaml_text(files[ref].read_text(encoding="utf-8"), source)
    campus = validate(data, CampusSpec, source)
    known = set(list_scenarios())
    for i, member in enumerate(campus.members):
        if member not in known:
            raise input_error(source, f"member '{member}' is not a built-in scenario",
                              f"use one of {', '.join(sorted(known))}", f"members.{i}")
    return campus


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CampusMember(_Out):
    scenario: str
    site: str
    in_service: bool  # False before the member's first phase
    figures: ClusterFigures | None = None


class CampusFigures(_Out):
    campus: str
    at: date
    members: list[CampusMember]
    gpus: int
    gpu_systems_power_max_mw: float
    facility_power_max_mw: float
    facility_power_mw: float
    grid_mw: float
    battery_mw: float
    turbine_mw: float
    unserved_mw: float
    turbine_units: int
    co2_t_per_year: float
    co2e_t_per_year: float
    nox_t_per_year: float
    water_million_gal_per_day: float


def campus_figures(campus: CampusSpec, catalog: Catalog | None = None, at: date | None = None,
                   methane: MethaneLeak | None = None) -> CampusFigures:
    """Each member's figures on `at` (None: the latest date any member's phases reach), added up."""
    catalog = catalog or load_catalog()
    specs = [load_cluster(m, catalog) for m in campus.members]
    when = at or max(s.phases[-1].start for s in specs)
    members, figs = [], []
    for spec in specs:
        live = spec.phases[0].start <= when
        fig = cluster_figures(spec, catalog, when, methane) if live else None
        members.append(CampusMember(scenario=spec.name, site=spec.site, in_service=live, figures=fig))
        if fig is not None:
            figs.append(fig)

    def total(get) -> float:
        return float(sum(get(f) for f in figs))

    supplied = [f for f in figs if f.supply is not None]
    return CampusFigures(
        campus=campus.name, at=when, members=members, gpus=int(total(lambda f: f.gpus)),
        gpu_systems_power_max_mw=total(lambda f: f.gpu_systems_power_max_mw),
        facility_power_max_mw=total(lambda f: f.facility_power_max_mw),
        facility_power_mw=total(lambda f: f.facility_power_mw),
        grid_mw=float(sum(f.supply.grid_mw for f in supplied)),
        battery_mw=float(sum(f.supply.battery_mw for f in supplied)),
        turbine_mw=float(sum(f.supply.turbine_mw for f in supplied)),
        unserved_mw=float(sum(f.supply.unserved_mw for f in supplied)),
        turbine_units=int(sum(f.supply.turbine_units for f in supplied)),
        co2_t_per_year=total(lambda f: f.co2_t_per_year), co2e_t_per_year=total(lambda f: f.co2e_t_per_year),
        nox_t_per_year=float(sum(f.supply.per_year.nox_t for f in supplied)),
        water_million_gal_per_day=total(lambda f: f.water_million_gal_per_year) / 365.0,
    )


__all__ = ["CampusFigures", "CampusMember", "CampusSpec", "campus_figures", "is_campus", "list_campuses",
           "load_campus"]
