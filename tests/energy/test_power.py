"""GPU power vs utilisation and IT power per GPU against published node measurements."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from colossim.energy import PowerModel, default_power_model, gpu_power_w, load_defaults

H100_TDP_W = 700  # NVIDIA H100 SXM5 datasheet (catalog gpus.yaml)


def test_h100_node_peak_matches_latif_2024():
    # Latif et al. (arXiv 2412.08602): 8x H100 HGX node peaked at ~8.4 kW with GPUs near full utilisation.
    assert default_power_model().node_w(H100_TDP_W, 1.0, 8) == pytest.approx(8400, rel=1e-9)


def test_h100_node_in_training_draws_76_percent_of_rating():
    # Latif et al. (arXiv 2506.14551): compute-intensive training runs at 76 % of the 10.2 kW node rating.
    # Tolerance: train_utilisation is stored to 2 decimals, +-0.005 x (1 - idle) x 8 x 700 W.
    pm = default_power_model()
    tol = 0.005 * (1 - pm.gpu_idle_fraction) * 8 * H100_TDP_W
    assert abs(pm.node_w(H100_TDP_W, pm.train_utilisation, 8) - 0.76 * 10_200) <= tol


def test_host_load_fraction_reproduces_the_measured_node():
    # the same Latif et al. node: 2,800 W of its 4,600 W non-GPU rating under load = 350 W per GPU
    pm = default_power_model()
    assert float(pm.host_w_for(10_200 / 8, H100_TDP_W)) == pytest.approx(pm.host_w_per_gpu, abs=0.05)


def test_for_system_sets_host_and_overhead():
    # GB200 NVL72: 132 kW for 72 GPUs of 1,200 W (catalog), host = load fraction x the rest
    pm = default_power_model().for_system(132_000 / 72, 1200.0, 90.0)
    assert pm.host_w_per_gpu == pytest.approx(pm.host_load_fraction * (132_000 / 72 - 1200.0))
    assert pm.overhead_w_per_gpu == 90.0
    assert pm.it_w_per_gpu(1200.0, 1.0) == pytest.approx(1200.0 + pm.host_w_per_gpu + 90.0)


def test_idle_power_is_10_to_15_percent_of_tdp():
    # issue brief / defaults.yaml: idle ~10-15 % of TDP.
    assert 0.10 <= default_power_model().gpu_idle_fraction <= 0.15


def test_100k_h100_fit_the_150_mw_grid_supply():
    # TVA approved 150 MW for Colossus phase 1, 'enabling all 100,000 GPUs to run concurrently'
    # (colossus_facts.md sec. 7); at full utilisation and PUE 1.2 (site default) the model must fit.
    pm = default_power_model()
    facility_mw = 100_000 * pm.it_w_per_gpu(H100_TDP_W, 1.0) * 1.2 / 1e6
    assert facility_mw <= 150


def test_every_default_has_a_unit_and_source():
    d = load_defaults()
    for group in (d.power, d.hardware):
        for name in type(group).model_fields:
            value = getattr(group, name)
            assert value.unit and len(value.source) > 30, name


@given(tdp=st.floats(50, 2000), u=st.floats(0, 1), idle=st.floats(0, 1), du=st.floats(0, 1))
def test_power_is_between_idle_and_tdp_and_rises_with_utilisation(tdp, u, idle, du):
    p = gpu_power_w(tdp, u, idle)
    assert idle * tdp - 1e-9 <= p <= tdp + 1e-9
    assert gpu_power_w(tdp, min(1.0, u + du), idle) >= p - 1e-9


def test_vectorised_and_bad_inputs():
    assert gpu_power_w(700, np.array([0.0, 0.5, 1.0]), 0.1).shape == (3,)
    assert gpu_power_w(700, 0.0, 0.1) == pytest.approx(70)
    for args in ((700, 1.5, 0.1), (700, 0.5, -0.1), (0, 0.5, 0.1)):
        with pytest.raises(ValueError):
            gpu_power_w(*args)
    with pytest.raises(ValueError):
        PowerModel(gpu_idle_fraction=0.1, host_w_per_gpu=-1, overhead_w_per_gpu=0, train_utilisation=0.9)
    with pytest.raises(TypeError):
        default_power_model(colour=1.0)
    assert default_power_model(host_w_per_gpu=0).source_of("host_w_per_gpu") == "user input"
