"""Parameter counts of a ModelSpec: per component, total and active (touched by one token).

Counts are weight matrices only (embedding, attention projections, MLPs, experts, router);
biases, norms and learned position embeddings are left out (under 0.1% of any zoo model).
"""

from __future__ import annotations

from dataclasses import dataclass

from colossim.models.schema import MlaSpec, ModelSpec


@dataclass(frozen=True)
class AttentionDims:
    """Per-token widths of the attention block (all heads, before tensor parallelism)."""

    q_dim: int  # query width: heads x (query/key head size)
    k_dim: int  # key width that is cached / exchanged (MHA/GQA: kv_heads x head_dim)
    v_dim: int  # value width (MHA/GQA: kv_heads x head_dim)
    out_dim: int  # input width of the output projection: heads x value head size
    qk_head_dim: int  # per-head size of the query-key product
    v_head_dim: int  # per-head size of the value product
    projections: int  # weight matrices that are separate GEMM calls (QKV fused = 1)


def _mla(m: ModelSpec) -> MlaSpec:
    if m.mla is None:  # ModelSpec validation makes this unreachable for attention 'mla'
        raise ValueError(f"model '{m.id}' has attention 'mla' but no `mla` mapping")
    return m.mla


def attention_dims(m: ModelSpec) -> AttentionDims:
    if m.attention == "mla":
        a = _mla(m)
        qk = a.qk_nope_head_dim + a.qk_rope_head_dim
        # q_down, q_up (or one q), kv_down, kv_up, out (DeepSeek-V3 modelling code)
        calls = 5 if a.q_lora_rank else 4
        return AttentionDims(
            m.heads * qk,
            m.heads * qk,
            m.heads * a.v_head_dim,
            m.heads * a.v_head_dim,
            qk,
            a.v_head_dim,
            calls,
        )
    d = m.dim_per_head
    kv = m.kv_heads or m.heads
    return AttentionDims(m.heads * d, kv * d, kv * d, m.heads * d, d, d, 2)


def attention_params(m: ModelSpec) -> int:
    """Weights of one attention block."""
    h = m.hidden
    if m.attention == "mla":
        a = _mla(m)
        qk = a.qk_nope_head_dim + a.qk_rope_head_dim
        q = h * a.q_lora_rank + a.q_lora_rank * m.heads * qk if a.q_lora_rank else h * m.heads * qk
        kv = h * (a.kv_lora_rank + a.qk_rope_head_dim) + a.kv_lora_rank * m.heads * (
            a.qk_nope_head_dim + a.v_head_dim
        )
        return q + kv + m.heads * a.v_head_dim * h
    dims = attention_dims(m)
    return h * (dims.q_dim + dims.k_dim + dims.v_dim) + dims.out_dim * h


def mlp_matrices(m: ModelSpec) -> int:
    """Weight matrices of one MLP: plain = up + down, gated (SwiGLU/GeGLU) = gate + up + down."""
    return 3 if m.mlp == "gated" else 2


def dense_mlp_params(m: ModelSpec) -> int:
    return mlp_matrices(m) * m.hidden * (m.ffn or 0)


def expert_params(m: ModelSpec) -> int:
    """Weights of one routed (or shared) expert."""
    return 0 if m.moe is None else mlp_matrices(m) * m.hidden * m.moe.expert_ffn


def router_params(m: ModelSpec) -> int:
    return 0 if m.moe is None else m.hidden * m.moe.experts


def embedding_params(m: ModelSpec) -> int:
    """Input embedding plus the output (LM head) matrix unless the two are tied."""
    return m.vocab * m.hidden * (1 if m.tied_embeddings else 2)


@dataclass(frozen=True)
class ParamCounts:
    total: int
    active: int
    embedding: int
    attention: int  # all layers
    dense_mlp: int  # all dense layers
    experts: int  # all routed experts of all MoE layers
    shared_experts: int  # all MoE layers
    router: int  # all MoE layers

    @property
    def total_b(self) -> float:
        return self.total / 1e9

    @property
    def active_b(self) -> float:
        return self.active / 1e9


def param_counts(m: ModelSpec) -> ParamCounts:
    attn = m.layers * attention_params(m)
    dense = m.dense_layers * dense_mlp_params(m)
    routed = shared = router = routed_active = 0
    if m.moe is not None:
        e = expert_params(m)
        routed = m.moe_layers * m.moe.experts * e
        routed_active = m.moe_layers * m.moe.top_k * e
        shared = m.moe_layers * m.moe.shared_experts * e
        router = m.moe_layers * router_params(m)
    emb = embedding_params(m)
    common = emb + attn + dense + shared + router
    return ParamCounts(common + routed, common + routed_active, emb, attn, dense, routed, shared, router)


__all__ = [
    "AttentionDims",
    "ParamCounts",
    "attention_dims",
    "attention_params",
    "dense_mlp_params",
    "embedding_params",
    "expert_params",
    "mlp_matrices",
    "param_counts",
    "router_params",
]
