"""The serving iteration: roofline limits, physics invariants, MoE and speculative decoding."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from serve_helpers import one

from colossim.models import get_model
from colossim.perf.hardware import hardware_for
from colossim.serve.constants import constants
from colossim.serve.layout import ServeLayout, from_serve_layouts
from colossim.serve.shapes import serve_model
from colossim.serve.step import accepted_tokens, busiest_rank_load, stage_time
from colossim.serve.throughput import evaluate_serving, lone_request_latency
from colossim.serve.workload import fixed_workload

MODELS = ["llama3-8b", "llama3-70b", "mixtral-8x22b", "deepseek-v3"]


def test_lone_decode_step_streams_the_weights():
    # one request on one H200: the step reads every weight once at the streaming efficiency of HBM, plus the
    # fixed per-layer and per-iteration costs; at most each GEMM call's tail (perf calibration) comes on top
    c = constants()
    m, lay, hw = one("llama3-8b", "h200_sxm", tp=1, weights="fp8")
    st_ = stage_time(m, lay, hw, c, 1.0, 100.0, 0.0, 0.0)
    embed = 128256 * 4096
    weights = (8.03e9 - 2 * embed) * 1.0 + embed * 2.0  # FP8 matrices, BF16 LM head (8.03B, Meta's card)
    floor = weights / (4.8e12 * c.stream_eff) + 32 * c.layer_overhead_s + c.iteration_overhead_s
    tails = 32 * 4 * hw.gemm_tail + hw.gemm_tail  # QKV, output, gate/up, down per layer; the LM head
    assert floor * 0.99 <= float(st_.total_s[0]) <= floor + tails


def test_large_batch_decode_is_compute_bound():
    c = constants()
    m, lay, hw = one("llama3-70b", "h100_sxm5", tp=1, weights="fp8")
    small = stage_time(m, lay, hw, c, 8.0, 500.0, 0.0, 0.0)
    big = stage_time(m, lay, hw, c, 4096.0, 500.0, 0.0, 0.0)
    assert float(small.compute_bound_s[0]) < 0.05 * float(small.total_s[0])
    assert float(big.compute_bound_s[0]) > 0.5 * float(big.total_s[0])


def test_compute_bound_throughput_stays_under_the_flop_roofline():
    # output tokens/s <= GEMM rate / (2 x active params x (1 + prompt/output)) (every token passes every weight)
    m, lay, hw = one("llama3-8b", "h100_sxm5", tp=1, weights="fp8")
    r = evaluate_serving(m, lay, hw, fixed_workload(2048.0, 128.0))
    bound = 1978.9e12 * hw.eff_fp8 / (2 * 7.0e9 * (1 + 2048 / 128))
    assert 0.5 * bound < float(r.tokens_per_s[0]) <= bound


def test_speculative_tokens_per_step_follow_leviathan():
    # (1 - a^(k+1)) / (1 - a): k = 3, a = 0.8 -> 2.952; no drafting -> 1
    assert float(accepted_tokens(np.array(3.0), np.array(0.8))) == pytest.approx((1 - 0.8**4) / 0.2)
    assert float(accepted_tokens(np.array(0.0), np.array(0.0))) == 1.0


def test_busiest_expert_rank_carries_the_balls_into_bins_excess():
    assert float(busiest_rank_load(800.0, 1.0, 1.0)) == pytest.approx(800.0)
    mean = 100.0
    assert float(busiest_rank_load(800.0, 8.0, 1.0)) == pytest.approx(mean + np.sqrt(2 * mean * np.log(8)))


def test_speculative_decoding_helps_a_lone_request():
    m, _, hw = one("llama3-70b", "h100_sxm5", tp=4)
    base = from_serve_layouts([ServeLayout(tp=4)])
    spec = from_serve_layouts([ServeLayout(tp=4, speculative={"draft_tokens": 3, "acceptance": 0.7})])
    assert float(lone_request_latency(m, spec, hw, 1000, 500)[1][0]) < float(lone_request_latency(m, base, hw, 1000,
                                                                                                  500)[1][0])


@settings(max_examples=40, deadline=None)
@given(model=st.sampled_from(MODELS), tp=st.sampled_from([1, 2, 4, 8]), scale=st.floats(1.0, 3.0),
       prompt=st.integers(16, 8000), output=st.integers(16, 4000), kv=st.sampled_from(["bf16", "fp8"]))
def test_more_hbm_bandwidth_never_lowers_decode_throughput(model, tp, scale, prompt, output, kv):
    spec = get_model(model)
    if spec.heads % tp:
        return
    m = serve_model(spec)
    lay = from_serve_layouts([ServeLayout(tp=tp, kv_cache=kv, ep=tp if spec.moe else 1)])
    hw = hardware_for("h200_sxm").arrays()
    work = fixed_workload(float(prompt), float(output))
    slow = evaluate_serving(m, lay, hw, work)
    fast = evaluate_serving(m, lay, hw._replace(hbm_bw=hw.hbm_bw * scale), work)
    if bool(slow.valid[0]):
        assert float(fast.tokens_per_s[0]) >= float(slow.tokens_per_s[0]) * (1 - 1e-9)


@settings(max_examples=40, deadline=None)
@given(model=st.sampled_from(MODELS), tp=st.sampled_from([1, 2, 8]), pp=st.sampled_from([1, 2, 4]),
       prompt=st.integers(1, 30000), extra=st.integers(1, 30000))
def test_a_longer_prompt_never_lowers_ttft(model, tp, pp, prompt, extra):
    spec = get_model(model)
    if spec.heads % tp:
        return
    m = serve_model(spec)
    lay = from_serve_layouts([ServeLayout(tp=tp, pp=pp)])
    hw = hardware_for("h100_sxm5").arrays()
    short = lone_request_latency(m, lay, hw, float(prompt), 100.0)[0]
    long = lone_request_latency(m, lay, hw, float(prompt + extra), 100.0)[0]
    assert float(long[0]) >= float(short[0])
