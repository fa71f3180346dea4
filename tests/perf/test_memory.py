"""Memory per GPU: activations against Korthikanti et al. 2022 Table 2, optimizer states against the
ZeRO paper and Megatron's distributed-optimizer table; property: more TP never adds weight memory."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colossim.models import ModelSpec, get_model
from colossim.perf import hardware_for, layout_arrays, model_arrays
from colossim.perf.layout import module_mask
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
        dropout=True,  # Korthikanti's Table 2 counts GPT-3's dropout masks
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


def test_models_without_dropout_keep_no_masks():
    m, sbh = _gpt().model_copy(update={"dropout": False}), S * B * 12288
    assert _act(m, 1, False, 0) == pytest.approx(sbh * (32 + 2 * 96 * S / 12288))  # no 2 masks, no 3as^2b


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


# ------------------------------------------------------------------ memory savings

GB200 = hardware_for("gb200").arrays()


def _gb200(model, **layout):
    return memory_per_gpu(model_arrays(model), layout_arrays(**layout), GB200)


def test_offload_moves_its_share_of_activations_to_host():
    """One micro-batch in flight, no recompute: offloading a share f of the L layers leaves (1 - f) of the
    activations on the GPU plus the one layer whose copy is in flight, and puts f of them in host memory."""
    m = get_model("llama3-70b")
    common = dict(tp=1, dp=64, mbs=2, gbs=128, zero=3, precision=1, fp8_params=True)
    none = _gb200(m, **common)
    act = _one(none.activations_bytes)
    for f in (0.25, 0.5, 0.75):
        off = _gb200(m, offload=f, **common)
        assert _one(off.host_bytes) == pytest.approx(f * act)
        assert _one(off.activations_bytes) == pytest.approx((1 - f) * act + act / m.layers)
        assert _one(off.offload_mb_bytes) == pytest.approx(f * act)  # the only micro-batch in flight
        others = ("weights_bytes", "grads_bytes", "optimizer_bytes", "other_bytes")
        assert all(_one(getattr(off, k)) == pytest.approx(_one(getattr(none, k))) for k in others)


def test_offload_must_fit_in_host_memory():
    m = get_model("llama3-70b")
    common = dict(tp=1, dp=64, mbs=1, gbs=64, zero=3, precision=1)
    small_host = GB200._replace(host_mem_usable_bytes=1e9)
    off = memory_per_gpu(model_arrays(m), layout_arrays(offload=0.9, **common), GB200)
    starved = memory_per_gpu(model_arrays(m), layout_arrays(offload=0.9, **common), small_host)
    assert bool(off.fits[0]) and not bool(starved.fits[0])


def test_fp8_primary_weights_drop_the_bf16_copy():
    """FP8 weights (1 byte) with Transformer Engine's transposed FP8 copy (1 byte) instead of BF16 (2) + 1."""
    m = get_model("llama3-70b")
    bf16_weights = _memory(m, tp=4, pp=4, dp=4, gbs=64, precision=1)
    fp8_weights = _memory(m, tp=4, pp=4, dp=4, gbs=64, precision=1, fp8_params=True)
    assert _one(fp8_weights.weights_bytes) == pytest.approx(_one(bf16_weights.weights_bytes) * 2 / 3)


