"""Headline figures of the Colossus scenarios against published numbers, and the arithmetic that
ties energy, CO2, water and cost to power."""

from __future__ import annotations

from datetime import date

import pytest

from colossim.cluster import cluster_fabric, cluster_figures, growth, load_cluster, parse_cluster, supply_at

PHASE1 = date(2024, 9, 2)
PHASE2 = date(2025, 2, 17)


@pytest.fixture(scope="module")
def colossus(catalog):
    return load_cluster("colossus", catalog)


def test_phase1_peak_dense_bf16_is_99_eflops(colossus, catalog):
    # colossus_facts.md sec. 15: 100k H100 x 989.4 TFLOP/s dense BF16 = 98.9 EFLOP/s
    fig = cluster_figures(colossus, catalog, PHASE1)
    assert fig.gpus == 100_000
    assert 98.5 <= fig.peak_bf16_eflops <= 99.5
    assert fig.peak_fp8_eflops == pytest.approx(2 * fig.peak_bf16_eflops, rel=0.01)
    assert fig.peak_fp4_eflops == 0 and fig.fp4_gpus == 0  # Hopper has no FP4 tensor mode


def test_phase2_and_phase3_peak(colossus, catalog):
    # colossus_facts.md sec. 15: 150k H100 + 50k H200 = 197.9 EFLOP/s (Epoch: ~2e20 FLOP/s);
    # +30k GB200 adds ~75 EFLOP/s
    assert 197 <= cluster_figures(colossus, catalog, PHASE2).peak_bf16_eflops <= 199
    final = cluster_figures(colossus, catalog)
    assert 197 + 74 <= final.peak_bf16_eflops <= 199 + 76


def test_phase1_facility_power_is_150_to_180_mw(colossus, catalog):
    # Nameplate: TVA approved 150 MW "enabling all 100,000 GPUs to run concurrently" and "experts
    # estimate 155 MW" (Tom's Hardware, Nov 2024); colossus_facts.md sec. 15 derives 150-180 MW.
    fig = cluster_figures(colossus, catalog, PHASE1)
    assert 150 <= fig.facility_power_max_mw <= 180
    # the sustained training draw stays below that nameplate
    assert fig.facility_power_mw < fig.facility_power_max_mw


def test_200k_hopper_draws_280_to_300_mw(colossus, catalog):
    # Epoch AI: Colossus ~280 MW (Jun 2025) / ~300 MW (Mar 2025); SemiAnalysis ~300 MW (Sep 2025). Epoch's
    # estimate is chip TDP x chips x system overhead x PUE (epoch.ai/data-insights/ai-supercomputers-power-trend):
    # every GPU at its TDP, our training peak.
    fig = cluster_figures(colossus, catalog, PHASE2)
    assert fig.gpus == 200_000
    assert 280 <= fig.facility_power_peak_mw <= 300


def test_sustained_power_is_the_measured_mean_of_training(colossus, catalog):
    # Newkirk et al. (arXiv 2506.14551): an HGX H100 trains at 76 % of its 10.2 kW rating; Latif et al. (arXiv
    # 2412.08602): 8.4 kW at full GPU load. On phase 1 (12,500 servers of 10.2 kW and 10.5 kW) the GPU systems
    # draw 76 % (+-0.5 %) of the 10.2 kW servers' rating and the peak 8.4/10.2 of it, the 10.5 kW ones a little more.
    fig = cluster_figures(colossus, catalog, PHASE1)
    per_server_kw = fig.gpu_systems_power_mw * 1e3 / 12_500
    assert 0.755 * 10.2 <= per_server_kw <= 0.765 * 10.5
    peak_kw = (fig.it_power_peak_mw - fig.network_power_mw - fig.storage_power_mw - fig.cpu_other_power_mw) * 1e3
    assert 8.4 <= peak_kw / 12_500 <= 8.4 + 0.61 * 0.3  # host share of the 0.3 kW extra rating of the Dell servers
    assert fig.facility_power_mw < fig.facility_power_peak_mw < fig.facility_power_max_mw


