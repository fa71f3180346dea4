"""Where the cluster runs: its site, PUE and power supply mix over the phases."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from colossim.catalog import Catalog, Site
from colossim.cluster.inventory import phases_through
from colossim.cluster.spec import ClusterSpec, Phase, StorageSpec
from colossim.energy.supply import SiteSupply


def site_of(spec: ClusterSpec, catalog: Catalog) -> Site:
    return catalog.sites[spec.site]


def pue_of(spec: ClusterSpec, catalog: Catalog) -> float:
    """The cluster's PUE: its own value, else the site's default."""
    return spec.pue if spec.pue is not None else site_of(spec, catalog).pue_default


def _latest(phases: Sequence[Phase], field: str):
    value = None
    for phase in phases:
        if getattr(phase, field) is not None:
            value = getattr(phase, field)
    return value


def gas_turbine_share_after(spec: ClusterSpec, phases: Sequence[Phase]) -> float:
    value = _latest(phases, "gas_turbine_share")
    return spec.gas_turbine_share if value is None else value


def storage_after(spec: ClusterSpec, phases: Sequence[Phase]) -> StorageSpec | None:
    value = _latest(phases, "storage")
    return spec.storage if value is None else value


def gas_turbine_share_at(spec: ClusterSpec, at: date | None = None) -> float:
    """Share of energy from on-site gas turbines on date `at` (latest phase override, else the default)."""
    return gas_turbine_share_after(spec, phases_through(spec, at))


def storage_at(spec: ClusterSpec, at: date | None = None) -> StorageSpec | None:
    """Storage in place on date `at` (latest phase override, else the cluster's storage)."""
    return storage_after(spec, phases_through(spec, at))


def supply_after(spec: ClusterSpec, catalog: Catalog, phases: Sequence[Phase]) -> SiteSupply:
    """The site's supply after `phases`: its CO2 mix (the latest gas-turbine share), PUE, tariff and water
    (colossim.energy.supply, the one CO2/water chain)."""
    return SiteSupply.from_site(site_of(spec, catalog), gas_turbine_share_after(spec, phases), pue_of(spec, catalog))


def supply_at(spec: ClusterSpec, catalog: Catalog, at: date | None = None) -> SiteSupply:
    """The site's supply on date `at` (None: after the last phase)."""
    return supply_after(spec, catalog, phases_through(spec, at))