def test_partial_recompute_interpolates_between_none_and_full():
    """Full recompute of k of the L layers (one chunk, one micro-batch): each recomputed layer keeps only its
    input instead of its activations, so memory falls linearly in k from none to full, and the recompute
    work rises linearly from 0 to a whole forward pass."""
    from colossim.perf import evaluate

    m = get_model("llama3-8b")
    L = m.layers
    common = dict(tp=1, dp=8, gbs=8, zero=1)
    ma, hw = model_arrays(m), hardware_for("h100_sxm5").arrays()
    none = evaluate(ma, layout_arrays(recompute=0, **common), hw)
    full = evaluate(ma, layout_arrays(recompute=2, **common), hw)
    a_none, a_full = _one(none.memory.activations_bytes), _one(full.memory.activations_bytes)
    per_layer = a_none / L
    kept_input = (a_full - per_layer) / (L - 1)  # full: L inputs + one layer rebuilt over its input
    for k in (1, 8, 16, L - 1):
        part = evaluate(ma, layout_arrays(recompute=2, rc_layers=k, **common), hw)
        assert _one(part.memory.activations_bytes) == pytest.approx(a_none - k * (per_layer - kept_input))
        share = k / L
        assert _one(part.compute_s) == pytest.approx(
            _one(none.compute_s) + share * (_one(full.compute_s) - _one(none.compute_s))
        )
        assert _one(part.hfu) * _one(part.step_time_s) == pytest.approx(
            _one(none.hfu) * _one(none.step_time_s)
            + share * (_one(full.hfu) * _one(full.step_time_s) - _one(none.hfu) * _one(none.step_time_s))
        )


def test_recompute_modules_free_what_they_rebuild():
    """DeepSeek-V3 (MLA, MoE): mla_up_proj frees the up-projected Q, K, V; moe_act the experts' activation
    output; each saves at least what a layer keeps of it, minus one layer rebuilt in the backward pass."""
    m = get_model("deepseek-v3")
    common = dict(tp=1, pp=4, dp=64, ep=64, gbs=1024, uneven=True, precision=1)
    none = _gb200(m, **common)
    for mods in (("mla_up_proj",), ("moe_act",), ("layernorm",), ("mlp",)):
        sel = _gb200(m, recompute=1, rc_modules=module_mask(mods), **common)
        assert _one(sel.activations_bytes) < _one(none.activations_bytes), mods
    qkv = 2.0 * (128 * 192 * 2 + 128 * 128) * 4096  # Q, K (192 per head), V (128 per head): BF16, 4096 tokens
    mla = _gb200(m, recompute=1, rc_modules=module_mask(["mla_up_proj"]), **common)
    layers, inflight = 16, 4  # ceil(61 / 4) layers, pp micro-batches in flight under 1F1B
    saved = _one(none.activations_bytes) - _one(mla.activations_bytes)
    assert saved == pytest.approx(qkv * (layers * inflight - 1))


savings = st.one_of(
    st.builds(lambda f: dict(offload=f), st.floats(0.01, 1.0)),
    st.builds(lambda mods: dict(recompute=1, rc_modules=module_mask(mods)),
              st.lists(st.sampled_from(["core_attn", "layernorm", "mlp"]), min_size=1, unique=True)),
    st.builds(lambda k: dict(recompute=2, rc_layers=k), st.integers(1, 12) | st.just(np.inf)),
    st.builds(lambda k, f: dict(recompute=2, rc_layers=k, offload=f), st.integers(1, 4), st.floats(0.01, 1.0)),
)


@settings(max_examples=80, deadline=None)
@given(
    model_id=st.sampled_from(["llama3-70b", "gpt3-175b", "llama3-8b", "mixtral-8x22b", "deepseek-v3"]),
    tp_exp=st.integers(0, 3),
    pp=st.sampled_from([1, 2, 4, 8]),
    vpp=st.sampled_from([1, 2, 3]),
    mbs=st.sampled_from([1, 2]),
    microbatches=st.sampled_from([1, 3, 16]),
    precision=st.integers(0, 1),
    saving=savings,
)
def test_enabling_offload_or_recompute_never_raises_memory(model_id, tp_exp, pp, vpp, mbs, microbatches,
                                                         precision, saving):
    m = get_model(model_id)
    vpp = vpp if pp > 1 else 1
    common = dict(tp=2**tp_exp, pp=pp, vpp=vpp, dp=4, mbs=mbs, gbs=4 * mbs * microbatches, zero=1,
                  precision=precision, uneven=True)
    base = _gb200(m, **common)
    saved = _gb200(m, **common, **saving)
    assert _one(saved.total_bytes) <= _one(base.total_bytes) * (1 + 1e-12)
    assert _one(saved.activations_bytes) <= _one(base.activations_bytes) * (1 + 1e-12)
