"""The closed-form load curve and the served rate under a latency target."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from serve_helpers import one

from colossim.serve.latency import LatencyTarget, _wait_quantiles, load_curve, served_rate
from colossim.serve.layout import serve_layout_arrays
from colossim.serve.throughput import evaluate_serving
from colossim.serve.workload import default_mix, fixed_workload


def _curves():
    m, _, hw = one("llama3-70b", "h100_sxm5", tp=1)
    lay = serve_layout_arrays(tp=[1, 2, 4, 8, 8, 4], pp=[2, 1, 1, 1, 1, 2], disagg=[0, 0, 0, 0, 1, 1])
    mix = default_mix()
    res = evaluate_serving(m, lay, hw, mix.workload())
    return load_curve(m, lay, hw, mix.workload(), res, mix.quantile_prompt(0.99)), res


CURVE, RES = _curves()


def test_little_law_holds_along_the_curve():
    # running requests = arrival rate x time in decode (output tokens x time per token)
    w = default_mix().workload()
    lhs = CURVE.running[:4]
    rhs = CURVE.rate_rps[:4] * w.output * CURVE.tpot_s[:4]
    np.testing.assert_allclose(lhs, rhs, rtol=1e-9)


def test_md1_mean_wait_is_pollaczek_khinchine():
    # deterministic service S at utilisation rho: W = rho S / (2 (1 - rho)); the median of the tail model
    # P(W > t) = rho exp(-rho t / W) is 0 when rho <= 0.5
    w50, w99 = _wait_quantiles(np.array([0.4, 0.9]), np.array([1.0, 1.0]))
    mean = 0.9 * 1.0 / (2 * 0.1)
    assert float(w50[0]) == 0.0
    assert float(w99[1]) == pytest.approx(mean / 0.9 * np.log(0.9 / 0.01))


def test_rate_and_latency_grow_with_load():
    assert np.all(np.diff(CURVE.rate_rps[:4], axis=1) >= -1e-12)
    assert np.all(np.diff(CURVE.tpot_s, axis=1) >= -1e-12)


@settings(max_examples=60, deadline=None)
@given(ttft=st.floats(0.05, 20.0), tpot=st.floats(0.005, 0.5), f1=st.floats(0.1, 1.0), f2=st.floats(0.1, 1.0))
def test_a_tighter_target_never_raises_the_served_rate(ttft, tpot, f1, f2):
    loose = served_rate(CURVE, LatencyTarget(ttft_s=ttft, tpot_s=tpot))
    tight = served_rate(CURVE, LatencyTarget(ttft_s=ttft * f1, tpot_s=tpot * f2))
    assert np.all(tight.rate_rps <= loose.rate_rps + 1e-12)


def test_the_served_rate_meets_the_target_on_the_curve():
    target = LatencyTarget(ttft_s=2.0, tpot_s=0.05)
    s = served_rate(CURVE, target)
    ok = s.rate_rps > 0
    assert ok.any()
    assert np.all(s.tpot_s[ok] <= target.tpot_s + 1e-9)
    assert np.all(s.ttft_p99_s[ok] <= target.ttft_s + 1e-9)


def test_a_target_below_the_lone_request_latency_serves_nothing():
    s = served_rate(CURVE, LatencyTarget(ttft_s=2.0, tpot_s=1e-4))
    assert np.all(s.rate_rps == 0) and np.all(s.binding == 3)
    assert fixed_workload(1.0, 1.0).reserve == 2.0
