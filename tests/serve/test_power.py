"""Serving power and cost through colossim.energy and the catalog's system prices."""

import pytest

from colossim.catalog import load_catalog
from colossim.energy.power import default_power_model
from colossim.plan.search import Economics
from colossim.serve.power import serving_cost, system_price_per_gpu


def test_system_price_is_the_catalog_mid_price_per_gpu():
    s = load_catalog().systems["dgx_h100"]
    price, source = system_price_per_gpu("dgx_h100")
    assert price == pytest.approx(0.5 * (s.price.usd_low + s.price.usd_high) / 8)
    assert "dgx_h100" in source


def test_idle_gpus_draw_idle_power_and_cost_counts_every_gpu():
    econ = Economics(pue=1.2, usd_per_kwh=0.1)
    busy = serving_cost(econ, 700.0, "dgx_h100", 0.5, 8, 8, 1000.0)
    half = serving_cost(econ, 700.0, "dgx_h100", 0.5, 4, 8, 1000.0)
    pm = default_power_model()
    idle_w = pm.it_w_per_gpu(700.0, 0.0)
    assert half.facility_mw == pytest.approx((4 * busy.it_w_per_gpu + 4 * idle_w) * 1.2 / 1e6)
    mtok_h = 1000.0 * 3600 / 1e6
    assert busy.cost_usd_per_mtok == pytest.approx((8 * busy.usd_per_gpu_hour + busy.facility_mw * 1e3 * 0.1) / mtok_h)


def test_compute_bound_serving_draws_more_than_decode():
    econ = Economics()
    assert serving_cost(econ, 700.0, "dgx_h100", 1.0, 8, 8, 1.0).it_w_per_gpu > \
        serving_cost(econ, 700.0, "dgx_h100", 0.0, 8, 8, 1.0).it_w_per_gpu
