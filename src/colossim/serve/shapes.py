"""A model as the serving model needs it: weights by kind (replicated vs expert), KV cache per token per
layer by attention type, and attention FLOPs per cached position. Built on colossim.models.params and
colossim.perf.shapes (the training model's shapes), so a model is added once, in the zoo."""

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


class ServeModel(NamedTuple):
    """Per-model numbers (floats, or arrays with one entry per row when models are stacked)."""

    layers: np.ndarray | float
    moe_layers: np.ndarray | float
    hidden: np.ndarray | float
    heads: np.ndarray | float
    vocab: np.ndarray | float
    tied: np.ndarray | float
    layer_weights: np.ndarray | float  # non-expert weights of one average layer: attention, dense MLP share,
    #                                    shared experts and router (what every tensor-parallel group holds)
    layer_width: np.ndarray | float  # narrowest dimension of those GEMMs that TP splits (after TP: / tp)
    latent_width: np.ndarray | float  # narrowest dimension TP does not split (MLA's kv latent; inf otherwise)
    layer_calls: np.ndarray | float  # GEMM calls of one average layer outside the routed experts
    experts: np.ndarray | float  # routed experts per MoE layer (0: dense)
    top_k: np.ndarray | float
    expert_weights: np.ndarray | float  # one routed expert
    expert_ffn: np.ndarray | float
    ffn: np.ndarray | float  # dense MLP width (0 without dense layers)
    mlp_mats: np.ndarray | float  # 2 plain, 3 gated
    kv_elems: np.ndarray | float  # cached elements per token per layer, unsharded (GQA: 2 kv_heads d; MLA: latent)
    kv_heads: np.ndarray | float  # heads the KV cache can be split over by TP (MLA: 1, the latent is shared)
    q_heads: np.ndarray | float  # query heads (TP must divide them)
    decode_attn_flops: np.ndarray | float  # per new token per cached position per layer (MLA: absorbed)
    prefill_attn_flops: np.ndarray | float  # per prompt token per earlier prompt position per layer
    mla: np.ndarray | float  # 1.0 for multi-head latent attention


def serve_model(m: ModelSpec) -> ServeModel:
    dims = attention_dims(m)
    f_moe = m.moe_layers / m.layers
    moe = m.moe
    shared = (moe.shared_experts if moe else 0) * expert_params(m)
    layer_weights = attention_params(m) + (1.0 - f_moe) * dense_mlp_params(m) + f_moe * (shared + router_params(m))
    if m.attention == "mla" and m.mla is not None:
        a = m.mla
        kv_elems = a.kv_lora_rank + a.qk_rope_head_dim  # one shared latent per token (DeepSeek-V2 sec. 2.1)
        kv_heads = 1
        # absorbed MLA decode (DeepSeek-V2 appendix; FlashMLA): scores over the latent + rope part,
        # values over the latent, per head: 2 (kv_lora + rope) + 2 kv_lora FLOPs per cached position
        decode_flops = 2.0 * m.heads * (2 * a.kv_lora_rank + a.qk_rope_head_dim)
    else:
        kv_heads = m.kv_heads or m.heads
        kv_elems = 2 * kv_heads * m.dim_per_head  # keys and values
        decode_flops = 2.0 * m.heads * (dims.qk_head_dim + dims.v_head_dim)
    prefill_flops = 2.0 * m.heads * (dims.qk_head_dim + dims.v_head_dim)  # QK^T and PV, per position
    widths = [dims.q_dim + dims.k_dim + dims.v_dim, dims.out_dim, m.hidden]  # fused QKV, output projection
    if m.dense_layers and m.ffn:
        widths.append(m.ffn)
    latent = float(m.mla.kv_lora_rank) if m.mla is not None else float("inf")
    return ServeModel(
        layers=float(m.layers),
        moe_layers=float(m.moe_layers),
        hidden=float(m.hidden),
        heads=float(m.heads),
        vocab=float(m.vocab),
        tied=float(m.tied_embeddings),
        layer_weights=float(layer_weights),
        layer_width=float(min(widths)),
        latent_width=latent,
        layer_calls=float(dims.projections + 2 * (1.0 - f_moe) + f_moe * (2.0 * (shared > 0) + 1.0)),
        experts=float(moe.experts if moe else 0),
        top_k=float(moe.top_k if moe else 0),
        expert_weights=float(expert_params(m)),
        expert_ffn=float(moe.expert_ffn if moe else 0),
        ffn=float(m.ffn or 0) if m.dense_layers else 0.0,
        mlp_mats=float(mlp_matrices(m)),
        kv_elems=float(kv_elems),
        kv_heads=float(kv_heads),
        q_heads=float(m.heads),
        decode_attn_flops=float(decode_flops),
        prefill_attn_flops=float(prefill_flops),
        mla=float(m.attention == "mla"),
    )


def stack_serve_models(rows: list[ServeModel]) -> ServeModel:
    return ServeModel(*(np.array([getattr(r, f) for r in rows], dtype=float) for f in ServeModel._fields))


__all__ = ["ServeModel", "serve_model", "stack_serve_models"]
