"""Claims against independent estimates (claims.yaml, from colossus_record_2026.md sec. 9), with colossim's
own figure for each side where a scenario or campus models it: the claims-vs-observed table that
`colossim cluster NAME --compare-variants` and the report print."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from colossim.catalog import Catalog, load_catalog
from colossim.cluster.buy import buy
from colossim.cluster.campus import campus_figures, is_campus, load_campus
from colossim.cluster.figures import ClusterFigures, cluster_figures
from colossim.cluster.load import load_cluster
from colossim.cluster.spec import IsoDate, Strict
from colossim.cluster.supply_spec import Confidence
from colossim.inputs import parse_yaml_text, validate

CLAIMS_SOURCE = "colossim/cluster/claims.yaml"
Metric = Literal["gpus", "gpu_systems_power_max_mw", "facility_power_mw", "turbine_units", "nox_t_per_year",
                 "water_million_gal_per_day", "grid_capacity_mw", "capex_usd_bn", "buy_5bn_gb200_racks"]
BUY_BUDGET_USD = 5e9  # the reported order's value (Bloomberg via CNBC, record sec. 5a)
BUY_SYSTEM = "gb200_nvl72"  # the order's product: GB200 servers, NVL72 racks in Techzine's reading (record sec. 5a)


class Side(Strict):
    value: float
    who: str = Field(min_length=3)
    when: str
    confidence: Confidence
    source: str = Field(min_length=3)


class ModelRef(Strict):
    scenario: str = Field(min_length=1, description="built-in scenario or campus")
    at: IsoDate
    metric: Metric


class Claim(Strict):
    id: str
    quantity: str
    unit: str
    claimed: Side
    observed: Side
    model_claimed: ModelRef | None = None
    model_observed: ModelRef | None = None


class ClaimsFile(Strict):
    claims: list[Claim] = Field(min_length=1)


@lru_cache(maxsize=1)
def load_claims() -> ClaimsFile:
    text = (resources.files("colossim.cluster") / "claims.yaml").read_text(encoding="utf-8")
    return validate(parse_yaml_text(text, CLAIMS_SOURCE), ClaimsFile, CLAIMS_SOURCE)


def _from_figures(f: ClusterFigures, metric: Metric) -> float | None:
    day = f.supply
    values = {
        "gpus": f.gpus, "gpu_systems_power_max_mw": f.gpu_systems_power_max_mw,
        "facility_power_mw": f.facility_power_mw, "water_million_gal_per_day": f.water_million_gal_per_year / 365,
        "capex_usd_bn": (f.capex_usd_low + f.capex_usd_high) / 2e9,
        "turbine_units": day.turbine_units if day else None, "nox_t_per_year": day.per_year.nox_t if day else None,
        "grid_capacity_mw": day.grid_capacity_mw if day else None,
    }
    return values.get(metric)


def model_value(ref: ModelRef, catalog: Catalog | None = None) -> float | None:
    """The model's figure for one side of a claim (None where the metric does not apply)."""
    catalog = catalog or load_catalog()
    if is_campus(ref.scenario):
        c = campus_figures(load_campus(ref.scenario), catalog, ref.at)
        return {"gpus": c.gpus, "gpu_systems_power_max_mw": c.gpu_systems_power_max_mw,
                "facility_power_mw": c.facility_power_mw, "turbine_units": c.turbine_units,
                "nox_t_per_year": c.nox_t_per_year, "water_million_gal_per_day": c.water_million_gal_per_day
                }.get(ref.metric)
    spec = load_cluster(ref.scenario, catalog)
    if ref.metric == "buy_5bn_gb200_racks":
        return float(buy(spec, catalog, BUY_BUDGET_USD, BUY_SYSTEM, ref.at, ()).option.racks)
    return _from_figures(cluster_figures(spec, catalog, ref.at), ref.metric)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClaimRow(_Out):
    id: str
    quantity: str
    unit: str
    claimed: float
    claimed_by: str
    claimed_when: str
    claimed_confidence: str
    claimed_source: str
    observed: float
    observed_by: str
    observed_when: str
    observed_confidence: str
    observed_source: str
    model_claimed: float | None
    model_claimed_scenario: str | None
    model_observed: float | None
    model_observed_scenario: str | None
    model_at: list[date]


def claims_table(scenarios: set[str] | None = None, catalog: Catalog | None = None) -> list[ClaimRow]:
    """Every claim (or those whose model side uses one of `scenarios`), with the model's figures."""
    catalog = catalog or load_catalog()
    rows = []
    for c in load_claims().claims:
        refs = [r for r in (c.model_claimed, c.model_observed) if r is not None]
        if scenarios is not None and not {r.scenario for r in refs} & scenarios:
            continue
        rows.append(ClaimRow(
            id=c.id, quantity=c.quantity, unit=c.unit,
            claimed=c.claimed.value, claimed_by=c.claimed.who, claimed_when=c.claimed.when,
            claimed_confidence=c.claimed.confidence, claimed_source=c.claimed.source,
            observed=c.observed.value, observed_by=c.observed.who, observed_when=c.observed.when,
            observed_confidence=c.observed.confidence, observed_source=c.observed.source,
            model_claimed=model_value(c.model_claimed, catalog) if c.model_claimed else None,
            model_claimed_scenario=c.model_claimed.scenario if c.model_claimed else None,
            model_observed=model_value(c.model_observed, catalog) if c.model_observed else None,
            model_observed_scenario=c.model_observed.scenario if c.model_observed else None,
            model_at=[r.at for r in refs]))
    return rows


__all__ = ["BUY_BUDGET_USD", "BUY_SYSTEM", "Claim", "ClaimRow", "Metric", "claims_table", "load_claims", "model_value"]
