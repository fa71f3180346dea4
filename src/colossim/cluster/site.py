"""Where the cluster runs: its site, PUE, storage, and the per-phase gas share of a cluster without a supply
timeline (the dated supply mix is cluster.mix)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from colossim.catalog import Catalog, Site
from colossim.cluster.inventory import phases_through
from colossim.cluster.spec import ClusterSpec, Phase, StorageSpec


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
