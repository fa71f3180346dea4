"""Closed-form goodput (ETTR): Daly's exponential model and Meta's first-order formula."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from colossim.reliability import (
    CheckpointCost,
    ettr_curve,
    ettr_daly,
    ettr_meta,
    failure_model,
    job_mttf_h,
    per_node_hour,
    plan_checkpoints,
    young_interval_s,
)

# reliability.md sec. 4.4 (Meta closed form, Young interval; printed to 2 decimals).
# Scenarios: A = 60 s write, 10 min restart; B = 5 s, 2 min; C = 1 s, 30 s.
ULP = 1 + 8 * np.finfo(float).eps  # float rounding of a few operations, not a model tolerance
SCENARIOS = {"A": (60.0, 600.0), "B": (5.0, 120.0), "C": (1.0, 30.0)}
TABLE = [
    (16_384, 3.79, {"A": 0.85, "B": 0.96, "C": 0.98}),
    (16_384, 6.50, {"A": 0.79, "B": 0.94, "C": 0.98}),
    (100_000, 3.79, {"A": 0.48, "B": 0.87, "C": 0.95}),
    (100_000, 6.50, {"A": 0.23, "B": 0.80, "C": 0.93}),
    (200_000, 3.79, {"A": 0.14, "B": 0.78, "C": 0.92}),
    (200_000, 6.50, {"B": 0.66, "C": 0.89}),
]


@pytest.mark.parametrize(("gpus", "rate", "expected"), TABLE)
def test_reference_worked_ettr_table(gpus, rate, expected):
    mttf = job_mttf_h(gpus / 8, per_node_hour(rate)) * 3600
    for name, value in expected.items():
        write, restart = SCENARIOS[name]
        got = ettr_meta(young_interval_s(write, mttf), write, restart, mttf)
        assert abs(got - value) <= 0.005 + 1e-9, name


def test_meta_formula_goes_invalid_at_200k_scenario_a():
    # reliability.md sec. 4.4: '< 0 (model invalid)' for 200,000 GPUs at 6.50 with scenario A.
    mttf = job_mttf_h(25_000, per_node_hour(6.5)) * 3600
    assert ettr_meta(young_interval_s(60, mttf), 60, 600, mttf) < 0
    assert 0 < ettr_daly(young_interval_s(60, mttf), 60, 600, mttf) < 1  # Daly's stays a probability


def test_llama3_effective_training_time_above_90_percent():
    # Llama 3 paper: > 90 % effective training time at 16,384 H100 with 419 unexpected interruptions in
    # 54 days. Stated settings: in-memory checkpoints that stop training for 10 s (device-to-host copy
    # and coordination), 5 min restart (detect, reschedule, reload), exact-optimal interval.
    fm = failure_model("llama3_h100")
    cost = CheckpointCost(
        mode="in_memory", size_bytes=5.67e12, blocking_s=10.0, background_s=0.0, restart_s=300.0
    )
    plan = plan_checkpoints(16_384, fm, cost)
    assert plan.ettr_daly > 0.90
    assert plan.ettr_meta > 0.90


@given(tau=st.floats(1, 1e5), write=st.floats(0, 1e4), restart=st.floats(0, 1e4), mttf=st.floats(1, 1e7))
def test_daly_ettr_is_a_fraction(tau, write, restart, mttf):
    e = ettr_daly(tau, write, restart, mttf)
    assert 0 <= e <= 1
    assume((tau + write + restart) / mttf < 50)  # far beyond this it underflows to 0, the right limit
    assert e > 0


@given(
    tau=st.floats(1, 1e5),
    write=st.floats(0, 1e3),
    restart=st.floats(0, 1e4),
    mttf=st.floats(10, 1e7),
    more=st.floats(1.0, 100.0),
)
def test_more_failures_never_raise_goodput(tau, write, restart, mttf, more):
    # ULP: a 1-ulp change of an input (more = 1 + 2e-16) may move the result by rounding only
    assert ettr_daly(tau, write, restart, mttf / more) <= ettr_daly(tau, write, restart, mttf) * ULP
    meta_base = ettr_meta(tau, write, restart, mttf)
    assert ettr_meta(tau, write, restart, mttf / more) <= meta_base + abs(meta_base) * (ULP - 1)


@given(
    tau=st.floats(1, 1e5),
    write=st.floats(0, 1e3),
    restart=st.floats(0, 1e4),
    mttf=st.floats(10, 1e7),
    extra=st.floats(0.0, 1e3),
)
def test_longer_saves_or_restarts_never_raise_goodput(tau, write, restart, mttf, extra):
    base = ettr_daly(tau, write, restart, mttf) * ULP
    assert ettr_daly(tau, write + extra, restart, mttf) <= base
    assert ettr_daly(tau, write, restart + extra, mttf) <= base


@given(tau=st.floats(1, 1e4), write=st.floats(0, 1e3), restart=st.floats(0, 1e3), mttf=st.floats(1e3, 1e7))
def test_meta_and_daly_agree_to_first_order(tau, write, restart, mttf):
    # Both expand to (tau/w)(1 - lambda R - lambda w/2) with w = tau + delta; Meta uses tau/2 in place of
    # w/2, so |Daly - Meta| <= (tau/w) lambda delta / 2 + x^2 with x = lambda (R + w), using
    # 1 - a <= e^{-a} <= 1 - a + a^2/2 and 1 - b/2 <= b/(e^b - 1) <= 1 - b/2 + b^2/12.
    lam, w = 1 / mttf, tau + write
    x = lam * (restart + w)
    assume(x < 0.5)
    bound = (tau / w) * lam * write / 2 + x**2
    assert abs(ettr_daly(tau, write, restart, mttf) - ettr_meta(tau, write, restart, mttf)) <= bound + 1e-12


def test_curve_is_vectorised_over_intervals():
    taus = np.geomspace(10, 1e5, 50)
    curve = ettr_curve(taus, 30.0, 300.0, 3 * 3600.0)
    assert curve.shape == (50,)
    assert np.allclose(curve, [ettr_daly(t, 30.0, 300.0, 3 * 3600.0) for t in taus])
    assert np.allclose(
        ettr_curve(taus, 30.0, 300.0, 3 * 3600.0, model="meta"),
        [ettr_meta(t, 30.0, 300.0, 3 * 3600.0) for t in taus],
    )
    # one interior maximum
    peak = int(np.argmax(curve))
    assert 0 < peak < 49 and np.all(np.diff(curve[: peak + 1]) > 0) and np.all(np.diff(curve[peak:]) < 0)


def test_bad_inputs_raise():
    with pytest.raises(ValueError):
        ettr_daly(0.0, 1.0, 1.0, 100.0)
    with pytest.raises(ValueError):
        ettr_meta(10.0, -1.0, 1.0, 100.0)
