"""What a budget buys, added to a scenario, against the same money on Hopper servers."""

import pytest

from colossim.cluster import buy, cluster_figures, load_cluster


@pytest.fixture(scope="module")
def result(catalog):
    return buy(load_cluster("colossus", catalog), catalog, 5e9, "gb200_nvl72")


def test_units_fit_the_budget(result, catalog):
    o = result.option
    price = catalog.systems["gb200_nvl72"].price
    assert o.units * (price.usd_mid + o.network_usd_per_unit) <= 5e9
    assert (o.units + 1) * (price.usd_mid + o.network_usd_per_unit) > 5e9
    assert o.units_low <= o.units <= o.units_high
    assert o.gpus == 72 * o.units and o.racks == o.units
    assert o.network_usd_per_unit > 0


def test_added_compute_and_power(result, catalog):
    o = result.option
    gpu = catalog.gpus["gb200_nvl72_gpu"]
    # 2.5 PFLOP/s dense BF16 per GB200 GPU (NVIDIA spec, sparse halved)
    assert o.added_peak_bf16_eflops == pytest.approx(o.gpus * gpu.dense_tflops.bf16 / 1e6)
    # the racks' nameplate at PUE 1.2 is a lower bound of the added nameplate facility power
    assert o.added_facility_power_max_mw >= o.units * 132 / 1000 * 1.2
    assert result.after_gpus == result.baseline_gpus + o.gpus
    assert result.after_peak_bf16_eflops == pytest.approx(
        result.baseline_peak_bf16_eflops + o.added_peak_bf16_eflops
    )


def test_baseline_is_the_scenario(result, catalog):
    base = cluster_figures(load_cluster("colossus", catalog), catalog)
    assert result.baseline_gpus == base.gpus
    assert result.baseline_facility_power_mw == pytest.approx(base.facility_power_mw)


def test_blackwell_gives_more_compute_per_dollar_and_per_mw_than_hopper(result):
    hopper = {o.system: o for o in result.comparisons}
    assert set(hopper) == {"supermicro_hgx_h100_lc", "supermicro_hgx_h200_lc"}
    for other in hopper.values():
        assert result.option.added_peak_bf16_eflops > other.added_peak_bf16_eflops
        assert result.option.bf16_pflops_per_mw > other.bf16_pflops_per_mw
        assert other.added_peak_fp4_eflops == 0


def test_bad_budget_and_unknown_system(catalog):
    spec = load_cluster("colossus", catalog)
    with pytest.raises(ValueError, match="positive"):
        buy(spec, catalog, -1.0, "gb200_nvl72")
    with pytest.raises(KeyError, match="unknown system"):
        buy(spec, catalog, 1e9, "gb900")