def test_phase1_network_matches_the_fact_sheet_sketch(colossus, catalog):
    # colossus_facts.md sec. 15: non-blocking 3 tiers of 128-radix SN5600: ~1,600 leaf + 1,600 spine +
    # ~800 core; network ~5% of site power
    fig = cluster_figures(colossus, catalog, PHASE1)
    leaf, spine, core = fig.fabric.switches_per_tier
    assert fig.fabric.tiers == 3
    assert 1_500 <= leaf <= 1_650 and 1_500 <= spine <= 1_650 and 750 <= core <= 850
    assert 0.04 <= fig.network_power_mw / fig.facility_power_max_mw <= 0.07
    # 400 GbE per GPU (one BlueField-3 each), non-blocking
    assert fig.fabric.gbps_per_gpu == 400 and fig.fabric.effective_gbps_per_gpu == 400


def test_phase1_racks_and_water(colossus, catalog):
    fig = cluster_figures(colossus, catalog, PHASE1)
    # ServeTheHome: 64 GPUs per rack, ">1,500 racks" for ~100k GPUs
    assert 1_500 <= fig.racks_gpu <= 1_600
    # NPR via sherwood.news: ~1 million gallons a day at the start (medium confidence, +-30%)
    assert 0.7 <= fig.water_million_gal_per_year / 365 <= 1.3


def test_colossus2_claimed_and_observed_power(catalog):
    # colossus_record_2026.md sec. 2b / 9: online 17 Jan 2026. Claimed: the "first batch of 550k GB200s & GB300s",
    # "first Gigawatt" (Musk); 550k x (120-142 kW / 72) = 0.92-1.08 GW of racks [d]. Observed: ~350 MW of cooling
    # (Epoch satellite imagery, H), 350 MW / 120-140 kW = 2,500-2,900 racks ~ 180-210k GB200-class GPUs [d].
    online = date(2026, 1, 17)
    claimed = cluster_figures(load_cluster("colossus-2", catalog), catalog, online)
    assert claimed.gpus == pytest.approx(550_000, rel=0.01)
    assert 917 <= claimed.gpu_systems_power_max_mw <= 1_085
    assert claimed.fabric.tiers == 4  # beyond what three tiers of 128-radix switches hold at 2:1
    observed = cluster_figures(load_cluster("colossus-2-observed", catalog), catalog, online)
    assert 180_000 <= observed.gpus <= 210_000
    assert observed.gpu_systems_power_max_mw == pytest.approx(350, rel=0.02)
    # 110k GB200 (xAI, Jul 2025) = 1,528 racks [d], ~200 MW, matching the 200 MW of cooling of Aug 2025
    gb200 = observed.systems_by_id["gb200_nvl72"]
    assert gb200 == 1_528 and 185 <= gb200 * catalog.systems["gb200_nvl72"].power_max_kw / 1e3 <= 215
    # Musk's 1.5 GW in April (claimed) against Epoch's 1 GW around May (projection)
    assert cluster_figures(load_cluster("colossus-2", catalog), catalog, date(2026, 4, 15)
                           ).gpu_systems_power_max_mw == pytest.approx(1_500, rel=0.01)
    assert cluster_figures(load_cluster("colossus-2-observed", catalog), catalog, date(2026, 5, 20)
                           ).gpu_systems_power_max_mw == pytest.approx(1_000, rel=0.01)
    with pytest.raises(ValueError, match="first phase"):  # not online in Jul 2025 any more
        cluster_figures(load_cluster("colossus-2", catalog), catalog, date(2025, 7, 1))


def test_energy_co2_water_and_cost_follow_power(colossus, catalog):
    fig = cluster_figures(colossus, catalog, PHASE2)
    energy_kwh = fig.facility_power_mw * 1000 * 8760
    assert fig.energy_gwh_per_year == pytest.approx(energy_kwh / 1e6)
    share = fig.gas_turbine_share  # the supply ledger's on that day (tests/cluster/test_ledger.py)
    turbine_g = 10_750 * 53.06e-3  # generic mobile units: 10,750 Btu/kWh (HHV) x 53.06 kg CO2/MMBtu (40 CFR 98)
    # 1 GWh at g gCO2/kWh = g tonnes
    assert fig.co2_t_per_year == pytest.approx(fig.energy_gwh_per_year * ((1 - share) * 283 + share * turbine_g))
    assert fig.co2_t_per_year_low < fig.co2_t_per_year < fig.co2_t_per_year_high
    assert fig.co2e_t_per_year == pytest.approx(fig.co2_t_per_year)  # no upstream methane unless asked
    assert fig.electricity_cost_usd_per_year == pytest.approx(energy_kwh * 0.0623)
    wue = supply_at(colossus, catalog, PHASE2).water_l_per_kwh
    assert fig.water_m3_per_year == pytest.approx(fig.it_power_mw * 1000 * 8760 * wue / 1000)
    assert fig.facility_power_mw == pytest.approx(fig.it_power_mw * 1.2)  # Memphis default PUE


