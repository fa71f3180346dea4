"""The campus: Colossus 1, Colossus 2 and MACROHARDRR added up by date, claimed against observed
(colossus_record_2026.md sec. 9)."""

from __future__ import annotations

from datetime import date

import pytest

from colossim.cluster import cluster_figures, load_cluster
from colossim.cluster.campus import campus_figures, list_campuses, load_campus
from colossim.inputs import InputError


def test_the_claimed_campus_is_about_2_gw_and_the_observed_about_650_mw(catalog):
    # Musk, 30 Dec 2025: MACROHARDRR takes the campus to "~2 GW" (H for the claim); observed: C1 ~300 MW +
    # C2 ~350 MW = ~650 MW in Jan 2026 [d] (racks' nameplate, as the record's arithmetic)
    claimed = campus_figures(load_campus("colossus-campus"), catalog, date(2026, 2, 15))
    observed = campus_figures(load_campus("colossus-campus-observed"), catalog, date(2026, 1, 17))
    assert claimed.gpu_systems_power_max_mw == pytest.approx(2_000, rel=0.05)
    assert observed.gpu_systems_power_max_mw == pytest.approx(650, rel=0.05)
    assert claimed.gpus > 2.5 * observed.gpus


def test_campus_totals_are_the_sum_of_its_sites(catalog):
    at = date(2026, 3, 1)
    campus = campus_figures(load_campus("colossus-campus"), catalog, at)
    sites = [cluster_figures(load_cluster(m, catalog), catalog, at) for m in load_campus("colossus-campus").members]
    assert campus.gpus == sum(f.gpus for f in sites)
    assert campus.facility_power_mw == pytest.approx(sum(f.facility_power_mw for f in sites))
    assert campus.turbine_mw == pytest.approx(sum(f.supply.turbine_mw for f in sites))
    assert campus.nox_t_per_year == pytest.approx(sum(f.supply.per_year.nox_t for f in sites))


def test_a_member_not_yet_built_counts_nothing(catalog):
    campus = campus_figures(load_campus("colossus-campus"), catalog, date(2025, 9, 1))
    assert [m.in_service for m in campus.members] == [True, False, False]
    assert campus.gpus == 230_024


def test_campuses_are_listed_and_unknown_ones_refused():
    assert set(list_campuses()) == {"colossus-campus", "colossus-campus-observed"}
    with pytest.raises(InputError, match="no built-in campus"):
        load_campus("nowhere")
