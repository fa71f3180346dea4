"""A ModelSpec as numbers for the vectorised step model (`ModelArrays`): every field a float or an array,
so one model broadcasts against many layouts, or many models (one per row) against their layouts."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from colossim.models.params import (
    attention_dims,
    attention_params,
    dense_mlp_params,
    expert_params,
    mlp_matrices,
    router_params,
)
from colossim.models.schema import ModelSpec


class ModelArrays(NamedTuple):
    layers: np.ndarray | float
    moe_layers: np.ndarray | float
    hidden: np.ndarray | float
    heads: np.ndarray | float
    kv_heads: np.ndarray | float  # query groups TP must divide (MLA: heads)
    vocab: np.ndarray | float
    seq: np.ndarray | float
    tied: np.ndarray | float  # 1.0 when the LM head shares the embedding matrix
    q_dim: np.ndarray | float
    k_dim: np.ndarray | float
    v_dim: np.ndarray | float
    out_dim: np.ndarray | float
    qk_head_dim: np.ndarray | float
    v_head_dim: np.ndarray | float
    attn_narrow: np.ndarray | float  # narrowest projection width TP does not split (MLA: latent ranks)
    attn_calls: np.ndarray | float  # GEMM calls of the attention projections (QKV fused: 2; MLA: 4-5)
    attn_params: np.ndarray | float  # per layer
    ffn: np.ndarray | float  # dense MLP width (0 when there is no dense layer)
    mlp_mats: np.ndarray | float  # 2 plain, 3 gated
    mlp_params: np.ndarray | float  # per dense layer
    experts: np.ndarray | float  # 0 for dense models
    top_k: np.ndarray | float
    shared: np.ndarray | float
    expert_ffn: np.ndarray | float
    expert_params: np.ndarray | float  # one expert
    router_params: np.ndarray | float  # per MoE layer
    mla_up_params: np.ndarray | float  # MLA query and key/value up-projection weights per layer (0: no MLA)
    mla_latent: np.ndarray | float  # MLA latent width per token: q_lora + kv_lora + rotary key (0: no MLA)
    attn_ctx: np.ndarray | float  # keys a query attends on average under the causal mask (S/2 when full)
    dropout: np.ndarray | float  # 1.0 when the model trains with dropout
    capacity: np.ndarray | float  # expert capacity factor (inf: dropless)
    router_groups: np.ndarray | float  # expert groups of group-limited routing (1: no group limit)
    group_topk: np.ndarray | float  # groups a token's experts may come from (1 with router_groups 1)


def _narrow(m: ModelSpec) -> int:
    if m.mla is None:
        return m.hidden
    return min(m.hidden, m.mla.kv_lora_rank, m.mla.q_lora_rank or m.hidden)


def _mla_up(m: ModelSpec) -> tuple[int, int]:
    """(up-projection weights, latent width) of MLA (DeepSeek-V2 section 2.1): queries from the q latent
    (or straight from the hidden state without one), keys and values from the kv latent."""
    if m.mla is None:
        return 0, 0
    a = m.mla
    q_up = (a.q_lora_rank or 0) * m.heads * (a.qk_nope_head_dim + a.qk_rope_head_dim)
    kv_up = a.kv_lora_rank * m.heads * (a.qk_nope_head_dim + a.v_head_dim)
    return q_up + kv_up, (a.q_lora_rank or 0) + a.kv_lora_rank + a.qk_rope_head_dim


def attended_keys(seq: float, window: int | None, share: float) -> float:
    """Mean keys per query under a causal mask: S/2 for full attention; a sliding window of w < S gives
    w - w^2 / (2S) (the first w queries see fewer), on `share` of the layers."""
    full = seq / 2.0
    if window is None or window >= seq:
        return full
    return (1.0 - share) * full + share * (window - window * window / (2.0 * seq))


def model_arrays(m: ModelSpec, seq_len: int | None = None) -> ModelArrays:
    """Numbers of one model (at its own sequence length unless `seq_len` is given)."""
    a = attention_dims(m)
    seq = float(seq_len or m.seq_len)
    moe = m.moe
    up, latent = _mla_up(m)
    return ModelArrays(
        layers=float(m.layers),
        moe_layers=float(m.moe_layers),
        hidden=float(m.hidden),
        heads=float(m.heads),
        kv_heads=float(m.kv_heads if m.attention != "mla" and m.kv_heads else m.heads),
        vocab=float(m.vocab),
        seq=seq,
        tied=float(m.tied_embeddings),
        q_dim=float(a.q_dim),
        k_dim=float(a.k_dim),
        v_dim=float(a.v_dim),
        out_dim=float(a.out_dim),
        qk_head_dim=float(a.qk_head_dim),
        v_head_dim=float(a.v_head_dim),
        attn_narrow=float(_narrow(m)),
        attn_calls=float(a.projections),
        attn_params=float(attention_params(m)),
        ffn=float(m.ffn or 0) if m.dense_layers else 0.0,
        mlp_mats=float(mlp_matrices(m)),
        mlp_params=float(dense_mlp_params(m)) if m.dense_layers else 0.0,
        experts=float(moe.experts if moe else 0),
        top_k=float(moe.top_k if moe else 0),
        shared=float(moe.shared_experts if moe else 0),
        expert_ffn=float(moe.expert_ffn if moe else 0),
        expert_params=float(expert_params(m)),
        router_params=float(router_params(m)),
        mla_up_params=float(up),
        mla_latent=float(latent),
        attn_ctx=attended_keys(seq, m.sliding_window, m.sliding_window_share),
        dropout=float(m.dropout),
        capacity=float(moe.capacity_factor) if moe and moe.capacity_factor else float("inf"),
        router_groups=float(moe.router_groups or 1) if moe else 1.0,
        group_topk=float(moe.router_group_topk or 1) if moe else 1.0,
    )


def stack_models(rows: list[ModelArrays]) -> ModelArrays:
    return ModelArrays(*(np.array([getattr(r, f) for r in rows], dtype=float) for f in ModelArrays._fields))


__all__ = ["ModelArrays", "attended_keys", "model_arrays", "stack_models"]