def test_co2_at_150_mw_on_the_grid_is_037_mt(catalog, minimal):
    # colossus_facts.md sec. 15: 150 MW all year = 1.314 TWh; x 283 g/kWh (TVA 2023) = 0.37 Mt CO2
    minimal["site"] = "memphis"
    minimal["gas_turbine_share"] = 0.0
    spec = parse_cluster(minimal, "test", catalog)
    fig = cluster_figures(spec, catalog)
    per_mw = fig.co2_t_per_year / fig.facility_power_mw
    assert per_mw * 150 == pytest.approx(0.37e6, rel=0.01)


def test_power_split_adds_up(colossus, catalog):
    fig = cluster_figures(colossus, catalog)
    parts = (
        fig.gpu_systems_power_max_mw + fig.network_power_mw + fig.storage_power_mw + fig.cpu_other_power_mw
    )
    assert fig.it_power_max_mw == pytest.approx(parts)
    assert fig.network_power_mw == pytest.approx(fig.switch_power_mw + fig.switch_optics_power_mw)
    assert fig.capex_usd_low == pytest.approx(fig.capex_servers_usd_low + fig.capex_network_usd_low)
    assert fig.capex_usd_low < fig.capex_usd_high


def test_growth_rows_follow_the_phases(colossus, catalog):
    rows = growth(colossus, catalog)
    # the last row is the May 2026 lease (colossus_record_2026.md sec. 1a): no hardware added, same power
    assert [r.gpus for r in rows] == [100_000, 200_000, 230_024, 230_024]
    assert [r.gpus_added for r in rows] == [100_000, 100_000, 30_024, 0]
    assert all(a.facility_power_mw < b.facility_power_mw for a, b in zip(rows[:3], rows[1:3], strict=False))
    assert rows[3].facility_power_mw == rows[2].facility_power_mw


def test_before_the_first_phase_is_an_error(colossus, catalog):
    with pytest.raises(ValueError, match="first phase"):
        cluster_figures(colossus, catalog, date(2024, 1, 1))


def test_oversubscribed_rail_fabric_halves_cross_pod_bandwidth(catalog, minimal):
    minimal["phases"][0]["add"][0]["count"] = 2_000  # 16,000 GPUs
    minimal["fabric"] = {
        "switch": "spectrum4_sn5600",
        "kind": "rail_optimized",
        "gpus_per_pod": 4_096,
        "oversubscription": 2.0,
    }
    spec = parse_cluster(minimal, "test", catalog)
    fab = cluster_fabric(spec, catalog)
    assert fab.backend.tiers == 3
    assert fab.effective_gbps_per_gpu(4_096) == 400
    assert fab.effective_gbps_per_gpu(8_192) == 200
    assert fab.effective_gbps_per_gpu() == 200


def test_800g_nics_use_two_400g_ports(catalog, minimal):
    minimal["phases"][0]["add"] = [{"system": "gb300_nvl72", "count": 10}]
    fab = cluster_fabric(parse_cluster(minimal, "test", catalog), catalog)
    assert fab.gbps_per_gpu == 800 and fab.backend.endpoints == 2 * 720


@pytest.mark.parametrize("at", [PHASE1, PHASE2, date(2025, 7, 1)])
def test_network_share_of_colossus_capex_is_in_the_public_range(colossus, catalog, at):
    # colossus_record_2026.md sec. 8: networking ~13 % of capex (Bernstein, M); switches + cables 17 % of node
    # cost = 14.5 % of node + network in the public 131k-H100 cost model (L-M): 13-17 %
    fig = cluster_figures(colossus, catalog, at)
    network = fig.capex_network_usd_low + fig.capex_network_usd_high
    assert 0.13 <= network / (fig.capex_usd_low + fig.capex_usd_high) <= 0.175


def test_colossus_1_hardware_at_200k_gpus_against_the_estimates(colossus, catalog):
    # sec. 8: ~USD 7B (Epoch, M) to USD 9.4-10.4B at USD 47-52k per H100 all-in (L-M)
    fig = cluster_figures(colossus, catalog, PHASE2)
    assert 7e9 <= (fig.capex_usd_low + fig.capex_usd_high) / 2 <= 10.4e9
