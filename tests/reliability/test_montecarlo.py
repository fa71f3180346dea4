"""Monte Carlo of training runs against Daly's closed form (the same model), with tolerances of
k standard errors of the sample mean (k = 4: a false alarm has probability ~6e-5 per check)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colossim.reliability import (
    daly_segment_time_s,
    daly_wall_time_s,
    ettr_daly,
    failure_model,
    optimal_interval_s,
    simulate_training,
)

K_SE = 4.0


@pytest.mark.parametrize(
    ("mttf_h", "tau_s", "write_s", "restart_s"),
    [
        (3.0, 900.0, 30.0, 300.0),  # Llama-3-like scale
        (0.5, 180.0, 10.0, 120.0),  # 100k GPUs
        (0.15, 60.0, 5.0, 60.0),  # 200k GPUs at a high rate
        (2.0, 3600.0, 600.0, 1800.0),  # long blocking saves and restarts: far from first order
    ],
)
def test_mean_wall_time_matches_daly(mttf_h, tau_s, write_s, restart_s):
    compute_h = 200 * tau_s / 3600  # a multiple of the interval, where Daly's T_w is exact
    res = simulate_training(compute_h, 1000, 1 / mttf_h, tau_s, write_s, restart_s, runs=4000, seed=7)
    expected_h = daly_wall_time_s(compute_h * 3600, tau_s, write_s, restart_s, mttf_h * 3600) / 3600
    se = res.wall_h.std(ddof=1) / math.sqrt(res.runs)
    assert abs(res.wall_h.mean() - expected_h) <= K_SE * se


def test_remainder_segment_expectation():
    # compute not a multiple of tau: n full segments of tau + delta and one of (remainder + delta),
    # each with Daly's expected segment time M e^{R/M} (e^{w/M} - 1).
    mttf_s, tau, write, restart = 2 * 3600.0, 1000.0, 20.0, 200.0
    compute_s = 150 * tau + 400.0
    res = simulate_training(compute_s / 3600, 8, 3600 / mttf_s, tau, write, restart, runs=4000, seed=3)
    expected_s = 150 * daly_segment_time_s(tau + write, restart, mttf_s) + daly_segment_time_s(
        400.0 + write, restart, mttf_s
    )
    se = res.wall_h.std(ddof=1) / math.sqrt(res.runs)
    assert abs(res.wall_h.mean() - expected_s / 3600) <= K_SE * se


def test_interruptions_equal_rate_times_wall_time():
    # Failures are Poisson at rate lambda over the whole wall time, and the wall time is a stopping time,
    # so E[N(wall)] = lambda E[wall] (optional stopping for N(t) - lambda t). Check per run differences.
    lam = 1.5
    res = simulate_training(300.0, 1000, lam, 600.0, 30.0, 400.0, runs=4000, seed=11)
    diff = res.interruptions - lam * res.wall_h
    assert abs(diff.mean()) <= K_SE * diff.std(ddof=1) / math.sqrt(res.runs)


def test_llama3_run_has_about_419_interruptions_and_goodput_above_90_percent():
    # Llama 3 paper: 419 unexpected interruptions in 54 days on 16,384 H100, > 90 % effective training
    # time. Settings (stated): in-memory checkpoints stopping 10 s, 5 min restart, exact-optimal interval.
    fm = failure_model("llama3_h100")
    lam = fm.job_failures_per_hour(16_384)
    mttf_s = 3600 / lam
    tau = float(optimal_interval_s(10.0, mttf_s))
    # ideal compute that fills 54 days of wall time, rounded to whole intervals (where Daly is exact)
    segments = round(54 * 24 * 3600 * float(ettr_daly(tau, 10.0, 300.0, mttf_s)) / tau)
    compute_h = segments * tau / 3600
    expected_wall_h = float(daly_wall_time_s(compute_h * 3600, tau, 10.0, 300.0, mttf_s)) / 3600
    assert expected_wall_h == pytest.approx(54 * 24, abs=(tau + 10.0) / 3600)  # within one segment
    assert lam * expected_wall_h == pytest.approx(419, abs=1.0)  # E[interruptions] = lambda E[wall]
    res = simulate_training(compute_h, 16_384, lam, tau, 10.0, 300.0, runs=2000, seed=2024)
    s = res.summary()
    assert abs(s["wall_days"]["mean"] - expected_wall_h / 24) <= K_SE * s["wall_days"]["std_error"]
    assert abs(s["interruptions"]["mean"] - lam * expected_wall_h) <= K_SE * s["interruptions"]["std_error"]
    assert s["goodput"]["p10"] > 0.90


def test_no_failures_gives_compute_plus_checkpoints():
    res = simulate_training(10.0, 64, 0.0, 600.0, 6.0, 100.0, runs=5, seed=0)
    assert np.allclose(res.wall_h, 10.0 + 60 * 6.0 / 3600)
    assert np.all(res.interruptions == 0)
    assert np.all(res.lost_gpu_hours == pytest.approx(64 * 60 * 6.0 / 3600))


def test_seeded_reproducibility():
    a = simulate_training(100.0, 8, 0.3, 900.0, 10.0, 60.0, runs=200, seed=5)
    b = simulate_training(100.0, 8, 0.3, 900.0, 10.0, 60.0, runs=200, seed=5)
    c = simulate_training(100.0, 8, 0.3, 900.0, 10.0, 60.0, runs=200, seed=6)
    assert np.array_equal(a.wall_h, b.wall_h) and not np.array_equal(a.wall_h, c.wall_h)
    ss = np.random.SeedSequence(5)
    assert np.array_equal(
        simulate_training(100.0, 8, 0.3, 900.0, 10.0, 60.0, runs=200, seed=ss).wall_h, a.wall_h
    )


def test_summary_fields_and_percentile_order():
    s = simulate_training(50.0, 512, 0.5, 600.0, 10.0, 60.0, runs=500, seed=1).summary()
    assert set(s) == {"wall_days", "lost_gpu_hours", "interruptions", "goodput"}
    for v in s.values():
        assert v["p10"] <= v["p50"] <= v["p90"]


@settings(max_examples=30, deadline=None)
@given(
    compute_h=st.floats(0.5, 200),
    lam=st.floats(0, 3),
    tau=st.floats(30, 7200),
    write=st.floats(0, 300),
    restart=st.floats(0, 1800),
)
def test_goodput_in_unit_interval_and_wall_at_least_the_work(compute_h, lam, tau, write, restart):
    res = simulate_training(compute_h, 8, lam, tau, write, restart, runs=50, seed=0)
    assert np.all(res.goodput > 0) and np.all(res.goodput <= 1)
    assert np.all(res.wall_h >= compute_h + res.checkpoint_h - 1e-9)
    assert np.all(res.lost_gpu_hours >= -1e-6)


def test_more_failures_never_raise_mean_goodput():
    # common random numbers are not shared across rates, so compare means with their standard errors
    lo = simulate_training(100.0, 8, 0.2, 900.0, 10.0, 120.0, runs=3000, seed=1)
    hi = simulate_training(100.0, 8, 0.4, 900.0, 10.0, 120.0, runs=3000, seed=2)
    se = math.hypot(lo.goodput.std(ddof=1), hi.goodput.std(ddof=1)) / math.sqrt(3000)
    assert hi.goodput.mean() < lo.goodput.mean() + K_SE * se


def test_bad_inputs_and_hopeless_runs_raise():
    with pytest.raises(ValueError):
        simulate_training(0.0, 8, 0.1, 600.0, 1.0, 1.0)
    with pytest.raises(ValueError):
        simulate_training(10.0, 8, -0.1, 600.0, 1.0, 1.0)
    with pytest.raises(ValueError, match="never finishes"):
        simulate_training(1000.0, 8, 60.0, 36_000.0, 1.0, 1.0, runs=2)


def test_expected_breakdown_matches_monte_carlo_means():
    from colossim.reliability import expected_time_breakdown

    mttf_s, tau, write, restart = 3 * 3600.0, 900.0, 30.0, 300.0
    compute_s = 400 * tau + 123.0
    expect = expected_time_breakdown(compute_s, tau, write, restart, mttf_s)
    assert expect.wall_h == pytest.approx(
        (
            400 * daly_segment_time_s(tau + write, restart, mttf_s)
            + daly_segment_time_s(123.0 + write, restart, mttf_s)
        )
        / 3600,
        rel=1e-12,
    )
    res = simulate_training(compute_s / 3600, 8, 3600 / mttf_s, tau, write, restart, runs=4000, seed=9)
    assert res.checkpoint_h == pytest.approx(expect.checkpoint_h)
    for got, want in (
        (res.rework_h, expect.rework_h),
        (res.restart_h, expect.restart_h),
        (res.interruptions.astype(float), expect.failures),
    ):
        assert abs(got.mean() - want) <= K_SE * got.std(ddof=1) / math.sqrt(res.runs)
