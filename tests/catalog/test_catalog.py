"""Every catalog entry loads, carries a source, has positive power and prices, and references
entries that exist; bad extra catalog files fail with the file, the field and what to change."""

import pytest

from colossim.catalog import build_catalog, load_catalog, load_catalog_with
from colossim.catalog.load import _shipped_texts
from colossim.inputs import InputError


def _all_entries(cat):
    for section in (cat.gpus, cat.systems, cat.nics, cat.switches, cat.optics, cat.sites, cat.turbines,
                    cat.batteries, cat.cooling):
        yield from section


def test_every_entry_has_a_source_and_known_estimated_fields():
    for entry in _all_entries(load_catalog()):
        assert len(entry.source) > 10, entry.id
        fields = set(type(entry).model_fields)
        for name in entry.estimated_fields:
            assert name.split(".")[0] in fields, f"{entry.id}: estimated field {name} does not exist"


def test_systems_reference_existing_gpus_and_nics():
    cat = load_catalog()
    for system in cat.systems:
        assert system.gpu in cat.gpus, system.id
        assert system.nic in cat.nics and system.frontend_nic in cat.nics, system.id


def test_system_power_covers_its_gpus_and_prices_are_positive():
    cat = load_catalog()
    for system in cat.systems:
        gpu = cat.gpus[system.gpu]
        # a unit's nameplate must at least feed its GPUs at TDP (host, NICs, fans come on top)
        assert system.power_max_kw > system.gpus * gpu.tdp_w / 1000, system.id
        assert system.price is not None and system.price.usd_low > 0, system.id
        # a system never costs less than its GPUs at their lowest price estimate
        if gpu.price_per_gpu is not None:
            assert system.price.usd_high >= system.gpus * gpu.price_per_gpu.usd_low, system.id


def test_network_parts_have_positive_power_and_prices():
    cat = load_catalog()
    for nic in cat.nics:
        assert nic.power_w > 0 and nic.speed_gb_s > 0
    for switch in cat.switches:
        assert switch.power_w > 0 and switch.hop_latency_us > 0
        assert switch.price is not None and switch.price.usd_low > 0
        # no switch in the catalog exceeds 115.2 Tb/s (Quantum-X800) of port capacity
        assert switch.radix * switch.port_speed_gbps <= 115_200
    for optic in cat.optics:
        assert optic.power_w > 0 and optic.price is not None


def test_colossus_hardware_facts():
    cat = load_catalog()
    server = cat.systems["supermicro_hgx_h100_lc"]
    # ServeTheHome Colossus tour: 8 servers x 8 GPUs = 64 GPUs per rack, one 400G BlueField-3 per GPU
    # plus one 400G front-end NIC per server (9 x 400GbE = 3.6 Tb/s)
    assert server.systems_per_rack * server.gpus == 64
    nic = cat.nics[server.nic]
    assert nic.speed_gb_s == 400 and server.nics_per_gpu == 1 and server.extra_nics == 1
    assert (server.gpus * server.nics_per_gpu + server.extra_nics) * nic.speed_gb_s == 3600
    # colossus_facts.md sec. 5: SN5600 = 51.2 Tb/s, 128 x 400G
    sn5600 = cat.switches["spectrum4_sn5600"]
    assert sn5600.radix == 128 and sn5600.radix * sn5600.port_speed_gbps == 51_200
    # hardware_catalog.yaml: QM9700 64 x 400G, Q3400 144 x 800G
    assert cat.switches["quantum2_qm9700"].radix == 64
    assert cat.switches["quantum_x800_q3400"].radix == 144


def test_nvl72_racks_hold_72_gpus_at_120_to_142_kw():
    cat = load_catalog()
    for system_id in ("gb200_nvl72", "dell_xe9712_gb200", "gb300_nvl72", "dell_xe9712_gb300"):
        rack = cat.systems[system_id]
        # colossus_facts.md sec. 16.5: 120 kW (NVIDIA) to 140 kW (TrendForce), GB300 up to 142 kW (NVIDIA RA)
        assert rack.kind == "rack" and rack.gpus == 72 and 120 <= rack.power_max_kw <= 142


def test_optics_power_per_port():
    cat = load_catalog()
    # NVIDIA MMS4X00-NS: 17 W for a twin-port (2 x 400G) module -> 8.5 W per 400G switch port
    assert cat.optics["osfp_800g_twinport_2x400"].power_w_per_port == pytest.approx(8.5)
    # NIC-side 400G module 8-9 W (NVIDIA MMA4Z00-NS400 doc)
    assert 8 <= cat.optics["osfp_400g_single"].power_w <= 9


def test_memphis_site_facts():
    site = load_catalog().sites["memphis"]
    assert site.grid_co2_g_per_kwh == 283  # TVA 2023: 624.94 lb/MWh
    assert site.power_price_usd_per_kwh == pytest.approx(0.0623)  # EIA 2023 TN industrial
    # colossus_facts sec. 14 assumption: default 1.2, range 1.1-1.4
    assert (site.pue_low, site.pue_default, site.pue_high) == (1.1, 1.2, 1.4)
    # simple-cycle turbines 530-610 g/kWh (colossus_facts sec. 14 estimate)
    assert site.gas_turbine_co2_low_g_per_kwh == 530 and site.gas_turbine_co2_high_g_per_kwh == 610
    # ~1 M gal/day at ~150 MW: 3.785e6 L / 3.6e6 kWh = 1.05 L/kWh
    assert site.water_l_per_kwh == pytest.approx(3.785e6 / 3.6e6, rel=0.01)
    assert site.estimate is False and "water_l_per_kwh" in site.estimated_fields


