"""Turbine emission factors against EPA's conversions and published estimates; upstream methane."""

from __future__ import annotations

import pytest

from colossim.energy.emissions import MethaneLeak, emission_data, pollutant_kg, ppm_to_lb_per_mmbtu, turbine_factors
from colossim.energy.supply import SiteSupply, turbine_co2_g_per_kwh

LB = 0.45359237


def test_method_19_turns_ppm_at_15_percent_o2_into_lb_per_mmbtu():
    # EPA Method 19 by hand: C (ppm) x 1e-6 x MW / 385.3 scf/lb-mol x Fd 8,710 dscf/MMBtu x 20.9 / (20.9 - 15)
    by_hand = 25e-6 * 46.01 / 385.3 * 8710 * 20.9 / 5.9
    assert ppm_to_lb_per_mmbtu(25, "nox") == pytest.approx(by_hand)
    # AP-42 Table 3.1-1's lean-premix factor (0.099 lb/MMBtu) is the 25-ppm class of dry low-NOx combustors
    assert by_hand == pytest.approx(0.099, rel=0.08)


def test_controls_cut_nox_and_co_and_cap_formaldehyde_at_the_neshap_limit():
    raw = turbine_factors("dry_low_nox", nox_ppm=15, co_ppm=25)
    controlled = turbine_factors("dry_low_nox", nox_ppm=15, co_ppm=25, controls=["scr", "oxidation_catalyst"])
    assert controlled.nox == pytest.approx(raw.nox * 0.1)  # SCR: 90 % (EPA SCR fact sheet, top of 70-90 %)
    assert controlled.co == pytest.approx(raw.co * 0.1)
    # 40 CFR 63 subpart YYYY: 91 ppbvd formaldehyde at 15 % O2 -> below AP-42's 7.1e-4 lb/MMBtu
    assert controlled.formaldehyde == pytest.approx(0.091e-6 * 30.03 / 385.3 * 8710 * 20.9 / 5.9)
    assert controlled.formaldehyde < raw.formaldehyde == 7.1e-4


def test_selc_estimate_for_35_unpermitted_turbines():
    # SELC: the 35 mobile turbines (~421 MW) could emit >2,000 (US) tons of NOx a year and >16 t of formaldehyde
    # (colossus_record_2026.md sec. 3b, L-M): full load all year at the generic unit's 10,750 Btu/kWh
    fuel = 421_000 * 8760 * 10_750 / 1e6  # kW x h x Btu/kWh -> MMBtu
    f = turbine_factors("dry_low_nox")
    short_ton = emission_data().short_ton_kg.value
    assert pollutant_kg(fuel, f.nox) / short_ton == pytest.approx(2_000, rel=0.10)
    assert pollutant_kg(fuel, f.formaldehyde) / short_ton == pytest.approx(16, rel=0.20)


def test_the_permit_caps_admit_the_15_smt130_at_full_load_only_with_scr():
    # 15 SMT-130, 247 MW, NOx cap 87 US tons per rolling 12 months (Shelby County PSD permit, record sec. 3b)
    fuel = 247_000 * 8760 * 10_750 / 1e6
    tons = lambda lb: lb * fuel * LB / emission_data().short_ton_kg.value  # noqa: E731
    assert tons(turbine_factors("dry_low_nox", 15, 25, ["scr", "oxidation_catalyst"]).nox) < 87
    assert tons(turbine_factors("dry_low_nox", 15, 25).nox) > 87 * 5


def test_turbine_co2_follows_the_heat_rate():
    # colossus_facts.md sec. 14: simple-cycle 10,000-11,500 Btu/kWh x 53.06 kg/MMBtu = 530-610 g/kWh
    assert turbine_co2_g_per_kwh(10_000) == pytest.approx(530.6)
    assert turbine_co2_g_per_kwh(11_500) == pytest.approx(610.2, rel=1e-3)


def test_upstream_methane_adds_a_quarter_at_gwp100():
    leak = MethaneLeak("alvarez2018", "gwp100")
    # 19.0 kg CH4 per MMBtu x 0.023 / 0.977 x 29.8 (IPCC AR6) = 13.3 kg CO2e per MMBtu, +25 % on 53.06
    assert leak.co2e_kg_per_mmbtu == pytest.approx(19.0 * 0.023 / 0.977 * 29.8)
    assert leak.co2e_kg_per_mmbtu / 53.06 == pytest.approx(0.25, abs=0.01)
    assert MethaneLeak("alvarez2018", "gwp20").co2e_kg_per_mmbtu > leak.co2e_kg_per_mmbtu
    assert MethaneLeak().co2e_kg_per_mmbtu == 0


def test_co2e_of_a_supply_mix_adds_methane_only_on_the_gas_share():
    site = SiteSupply("x", 283.0, 2023, 570.0, 0.5, 0.06, 1.2, 1.0).with_turbines(0.5, 10_750)
    with_leak = site.with_methane(MethaneLeak("alvarez2018"))
    extra = 0.5 * 10_750e-6 * with_leak.methane.co2e_kg_per_mmbtu * 1e3  # g per kWh of supply
    assert with_leak.co2e_g_per_kwh == pytest.approx(site.co2_g_per_kwh + extra)
    assert site.co2e_g_per_kwh == site.co2_g_per_kwh
