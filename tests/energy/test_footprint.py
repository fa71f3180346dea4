"""Energy, CO2, water and cost of a run; the supply mix; amortised hardware cost; assumptions table."""

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from colossim.energy import (
    Fleet,
    ItOverhead,
    PowerModel,
    RunTime,
    SiteSupply,
    SystemPool,
    default_hardware_cost,
    hardware_usd_per_gpu_hour,
    training_footprint,
    usd_per_million_tokens,
)
from colossim.reliability import simulate_training

# colossus_facts.md sec. 14 (Memphis): TVA 2023 283 g/kWh; simple-cycle turbines ~530-610 g/kWh;
# TN industrial price 6.23 c/kWh; water ~1 million gal/day at 150 MW -> 1.05 L/kWh.
MEMPHIS = SimpleNamespace(
    id="memphis",
    name="Memphis",
    grid_co2_g_per_kwh=283,
    grid_co2_year=2023,
    gas_turbine_co2_g_per_kwh=550,
    power_price_usd_per_kwh=0.0623,
    pue_default=1.2,
    water_l_per_kwh=1.05,
    source="colossus_facts.md sec. 14",
)
CONSTANT = PowerModel(gpu_idle_fraction=1.0, host_w_per_gpu=0, overhead_w_per_gpu=0, train_utilisation=1.0,
                      host_load_fraction=0.0)
HGX_H100 = SystemPool(1, 700.0, 10_200 / 8, "hgx h100")  # 8 x 700 W GPUs in a 10.2 kW server (DGX H100 guide)


def _h100(gpus: int, overhead_kw: float = 0.0) -> Fleet:
    return Fleet((HGX_H100.scaled(gpus),), ItOverhead(network_kw=overhead_kw))


def _year_at_150_mw(gas_share: float):
    # 150,000 'GPUs' of 1 kW at constant power = 150 MW IT, PUE 1, for 8,760 h
    site = SiteSupply.from_site(MEMPHIS, gas_share=gas_share, pue=1.0)
    fleet = Fleet((SystemPool(150_000, 1000.0, 1000.0),))
    return training_footprint(fleet, RunTime(busy_h=8760), site, power=CONSTANT)


def test_reference_annual_co2_and_bill_at_150_mw():
    # colossus_facts.md sec. 15: 1.314 TWh/yr x 283 g/kWh ~ 0.37 Mt CO2/yr; on turbines at ~550 g/kWh
    # ~ 0.72 Mt/yr; electricity at 6.23 c/kWh ~ USD 82 M/yr (all printed to 2 significant digits).
    grid, gas = _year_at_150_mw(0.0), _year_at_150_mw(1.0)
    assert grid.facility_energy_mwh == pytest.approx(1.314e6)
    assert grid.co2_t / 1e6 == pytest.approx(0.37, abs=0.005)
    assert gas.co2_t / 1e6 == pytest.approx(0.72, abs=0.005)
    assert grid.electricity_cost_usd / 1e6 == pytest.approx(82, abs=0.5)


def test_water_reproduces_one_million_gallons_a_day():
    # the site's WUE was derived from ~1 million gal/day at 150 MW (NPR); 1.05 is rounded to +-0.005.
    day_m3 = _year_at_150_mw(0.0).water_m3 / 365
    assert day_m3 == pytest.approx(3785.41, rel=0.005 / 1.05)


def test_supply_mix_is_energy_weighted():
    site = SiteSupply.from_site(MEMPHIS, gas_share=0.25)
    assert site.co2_g_per_kwh == pytest.approx(0.75 * 283 + 0.25 * 550)
    assert site.pue == 1.2
    with pytest.raises(ValueError):
        SiteSupply.from_site(MEMPHIS, gas_share=1.5)
    with pytest.raises(ValueError):
        SiteSupply.from_site(MEMPHIS, pue=0.9)


def test_hardware_rate_formula():
    # capex / (lifetime x 8760 x utilisation): Epoch's ~USD 35k per GPU all-in over 5 years at 80 %.
    assert hardware_usd_per_gpu_hour(35_000, 5, 0.8) == pytest.approx(35_000 / (5 * 8760 * 0.8))
    assert default_hardware_cost().usd_per_gpu_hour == pytest.approx(35_000 / (5 * 8760 * 0.8))
    with pytest.raises(ValueError):
        hardware_usd_per_gpu_hour(35_000, 5, 0.0)


