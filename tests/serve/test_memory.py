"""Weights, KV cache and the requests a replica holds."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from serve_helpers import one

from colossim.serve.constants import constants
from colossim.serve.memory import kv_bytes_per_token, serve_memory, weights_per_gpu


def test_fp8_llama3_70b_weighs_its_parameter_count():
    # 70.6B parameters (Meta's model card): FP8 matrices, BF16 embedding and LM head (2 x 128,256 x 8,192)
    m, lay, _ = one("llama3-70b", "h100_sxm5", tp=1, weights="fp8")
    embed = 2 * 128256 * 8192
    expected = (70.6e9 - embed) * 1.0 + embed * 2.0
    assert float(weights_per_gpu(m, lay, constants())[0]) == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize("tp", [1, 2, 4, 8, 16])
def test_kv_per_token_matches_tensorrt_llm_sizing(tp):
    # TensorRT-LLM (bench/build/tuning.py): a TP group stores 2 x layers x max(tp, kv_heads) x head x bytes per token
    m, lay, _ = one("llama3-70b", "h100_sxm5", tp=tp, kv_cache="fp8")
    group = float(kv_bytes_per_token(m, lay, constants())[0]) * tp
    assert group == pytest.approx(2 * 80 * max(tp, 8) * 128 * 1.0)


def test_fp8_kv_cache_holds_twice_the_requests():
    held = []
    for kv in ("bf16", "fp8"):
        m, lay, hw = one("llama3-70b", "h200_sxm", tp=1, kv_cache=kv)
        held.append(float(serve_memory(m, lay, hw, constants(), 2176.0, 128.0, 2048.0).max_requests[0]))
    assert held[1] == pytest.approx(2 * held[0], rel=0.02)


def test_a_model_too_big_for_the_gpu_does_not_fit():
    m, lay, hw = one("llama3-405b", "h100_sxm5", tp=1, weights="fp8")
    assert not bool(serve_memory(m, lay, hw, constants(), 2000.0, 1000.0, 1000.0).fits[0])


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([1, 2, 4]))
def test_more_tensor_parallelism_never_adds_weights_per_gpu(tp):
    c = constants()
    w = [float(weights_per_gpu(*one("llama3-70b", "h100_sxm5", tp=t)[:2], c)[0]) for t in (tp, 2 * tp)]
    assert w[1] <= w[0]
    assert np.isfinite(w).all()
