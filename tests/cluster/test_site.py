"""Supply mix, PUE and per-phase overrides."""

from datetime import date

import pytest

from colossim.cluster import gas_turbine_share_at, load_cluster, pue_of, storage_at, supply_at
from colossim.energy import SiteSupply


def test_supply_mix_weights_grid_and_turbines(catalog):
    memphis = catalog.sites["memphis"]
    assert SiteSupply.from_site(memphis, 0.0).co2_g_per_kwh == 283  # TVA 2023
    assert SiteSupply.from_site(memphis, 1.0).co2_g_per_kwh == 570  # simple-cycle turbines, estimate
    assert SiteSupply.from_site(memphis, 0.25).co2_g_per_kwh == pytest.approx(0.75 * 283 + 0.25 * 570)
    # the 530-610 g/kWh turbine range (colossus_facts.md sec. 14) bounds the mix
    assert SiteSupply.from_site(memphis, 1.0).co2_range_g_per_kwh == (530, 610)


def test_supply_at_a_date_takes_that_phase_mix(catalog):
    spec = load_cluster("colossus", catalog)
    supply = supply_at(spec, catalog, date(2025, 3, 1))
    assert supply.gas_share == spec.phases[1].gas_turbine_share
    assert supply.pue == pue_of(spec, catalog)


def test_pue_defaults_to_the_site(catalog, minimal):
    from colossim.cluster import parse_cluster

    spec = parse_cluster(minimal, "test", catalog)
    assert pue_of(spec, catalog) == 1.56  # us_average: Uptime 2024
    minimal["pue"] = 1.3
    assert pue_of(parse_cluster(minimal, "test", catalog), catalog) == 1.3


def test_phase_overrides_apply_from_their_start(catalog):
    spec = load_cluster("colossus", catalog)
    assert gas_turbine_share_at(spec, date(2024, 9, 2)) == spec.phases[0].gas_turbine_share
    assert gas_turbine_share_at(spec, date(2025, 3, 1)) == spec.phases[1].gas_turbine_share
    assert storage_at(spec, date(2025, 3, 1)) == spec.phases[1].storage
    assert gas_turbine_share_at(spec, date(2020, 1, 1)) == spec.gas_turbine_share == 0.0
