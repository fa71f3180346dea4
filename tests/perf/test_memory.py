"""Memory per GPU: activations against Korthikanti et al. 2022 Table 2, optimizer states against the
ZeRO paper and Megatron's distributed-optimizer table; property: more TP never adds weight memory."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colossim.models import ModelSpec, get_model
from colossim.perf import hardware_for, layout_arrays, model_arrays
from colossim.perf.memory import activation_bytes_per_token, memory_per_gpu

S, B = 2048, 1


def _gpt(h=12288, a=96) -> ModelSpec:
    return ModelSpec(
        id="gpt",
        name="gpt",
        source="test",
        layers=96,
        hidden=h,
        heads=a,
        kv_heads=a,
        attention="mha",
        ffn=4 * h,
        mlp="plain",
        vocab=51200,
        seq_len=S,
    )


def _act(model, tp, sp, recompute, flash=False):
    per_token = activation_bytes_per_token(
        model_arrays(model), np.array(float(tp)), np.array(sp), np.array(recompute), flash=flash
    )
    return float(per_token) * S * B


@pytest.mark.parametrize("h, a", [(6144, 64), (12288, 96), (20480, 128)])
def test_korthikanti_table2(h, a):
    m, sbh, t = _gpt(h, a), S * B * h, 8
    assert _act(m, 1, False, 0) == pytest.approx(sbh * (34 + 5 * a * S / h))  # no parallelism
    assert _act(m, t, False, 0) == pytest.approx(sbh * (10 + 24 / t + 5 * a * S / (h * t)))  # tensor parallel
    assert _act(m, t, True, 0) == pytest.approx(sbh / t * (34 + 5 * a * S / h))  # + sequence parallel
    assert _act(m, t, True, 1) == pytest.approx(sbh / t * 34)  # + selective recompute
    assert _act(m, t, False, 2) == pytest.approx(2 * sbh)  # full recompute keeps the layer input


def test_fused_attention_keeps_no_scores():
    m = _gpt()
    assert _act(m, 8, True, 0, flash=True) == pytest.approx(_act(m, 8, True, 1))


def _one(x) -> float:
    return float(np.asarray(x).reshape(-1)[0])


def _memory(model, **layout):
    return memory_per_gpu(model_arrays(model), layout_arrays(**layout), hardware_for("h100_sxm5").arrays())


def test_zero_stages_follow_megatron_distributed_optimizer_bytes():
    m = get_model("llama3-8b")
    base = dict(dp=64, gbs=64, grad_fp32=True, precision=0)
    z0, z1 = _memory(m, zero=0, **base), _memory(m, zero=1, **base)
    params = z0.weights_bytes / 2.0
    # Megatron docs/distrib_optimizer: BF16 params + FP32 grads = 18 bytes/param plain, 6 + 12/d sharded
    assert _one(z0.weights_bytes + z0.grads_bytes + z0.optimizer_bytes) == pytest.approx(_one(18 * params))
    assert _one(z1.weights_bytes + z1.grads_bytes + z1.optimizer_bytes) == pytest.approx(
        _one((6 + 12 / 64) * params)
    )
    z3 = _memory(m, zero=3, **base)
    assert _one(z3.weights_bytes + z3.grads_bytes + z3.optimizer_bytes) == pytest.approx(
        _one(18 * params / 64)
    )


def test_pipeline_first_stage_holds_pp_microbatches():
    m = get_model("llama3-70b")
    one = _memory(m, pp=4, dp=1, gbs=1, zero=1)  # 1 micro-batch in flight
    full = _memory(m, pp=4, dp=1, gbs=64, zero=1)  # pp micro-batches in flight
    assert _one(full.activations_bytes) == pytest.approx(4 * _one(one.activations_bytes))


@settings(max_examples=60, deadline=None)
@given(
    model_id=st.sampled_from(["llama3-70b", "gpt3-175b", "deepseek-v3", "mixtral-8x22b"]),
    tp_exp=st.integers(0, 2),
    pp=st.sampled_from([1, 2, 4]),
    zero=st.integers(0, 3),
    precision=st.integers(0, 1),
)
def test_more_tensor_parallelism_never_adds_weight_memory(model_id, tp_exp, pp, zero, precision):
    m = get_model(model_id)
    common = dict(pp=pp, dp=8, zero=zero, precision=precision, gbs=64, uneven=True)
    small = _memory(m, tp=2**tp_exp, **common)
    large = _memory(m, tp=2 ** (tp_exp + 1), **common)
    assert _one(large.weights_bytes) <= _one(small.weights_bytes) * (1 + 1e-12)
