"""Grid first, then batteries, then turbines: energy balances, batteries that only move energy in time,
and the closed forms of a flat day."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colossim.energy.dispatch import DispatchInputs, cosine_shape, dispatch, flat_shape


def _inputs(demand, grid, battery_mw=0.0, battery_mwh=0.0, turbines=(), shape=None, efficiency=0.92):
    n = len(np.atleast_1d(demand))
    arr = lambda v: np.broadcast_to(np.asarray(v, dtype=float), (n,)).copy()  # noqa: E731
    gas = np.array([arr(t) for t in turbines]) if turbines else np.zeros((0, n))
    return DispatchInputs(arr(demand), arr(grid), arr(battery_mw), arr(battery_mwh), gas,
                          flat_shape() if shape is None else shape, efficiency)


def test_a_grid_that_covers_the_load_leaves_turbines_idle():
    d = dispatch(_inputs([100.0], [150.0], turbines=[(200.0,)]))
    assert d.turbine_total_mwh[0] == 0 and d.grid_mwh[0] == pytest.approx(100 * 24)
    assert d.turbine_share[0] == 0 and d.unserved_mwh[0] == 0


def test_a_flat_day_puts_the_deficit_on_the_turbines():
    # 300 MW of load, 150 MW of grid (Colossus 1 from Jul 2025, colossus_record_2026.md sec. 3e): turbines 150 MW
    d = dispatch(_inputs([300.0], [150.0], battery_mw=150.0, battery_mwh=600.0, turbines=[(247.0,)]))
    assert d.turbine_total_mwh[0] == pytest.approx(150 * 24)
    assert d.turbine_share[0] == pytest.approx(0.5)
    assert d.battery_mwh[0] == pytest.approx(0.0)  # no spare grid hour to charge them: they add no energy


def test_merit_order_fills_the_first_fleet_first_and_the_rest_is_unserved():
    d = dispatch(_inputs([100.0], [10.0], turbines=[(50.0,), (30.0,)]))
    assert d.turbine_mwh[:, 0] == pytest.approx([50 * 24, 30 * 24])
    assert d.unserved_mwh[0] == pytest.approx(10 * 24) and d.unserved_peak_mw[0] == pytest.approx(10)


def test_batteries_shave_the_peak_with_the_grids_spare_hours():
    # a 10 % afternoon peak over a grid sized at the mean: batteries move the trough's spare grid to the peak
    shape = cosine_shape(0.1)
    no_battery = dispatch(_inputs([100.0], [100.0], turbines=[(50.0,)], shape=shape))
    battery = dispatch(_inputs([100.0], [100.0], battery_mw=20.0, battery_mwh=200.0, turbines=[(50.0,)], shape=shape))
    assert no_battery.turbine_total_mwh[0] > 0
    assert battery.turbine_total_mwh[0] < no_battery.turbine_total_mwh[0]
    # over a repeating day a battery gives back at most what it took, less its round-trip losses
    assert 0 < battery.battery_mwh[0] <= 0.92 * battery.battery_charge_mwh[0] + 1e-9


@settings(max_examples=60, deadline=None)
@given(demand=st.floats(0, 2000), grid=st.floats(0, 2000), bmw=st.floats(0, 500), bmwh=st.floats(0, 4000),
       gas=st.floats(0, 2000), swing=st.floats(0, 0.3))
def test_energy_balances_and_more_grid_never_burns_more_gas(demand, grid, bmw, bmwh, gas, swing):
    shape = cosine_shape(swing)
    d = dispatch(_inputs([demand], [grid], bmw, bmwh, [(gas,)], shape))
    to_load = d.grid_mwh - d.battery_charge_mwh + d.battery_mwh + d.turbine_total_mwh + d.unserved_mwh
    assert to_load[0] == pytest.approx(demand * 24, rel=1e-9, abs=1e-6)
    assert 0 <= d.turbine_share[0] <= 1
    assert d.battery_mwh[0] <= 0.92 * d.battery_charge_mwh[0] + 1e-6  # batteries make no energy
    more = dispatch(_inputs([demand], [grid * 1.5 + 1], bmw, bmwh, [(gas,)], shape))
    assert more.turbine_total_mwh[0] <= d.turbine_total_mwh[0] + 1e-6


@pytest.mark.parametrize("bad", [
    dict(demand=[-1.0]), dict(grid=[float("nan")]), dict(efficiency=0.0), dict(efficiency=1.5),
])
def test_bad_inputs_are_refused(bad):
    args = dict(demand=[10.0], grid=[5.0], efficiency=0.92) | bad
    with pytest.raises(ValueError):
        dispatch(_inputs(args["demand"], args["grid"], efficiency=args["efficiency"]))


def test_a_load_shape_must_average_one():
    with pytest.raises(ValueError, match="mean 1"):
        _inputs([10.0], [5.0], shape=np.full(24, 1.1))
    with pytest.raises(ValueError, match="swing"):
        cosine_shape(1.2)
