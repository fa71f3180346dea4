"""Ranges on a cluster's headline figures (cluster.ranges): the mid is the figure `colossim cluster` prints,
the p10-p90 range holds it, and widening PUE's range widens the power and energy ranges."""

from __future__ import annotations

from datetime import date

import pytest

from colossim.catalog import load_catalog
from colossim.cluster import cluster_figures, load_cluster
from colossim.cluster.fabric import fabric_figures
from colossim.cluster.inventory import inventory, phases_through
from colossim.cluster.mix import supply_on
from colossim.cluster.power import cluster_fleet
from colossim.cluster.ranges import FIGURES, cluster_ranges
from colossim.energy.power import default_power_model

AT = date(2025, 9, 1)


@pytest.fixture(scope="module")
def parts():
    catalog = load_catalog()
    spec = load_cluster("colossus")
    pools, phases = inventory(spec, catalog, AT), phases_through(spec, AT)
    fleet = cluster_fleet(spec, catalog, pools, phases, fabric_figures(spec.fabric, catalog, pools))
    site = catalog.sites[spec.site]
    return spec, catalog, fleet, supply_on(spec, catalog, AT, phases), site


def test_mid_is_the_printed_figure_and_the_range_holds_it(parts):
    spec, catalog, *_ = parts
    fig = cluster_figures(spec, catalog, AT)
    for name in FIGURES:
        low, mid, high = getattr(fig, f"{name}_low"), getattr(fig, name), getattr(fig, f"{name}_high")
        assert low < mid < high, name


def test_ranges_mid_equals_the_chain_at_every_mid(parts):
    spec, catalog, fleet, supply, site = parts
    spread = cluster_ranges(fleet, supply, default_power_model(), site.pue_low, site.pue_high, "test")
    fig = cluster_figures(spec, catalog, AT)
    for name in FIGURES:
        assert spread.spreads[name].mid == pytest.approx(getattr(fig, name), rel=1e-12), name


def test_widening_pue_widens_power_and_energy(parts):
    _, _, fleet, supply, site = parts
    power = default_power_model()
    narrow = cluster_ranges(fleet, supply, power, site.pue_low, site.pue_high, "test")
    wide = cluster_ranges(fleet, supply, power, site.pue_low, site.pue_high, "test", widen={"pue": 2.0})
    for name in ("facility_power_mw", "energy_gwh_per_year", "co2_t_per_year"):
        assert wide.spreads[name].relative_width > narrow.spreads[name].relative_width, name
    pue = [b for b in narrow.tornado["facility_power_mw"] if b.input == "pue"][0]
    assert pue.at_low < narrow.spreads["facility_power_mw"].mid < pue.at_high
