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


def _phased(minimal):
    minimal["site"] = "memphis"
    minimal["phases"][0]["gas_turbine_share"] = 0.7
    minimal["phases"].append({"name": "p2", "start": "2025-01-01", "gas_turbine_share": 0.3, "source": "test",
                              "add": [{"system": "dgx_h100", "count": 8}]})
    return minimal


def test_supply_at_a_date_takes_that_phase_mix(catalog, minimal):
    # a cluster file without a supply timeline keeps one gas share per phase
    from colossim.cluster import parse_cluster

    spec = parse_cluster(_phased(minimal), "test", catalog)
    supply = supply_at(spec, catalog, date(2025, 3, 1))
    assert supply.gas_share == 0.3
    assert supply.pue == pue_of(spec, catalog)


def test_pue_defaults_to_the_site(catalog, minimal):
    from colossim.cluster import parse_cluster

    spec = parse_cluster(minimal, "test", catalog)
    assert pue_of(spec, catalog) == 1.56  # us_average: Uptime 2024
    minimal["pue"] = 1.3
    assert pue_of(parse_cluster(minimal, "test", catalog), catalog) == 1.3


def test_phase_overrides_apply_from_their_start(catalog, minimal):
    from colossim.cluster import parse_cluster

    spec = parse_cluster(_phased(minimal), "test", catalog)
    assert gas_turbine_share_at(spec, date(2024, 9, 2)) == 0.7
    assert gas_turbine_share_at(spec, date(2025, 3, 1)) == 0.3
    assert gas_turbine_share_at(spec, date(2020, 1, 1)) == spec.gas_turbine_share == 0.0
    colossus = load_cluster("colossus", catalog)
    assert storage_at(colossus, date(2025, 3, 1)) == colossus.phases[1].storage


def test_a_supply_timeline_and_a_gas_share_exclude_each_other(catalog, minimal):
    from colossim.cluster import parse_cluster
    from colossim.inputs import InputError

    data = _phased(minimal)
    data["supply"] = {"grid": [{"start": "2024-01-01", "mw": 10, "source": "test"}]}
    with pytest.raises(InputError, match="either a supply timeline or gas_turbine_share"):
        parse_cluster(data, "test", catalog)