def test_footprint_adds_up_and_carries_assumptions():
    site = SiteSupply.from_site(MEMPHIS, gas_share=0.1)
    run = RunTime(busy_h=1000, idle_h=50)
    f = training_footprint(_h100(16_384, 1_200.0), run, site, tokens=15e12, spare_gpus=64)
    assert f.total_cost_usd == pytest.approx(f.electricity_cost_usd + f.hardware_cost_usd)
    assert f.facility_energy_mwh == pytest.approx(f.it_energy_mwh * 1.2)
    assert f.co2_t == pytest.approx(f.facility_energy_mwh * 1e3 * site.co2_g_per_kwh / 1e6)
    assert f.gpu_hours == (16_384 + 64) * 1050
    assert f.cost_per_million_tokens_usd == pytest.approx(usd_per_million_tokens(f.total_cost_usd, 15e12))
    rows = {a.name: a for a in f.assumptions}
    for needed in (
        "pue",
        "grid_co2",
        "supply_co2",
        "train_utilisation",
        "power_model",
        "gpu_idle_fraction",
        "power_price",
        "water",
        "capex",
        "lifetime",
        "hardware_rate",
        "it_overhead",
    ):
        assert needed in rows
    assert "2023" in rows["grid_co2"].unit
    for a in f.to_dict()["assumptions"]:
        assert set(a) == {"name", "value", "unit", "source"} and a["source"]


def test_idle_hours_cost_less_energy_than_busy_hours():
    site = SiteSupply.from_site(MEMPHIS)
    busy = training_footprint(_h100(1000), RunTime(busy_h=100), site)
    idle = training_footprint(_h100(1000), RunTime(busy_h=0, idle_h=100), site)
    assert idle.it_energy_mwh < busy.it_energy_mwh
    assert idle.hardware_cost_usd == busy.hardware_cost_usd  # the GPUs are held either way


@given(busy=st.floats(0, 1e4), idle=st.floats(0, 1e4), extra=st.floats(0, 1e4))
def test_more_hours_never_cost_less(busy, idle, extra):
    site = SiteSupply.from_site(MEMPHIS)
    base = training_footprint(_h100(512, 40.0), RunTime(busy, idle), site)
    more = training_footprint(_h100(512, 40.0), RunTime(busy + extra, idle + extra), site)
    assert more.facility_energy_mwh >= base.facility_energy_mwh
    assert more.co2_t >= base.co2_t and more.total_cost_usd >= base.total_cost_usd


def test_runtime_from_monte_carlo_means():
    res = simulate_training(100.0, 64, 0.5, 600.0, 10.0, 120.0, runs=200, seed=1)
    run = RunTime.from_montecarlo(res)
    assert run.wall_h == pytest.approx(res.wall_h.mean())
    assert run.busy_h == pytest.approx(100.0 + res.rework_h.mean())


def test_catalog_site_works_when_present():
    from colossim.catalog import load_catalog

    sites = load_catalog().sites
    if "memphis" not in sites:
        pytest.skip("catalog has no 'memphis' site yet (sites.yaml is filled by the catalog work)")
    site = SiteSupply.from_site(sites["memphis"], gas_share=0.2)
    assert site.grid_co2_year == sites["memphis"].grid_co2_year and site.pue == sites["memphis"].pue_default


def test_bad_inputs():
    site = SiteSupply.from_site(MEMPHIS)
    with pytest.raises(ValueError):
        training_footprint(Fleet(()), RunTime(1.0), site)
    with pytest.raises(ValueError):
        RunTime(busy_h=-1)
    with pytest.raises(ValueError):
        usd_per_million_tokens(1.0, 0)


def test_busy_power_is_the_fleet_at_training_utilisation():
    # a job's draw while computing: 1,000 H100 at the training utilisation + its overhead, x PUE
    site = SiteSupply.from_site(MEMPHIS)
    f = training_footprint(_h100(1000, 150.0), RunTime(busy_h=10), site)
    node_w = 8 * 700 * (0.12 + 0.88 * 0.87) + 8 * 350  # defaults.yaml: idle 0.12, u 0.87, host 350 W per GPU
    assert f.busy_facility_power_mw == pytest.approx((1000 / 8 * node_w / 1e6 + 0.150) * 1.2, rel=1e-3)
    assert f.avg_facility_power_mw == pytest.approx(f.busy_facility_power_mw, rel=1e-9)  # never idle


def test_co2_range_brackets_the_mix():
    site = SiteSupply.from_site(SimpleNamespace(**{**vars(MEMPHIS), "gas_turbine_co2_low_g_per_kwh": 530,
                                                   "gas_turbine_co2_high_g_per_kwh": 610}), gas_share=0.5)
    f = training_footprint(_h100(64), RunTime(busy_h=100), site)
    kwh = f.facility_energy_mwh * 1e3
    assert f.co2_t_low == pytest.approx(kwh * (0.5 * 283 + 0.5 * 530) / 1e6)
    assert f.co2_t_high == pytest.approx(kwh * (0.5 * 283 + 0.5 * 610) / 1e6)
    assert f.co2_t_low < f.co2_t < f.co2_t_high
