"""The site's supply on a date, as the one CO2/water chain (energy.supply.SiteSupply) takes it: with a supply
timeline, the ledger's turbine share, the turbines' fuel-weighted heat rate and the cooling designs' water use
on that day; without one, the phases' gas-turbine share and the site's factors (and the cooling design's
water use where the cluster names one)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from colossim.catalog import Catalog
from colossim.cluster.inventory import phases_through
from colossim.cluster.ledger import SupplyLedger, supply_ledger
from colossim.cluster.site import gas_turbine_share_after, pue_of, site_of
from colossim.cluster.spec import ClusterSpec, Phase
from colossim.energy.emissions import MethaneLeak
from colossim.energy.supply import SiteSupply


def _cooling_wue(spec: ClusterSpec, catalog: Catalog, phases: Sequence[Phase]) -> float | None:
    designs = {p.cooling or spec.cooling for p in phases}
    if len(designs) == 1 and None not in designs:
        return catalog.cooling[designs.pop()].water_l_per_kwh
    return None


def supply_on(spec: ClusterSpec, catalog: Catalog, at: date, phases: Sequence[Phase] | None = None,
              ledger: SupplyLedger | None = None, methane: MethaneLeak | None = None) -> SiteSupply:
    """The site's supply on day `at` (module docstring)."""
    phases = phases_through(spec, at) if phases is None else phases
    base = SiteSupply.from_site(site_of(spec, catalog), gas_turbine_share_after(spec, phases), pue_of(spec, catalog))
    if methane is not None:
        base = base.with_methane(methane)
    if spec.supply is None:
        wue = _cooling_wue(spec, catalog, phases)
        return base if wue is None else base.with_water(wue)
    book = ledger or supply_ledger(spec, catalog, through=at)
    i = book.index(at)
    heat = float(book.turbine_heat_rate_btu_per_kwh[i])
    share = float(book.turbine_share[i])
    source = (f"supply ledger of '{spec.name}' on {at}: grid first, then batteries, then turbines "
              "(colossim.cluster.ledger)")
    out = base.with_turbines(share, heat if np.isfinite(heat) else None, book.heat_rate_range(i), source)
    return out.with_water(float(book.water_l_per_kwh[i]))


def supply_after(spec: ClusterSpec, catalog: Catalog, phases: Sequence[Phase], at: date | None = None) -> SiteSupply:
    """The site's supply after `phases`, on `at` (default: the last phase's start)."""
    if not phases:
        raise ValueError(f"nothing is installed on {at}: the first phase of '{spec.name}' starts "
                         f"{spec.phases[0].start}")
    return supply_on(spec, catalog, at or phases[-1].start, phases)


def supply_at(spec: ClusterSpec, catalog: Catalog, at: date | None = None) -> SiteSupply:
    """The site's supply on date `at` (None: after the last phase)."""
    phases = phases_through(spec, at)
    return supply_after(spec, catalog, phases, at)