def test_us_average_site_uses_industry_pue():
    site = load_catalog().sites["us_average"]
    assert site.pue_default == 1.56  # Uptime Institute 2024 survey


def test_system_aliases_resolve():
    cat = load_catalog()
    assert cat.systems["gb200_nvl72_rack"].id == "gb200_nvl72"
    assert cat.systems["hgx_b300"].id == "dgx_b300"


def test_unknown_gpu_in_extra_file_names_file_field_and_choices(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "systems:\n  - id: my_server\n    name: x\n    vendor: x\n    kind: server\n    gpu: h900\n"
        "    gpus: 8\n    systems_per_rack: 4\n    power_max_kw: 10\n    cooling: air\n    nic: connectx7\n"
        "    source: my notes\n"
    )
    with pytest.raises(InputError) as err:
        load_catalog_with(extra)
    text = err.value.render()
    assert "extra.yaml" in text and "systems.my_server.gpu" in text and "h100_sxm5" in text


def test_negative_power_and_missing_source_are_rejected():
    texts = dict(_shipped_texts())
    texts["bad.yaml"] = (
        "switches:\n  - id: sw\n    name: x\n    protocol: ethernet\n    radix: 64\n"
        "    port_speed_gbps: 400\n    power_w: -5\n    hop_latency_us: 0.5\n"
    )
    with pytest.raises(InputError) as err:
        build_catalog(texts)
    text = err.value.render()
    assert "bad.yaml" in text and "switches.0.power_w" in text and "switches.0.source" in text


def test_duplicate_system_id_is_rejected():
    texts = dict(_shipped_texts())
    texts["dup.yaml"] = texts["colossim/catalog/data/systems.yaml"]
    with pytest.raises(InputError, match="duplicate system id"):
        build_catalog(texts)


def test_switch_and_nic_optics_match_their_line_rates():
    cat = load_catalog()
    for switch in cat.switches:
        assert switch.optic is not None and cat.optics[switch.optic].port_gbps == switch.port_speed_gbps, (
            switch.id
        )
    for nic in cat.nics:
        assert nic.optic is not None and cat.optics[nic.optic].port_gbps >= nic.speed_gb_s, nic.id


def test_turbine_models_match_the_permits_and_imaging():
    # colossus_record_2026.md sec. 3b [d]: 15 SMT-130 for 247 MW = 16.5 MW each; 35 mobile units ~421 MW = 12 MW;
    # the Southaven permit: 17 PGM-130 + 16 Titan 350 + 8 PE6000, ~1,200 MW combined continuous
    t = load_catalog().turbines
    assert 15 * t["solar_smt130"].unit_mw == pytest.approx(247, rel=0.01)
    assert 35 * t["generic_mobile"].unit_mw == pytest.approx(421, rel=0.01)
    plant = 17 * t["solar_pgm130"].unit_mw + 16 * t["solar_titan350"].unit_mw + 8 * t["proenergy_pe6000"].unit_mw
    assert plant == pytest.approx(1_200, rel=0.07)
    for turbine in t:
        low, high = turbine.heat_rate_range_btu_per_kwh
        # simple-cycle gas turbines: ~8,500-11,500 Btu/kWh (HHV; colossus_facts.md sec. 14 for mobile units)
        assert 8_500 <= low <= turbine.heat_rate_btu_per_kwh <= high <= 11_500, turbine.id


def test_megapacks_and_cooling_designs():
    cat = load_catalog()
    pack = cat.batteries["tesla_megapack2xl"]
    # sec. 3c: ~156 units gave 150 MW; >208 units of 3.9 MWh = >= 811 MWh [d]
    assert 156 * pack.unit_mw == pytest.approx(150, rel=0.01) and 208 * pack.unit_mwh == pytest.approx(811, rel=0.01)
    air = cat.cooling["air_cooled_chillers"]
    assert air.water_l_per_kwh == 0 and not air.evaporative
    # Google 2023: 6.1e9 US gal for 24 TWh, x PUE 1.10 per IT kWh (the evaporative design's source)
    assert cat.cooling["evaporative_towers"].water_l_per_kwh == pytest.approx(6.1e9 * 3.785 / 24e9 * 1.10, rel=0.01)


def test_gb200_racks_are_priced_in_the_records_range():
    # colossus_record_2026.md sec. 5b: USD 2-3M, ~3M, 3.1M (L/L-M); Bernstein USD 3.4M of compute (M)
    for system_id in ("gb200_nvl72", "dell_xe9712_gb200"):
        price = load_catalog().systems[system_id].price
        assert 2.0e6 <= price.usd_low and price.usd_high <= 3.4e6
