"""Parameter counting by component against hand-computed small models."""

from __future__ import annotations

from colossim.models import ModelSpec, attention_dims, param_counts
from colossim.models.params import attention_params


def _model(**kw) -> ModelSpec:
    base = dict(
        id="t",
        name="t",
        source="test",
        layers=2,
        hidden=64,
        heads=8,
        attention="mha",
        kv_heads=8,
        ffn=256,
        mlp="plain",
        vocab=1000,
        seq_len=128,
    )
    return ModelSpec(**{**base, **kw})


def test_dense_mha_plain_is_12_h_squared_per_layer_plus_embeddings():
    m = _model()
    c = param_counts(m)
    # 4h^2 attention + 2 * h * 4h MLP = 12 h^2 per layer; embedding and untied LM head V*h each
    assert c.total == 2 * 12 * 64 * 64 + 2 * 1000 * 64
    assert c.active == c.total


def test_gqa_shrinks_key_value_projections_and_tied_embeddings_count_once():
    m = _model(attention="gqa", kv_heads=2, mlp="gated", tied_embeddings=True)
    per_layer = 64 * 64 * 2 + 2 * 64 * (2 * 8) + 3 * 64 * 256  # Q and O, K and V of 2 heads of 8, gated MLP
    assert param_counts(m).total == 2 * per_layer + 1000 * 64


def test_mla_projections_follow_deepseek_v3_shapes():
    m = _model(
        hidden=64,
        heads=4,
        attention="mla",
        kv_heads=None,
        mla=dict(kv_lora_rank=16, q_lora_rank=32, qk_rope_head_dim=4, qk_nope_head_dim=8, v_head_dim=8),
    )
    q = 64 * 32 + 32 * 4 * 12  # down to q_lora, up to heads x (nope + rope)
    kv = 64 * (16 + 4) + 16 * 4 * (8 + 8)  # down to kv_lora + shared rope key, up to keys and values
    o = 4 * 8 * 64
    assert attention_params(m) == q + kv + o
    dims = attention_dims(m)
    assert (dims.qk_head_dim, dims.v_head_dim, dims.q_dim) == (12, 8, 48)


def test_moe_active_counts_top_k_and_shared_experts_only():
    m = _model(
        mlp="gated",
        ffn=256,
        layers=4,
        moe=dict(experts=8, top_k=2, expert_ffn=32, shared_experts=1, first_dense_layers=1),
    )
    c = param_counts(m)
    expert = 3 * 64 * 32
    assert c.experts == 3 * 8 * expert and c.shared_experts == 3 * expert and c.router == 3 * 64 * 8
    assert c.dense_mlp == 1 * 3 * 64 * 256
    assert c.total - c.active == 3 * (8 - 2) * expert
