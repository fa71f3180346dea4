"""Young, Daly and the exact optimum of Daly's expected wall time."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from colossim.reliability import daly_interval_s, daly_wall_time_s, optimal_interval_s, young_interval_s

MIN = 60.0
# Daly, FGCS 22 (2006), figure captions: Ts = 500 h, R = 10 min, delta = 5 min; model optimum intervals.
DALY_PUBLISHED = [(24 * 60, 117.0), (6 * 60, 57.0), (15, 9.1)]  # (M in min, tau_opt in min)


@pytest.mark.parametrize(("m_min", "tau_min"), DALY_PUBLISHED)
def test_daly_published_optima_within_2_percent(m_min, tau_min):
    got = daly_interval_s(5 * MIN, m_min * MIN) / MIN
    assert got == pytest.approx(tau_min, rel=0.02)
    # the exact minimiser of Daly's T_w agrees with his published optima as well
    assert optimal_interval_s(5 * MIN, m_min * MIN) / MIN == pytest.approx(tau_min, rel=0.02)


@pytest.mark.parametrize(("m_min", "young_min"), [(24 * 60, 120.0), (6 * 60, 60.0), (15, 12.2)])
def test_young_values_from_reference(m_min, young_min):
    # reliability.md sec. 4.1: Young gives 120, 60, 12.2 min for the same settings.
    assert young_interval_s(5 * MIN, m_min * MIN) / MIN == pytest.approx(young_min, abs=0.05)


def test_daly_beyond_2m_is_m():
    assert daly_interval_s(3.0, 1.0) == 1.0


def test_exact_optimum_matches_brute_force_grid():
    for m in (900.0, 6 * 3600.0, 24 * 3600.0):
        grid = np.linspace(1.0, 3 * m, 600_001)
        w = daly_wall_time_s(500 * 3600, grid, 300.0, 600.0, m)
        step = grid[1] - grid[0]
        assert abs(optimal_interval_s(300.0, m) - grid[np.argmin(w)]) <= step


@given(
    write=st.floats(1e-3, 1e4),
    mttf=st.floats(10.0, 1e6),
    restart=st.floats(0, 1e4),
    factor=st.floats(0.05, 20.0).filter(lambda f: abs(f - 1) > 1e-6),
)
def test_optimum_minimises_expected_wall_time(write, mttf, restart, factor):
    tau = optimal_interval_s(write, mttf)
    best = daly_wall_time_s(1e6, tau, write, restart, mttf)
    other = daly_wall_time_s(1e6, tau * factor, write, restart, mttf)
    assert best <= other * (1 + 1e-12)
    for formula in (young_interval_s, daly_interval_s):
        assert best <= daly_wall_time_s(1e6, formula(write, mttf), write, restart, mttf) * (1 + 1e-12)


def test_small_write_time_approaches_young():
    # Daly's and the exact optimum reduce to Young's sqrt(2 delta M) as delta/M -> 0.
    assert optimal_interval_s(1e-9, 1.0) == pytest.approx(np.sqrt(2e-9), rel=1e-4)
    assert daly_interval_s(1e-9, 1.0) == pytest.approx(np.sqrt(2e-9), rel=1e-4)


def test_vectorised_and_bad_inputs():
    out = optimal_interval_s(np.array([1.0, 10.0, 100.0]), 1000.0)
    assert out.shape == (3,) and np.all(np.diff(out) > 0)
    with pytest.raises(ValueError):
        young_interval_s(0.0, 10.0)
    with pytest.raises(ValueError):
        daly_interval_s(1.0, -5.0)
