"""The fleet power chain: GPU systems by utilisation, IT overhead, PUE; energy from busy and idle GPU-hours."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from colossim.energy import (
    Fleet,
    ItOverhead,
    SystemPool,
    default_power_model,
    fleet_energy,
    fleet_power,
    job_energy,
    system_w_per_gpu,
)

H100 = SystemPool(8, 700.0, 10_200 / 8, "hgx h100")  # one 10.2 kW HGX H100 server (DGX H100 user guide)
GB200 = SystemPool(72, 1200.0, 132_000 / 72, "gb200 nvl72")  # one 132 kW NVL72 rack (catalog)


def test_one_hgx_h100_at_tdp_draws_the_measured_8_4_kw():
    # Latif et al. (arXiv 2412.08602): peak 8.4 kW with GPUs near full utilisation
    assert fleet_power(Fleet((H100,)), 1.0).it_kw == pytest.approx(8.4, rel=1e-3)


def test_one_hgx_h100_in_training_draws_76_percent_of_its_rating():
    # Newkirk et al. (arXiv 2506.14551): compute-intensive training at 76 % of the 10.2 kW rating;
    # train_utilisation is stored to 2 decimals: +-0.005 x 0.88 x 8 x 700 W
    assert abs(fleet_power(Fleet((H100,))).it_kw * 1e3 - 0.76 * 10_200) <= 0.005 * 0.88 * 5600


def test_host_share_scales_with_the_system_rating():
    pm = default_power_model()
    w = system_w_per_gpu((H100, GB200), 1.0)
    assert w[0] == pytest.approx(700 + pm.host_load_fraction * (1275 - 700))
    assert w[1] == pytest.approx(1200 + pm.host_load_fraction * (132_000 / 72 - 1200))


def test_overhead_and_pue_add_up():
    fleet = Fleet((H100.scaled(800), GB200.scaled(720)), ItOverhead(100.0, 20.0, 30.0))
    p = fleet_power(fleet, 0.5, pue=1.25)
    assert p.it_kw == pytest.approx(p.gpu_systems_kw + 150.0)
    assert p.facility_kw == pytest.approx(p.it_kw * 1.25)


def test_energy_of_a_busy_day_is_power_times_hours():
    fleet = Fleet((H100.scaled(1600), GB200.scaled(144)), ItOverhead(50.0, 5.0, 7.0))
    e = fleet_energy(fleet, [1600 * 24, 144 * 24], 0.0, 24.0, pue=1.2)
    assert e.facility_kwh == pytest.approx(fleet_power(fleet, pue=1.2).facility_kw * 24.0)


def test_idle_gpu_hours_draw_the_idle_floor_plus_host():
    pm = default_power_model()
    e = fleet_energy(Fleet((H100,)), 0.0, 8.0, 1.0, model=pm)
    assert e.gpu_systems_kwh * 1e3 == pytest.approx(8 * (700 * pm.gpu_idle_fraction + pm.host_w_per_gpu), rel=1e-3)


def test_job_energy_with_spares_and_stalls():
    fleet = Fleet((H100.scaled(1000),), ItOverhead(10.0))
    e = job_energy(fleet, busy_h=90.0, idle_h=10.0, spare_gpus=16)
    assert e.busy_gpu_h == pytest.approx(1000 * 90.0)
    assert e.idle_gpu_h == pytest.approx(1000 * 10.0 + 16 * 100.0)
    assert e.overhead_kwh == pytest.approx(10.0 * 100.0)


def test_share_keeps_the_per_gpu_overhead():
    fleet = Fleet((H100.scaled(1000), H100.scaled(3000)), ItOverhead(40.0, 8.0, 4.0))
    part = fleet.share(1000)
    assert part.gpus == pytest.approx(1000)
    assert part.overhead_w_per_gpu() == pytest.approx(fleet.overhead_w_per_gpu())
    with pytest.raises(ValueError):
        fleet.share(5000)


@given(u=st.floats(0, 1), du=st.floats(0, 1), gpus=st.integers(1, 100_000))
def test_power_rises_with_utilisation_and_stays_within_nameplate(u, du, gpus):
    fleet = Fleet((H100.scaled(gpus),))
    low, high = fleet_power(fleet, u).it_kw, fleet_power(fleet, min(1.0, u + du)).it_kw
    assert high >= low - 1e-9
    assert high <= gpus * 10_200 / 8 / 1e3 + 1e-9  # never above the systems' rating


def test_bad_inputs_fail_cleanly():
    with pytest.raises(ValueError):
        SystemPool(8, 700.0, 600.0)  # nameplate below the GPU's TDP
    with pytest.raises(ValueError):
        ItOverhead(-1.0)
    with pytest.raises(ValueError):
        fleet_energy(Fleet((H100,)), -1.0, 0.0, 1.0)
    with pytest.raises(ValueError):
        fleet_power(Fleet((H100,)), 0.5, pue=0.9)
    assert np.all(system_w_per_gpu((H100,), 0.0) > 0)
