"""GPU time of one transformer layer for one micro-batch on the busiest rank, forward, backward and
recomputation, averaged over the model's dense and MoE layers; and the LM head. Vectorised over layouts.

Per layer and token the GPU runs: the GEMMs (attention projections, dense MLP or router + routed and
shared experts) at the size-dependent GEMM rate; the attention core (flash: matmuls plus exponentials;
unfused: batched GEMMs over the full score matrix plus the softmax and dropout passes over it in HBM); the
memory-bound kernels as bytes at the achievable HBM bandwidth (norms, residual adds, rotary, activation,
MoE permutes, dropout, and the FP8 quantisation of every GEMM input and output gradient by recipe).
The backward pass runs twice the forward's GEMMs (data and weight gradients), 2.5x the fused attention's
matmuls (FlashAttention-2) and twice its element-wise traffic.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from colossim.perf.compute import bf16_rate, flash_attention_time, gemm_rate, gemm_time, memory_time
from colossim.perf.hardware import HardwareArrays
from colossim.perf.layout import MODULE_BIT, LayoutArrays
from colossim.perf.memory import recompute_fraction, stage_layers
from colossim.perf.shapes import ModelArrays

ACT_BYTES = 2.0  # BF16 activations
EW_HIDDEN = 12.0  # element-wise traffic per layer, in hidden-size vectors per token: 2 norms (read+write),
#                   2 residual adds (2 reads + 1 write), rotary ~2
PERMUTE_HIDDEN = 4.0  # one MoE permute + unpermute per routed copy: read and write the hidden vector each
#                      (Megatron-Core moe_utils permute / unpermute)
GLOBAL_PERMUTE_HIDDEN = 2.0  # NCCL all-to-all dispatcher: its global permute writes each routed copy and its
#   global unpermute reads it back (Megatron-LM, 'Optimizing DeepSeek-V3 Training Performance on NVIDIA GB200
#   NVL72', section 2.1.1: 'one global and one local permute before and after EP communication'; DeepEP and
#   HybridEP fuse the global one into the dispatch kernel); the source token is read once, not per copy
DROPOUT_HIDDEN = 5.0  # 2 hidden dropouts per layer, each a read and a write (2 x 2 bytes) and a 1-byte mask
UNFUSED_TRAFFIC = 2.0  # estimate: without fused kernels each norm, bias, activation and rotary runs as
#                        several operator kernels with their intermediates in HBM, ~2x the bytes
# bytes per element of an FP8 GEMM operand by recipe (FP8_RECIPE_CODE order): delayed = read BF16 (2) + FP8
# copy (1) + its transpose for the other GEMM (1, cast-transpose); current = + a separate amax pass (2);
# blockwise = delayed + block scales (~0.5); mxfp8 = row- and column-wise copies with fused block amax (4)
CAST_BYTES = np.array([4.0, 6.0, 4.5, 4.0])
UNFUSED_SCORE_BYTES = 8.0  # per attention score forward without a fused kernel: write Q.K^T (2), softmax
#                            read + write (4), read for P.V (2) (Megatron's fused scaled-masked softmax)
DROPOUT_SCORE_BYTES = 5.0  # attention dropout on the scores: read, write and a 1-byte mask
UNFUSED_BWD_TRAFFIC = 1.5  # backward of the unfused score passes: dropout (5), softmax (6), reading the
#                            probabilities and writing their gradient (4) ~ 19 of the forward's 13 bytes
LOGIT_PASS_BYTES = 48.0  # vocab-parallel cross-entropy in FP32 per logit (Megatron _VocabParallelCrossEntropy):
#   forward: BF16 read + FP32 copy (6), max (4), subtract, exp and divide in place (3 x 8), sum (4);
#   backward: softmax minus one-hot (8) and the BF16 gradient for the LM head (6) ~ 52 bytes, rounded down


class LayerTimes(NamedTuple):
    fwd: np.ndarray  # one layer, one micro-batch: forward
    bwd: np.ndarray  # backward
    rec: np.ndarray  # recomputation in the backward pass
    gemm_fwd: np.ndarray  # the forward's GEMMs (the window TP overlap hides behind)
    core_fwd: np.ndarray  # the attention core forward (the window CP overlap hides behind)
    core_bwd: np.ndarray
    experts_fwd: np.ndarray  # routed experts' GEMMs forward (the window EP overlap hides behind)
    head: np.ndarray  # LM head and loss, forward + backward, on the last rank
    tokens: np.ndarray  # tokens of one micro-batch on this context-parallel rank
    phi: np.ndarray  # share of the rank's layers fully recomputed
    layers: np.ndarray  # layers on the busiest rank


def _module_recompute_time(m, lay, hw, T, tok, shard, f_moe, t_core, t_mlp, rate):
    """Forward time re-run per layer by Megatron-Core recompute_modules: core_attn the attention core,
    layernorm the two norms (memory-bound), mla_up_proj the MLA up-projection GEMMs, mlp the dense MLP
    (GEMMs and activation), moe_act the routed experts' activation function (memory-bound)."""
    bit = {name: (lay.rc_modules & code) > 0 for name, code in MODULE_BIT.items()}
    h = m.hidden
    t_norms = memory_time(T * ACT_BYTES * 4.0 * h / shard, hw)  # 2 norms: read and write h each
    d_up = np.minimum(T, m.attn_narrow)  # the latent rank is the GEMMs' inner dimension
    t_up = gemm_time(tok * 2.0 * m.mla_up_params, 2.0, d_up, rate, hw.gemm_half_dim, hw.gemm_tail)
    t_up = np.where(m.mla_up_params > 0, t_up, 0.0)
    t_act = memory_time(tok * ACT_BYTES * m.mlp_mats * m.ffn, hw)  # read gate/up, write the output
    t_moe_act = memory_time(tok * hw.moe_imbalance * m.top_k * ACT_BYTES * m.mlp_mats * m.expert_ffn, hw)
    return (bit["core_attn"] * t_core + bit["layernorm"] * t_norms + bit["mla_up_proj"] * t_up
            + bit["mlp"] * (1.0 - f_moe) * (t_mlp + t_act) + bit["moe_act"] * f_moe * t_moe_act)


def _attention_core(m, lay, hw, T, tok, t):
    """Forward and backward time of the attention core (scores and weighted sum) of one layer."""
    heads = m.heads / t
    dims = m.qk_head_dim + m.v_head_dim
    mm_flash = T * 2.0 * m.attn_ctx * heads * dims  # causal: the attended keys only
    exps = T * m.attn_ctx * heads
    fa2 = np.where(lay.fa2, hw.fa2_attention, 1.0)
    flash_f = flash_attention_time(mm_flash / fa2, exps, hw)
    flash_b = flash_attention_time(hw.attention_bwd_factor * mm_flash / fa2, exps, hw)  # P recomputed: exps again
    if bool(np.all(lay.flash)):
        return flash_f, flash_b
    # unfused: batched GEMMs over the full (masked) score matrix, K = head dim for Q.K^T, plus the softmax
    # (and attention dropout) passes over the scores in HBM; the backward twice both
    mm_full = T * 2.0 * m.seq * heads * dims
    rate16 = bf16_rate(hw)
    gemm = gemm_time(mm_full, 2.0, np.minimum(m.qk_head_dim, m.seq), rate16, hw.gemm_half_dim, hw.gemm_tail)
    scores = T * m.seq * heads * (UNFUSED_SCORE_BYTES + m.dropout * DROPOUT_SCORE_BYTES)
    plain_f = gemm + memory_time(scores, hw)
    plain_b = 2.0 * gemm + UNFUSED_BWD_TRAFFIC * memory_time(scores, hw)
    return np.where(lay.flash, flash_f, plain_f), np.where(lay.flash, flash_b, plain_b)


def layer_times(m: ModelArrays, lay: LayoutArrays, hw: HardwareArrays) -> LayerTimes:
    t, c, e, et, b = lay.tp, lay.cp, lay.ep, lay.etp, lay.mbs
    h, S, rec = m.hidden, m.seq, lay.recompute
    T = b * S / c  # tokens of one micro-batch on this context-parallel rank
    tok = T / t  # FLOP rows per GPU after the TP split of the weights
    layers = stage_layers(m, lay)
    f_moe = m.moe_layers / m.layers
    f_dense = 1.0 - f_moe
    shard = np.where(lay.sp & (t > 1), t, 1.0)  # sequence parallelism shards the element-wise work
    full, sel = rec == 2, rec == 1
    phi = recompute_fraction(lay, layers)
    dense_model = np.ndim(m.experts) == 0 and m.experts == 0

    rate, rate16 = gemm_rate(lay.precision, hw, lay.fp8_recipe), bf16_rate(hw)
    half, tail = hw.gemm_half_dim, hw.gemm_tail
    # narrowest dimension of each GEMM per GPU: rows (tokens), and the widths after TP/EP sharding
    d_attn = np.minimum(np.minimum(T, m.attn_narrow), m.out_dim / t)
    d_mlp = np.minimum(np.minimum(T, h), np.maximum(m.ffn, 1.0) / t)
    t_gemm = gemm_time(tok * 2.0 * m.attn_params, m.attn_calls, d_attn, rate, half, tail)
    t_mlp = gemm_time(tok * 2.0 * m.mlp_params, 2.0, d_mlp, rate, half, tail)  # dense MLP of one layer
    routed_imb = np.minimum(hw.moe_imbalance, m.capacity)  # dropping caps the busiest expert at capacity
    if dense_model:
        t_experts = 0.0
        t_gemm = t_gemm + t_mlp
        moe_in = moe_out = 0.0
    else:
        local = np.maximum(m.experts / (e * et), 1.0)  # experts (or expert shards) on one GPU
        expert_rows = tok * m.top_k * e * et / np.maximum(m.experts, 1.0) * routed_imb  # per local expert
        d_exp = np.minimum(np.minimum(expert_rows, h), m.expert_ffn / et)
        d_shared = np.minimum(np.minimum(T, h), m.shared * m.expert_ffn / t)
        routed = tok * 2.0 * m.top_k * m.expert_params * routed_imb  # busiest expert rank
        calls = np.where(lay.grouped, 2.0, 2.0 * local)  # fc1 and fc2: one grouped call, or one per expert
        t_experts = gemm_time(routed, calls, d_exp, rate, half, tail)
        shared = gemm_time(tok * 2.0 * m.shared * m.expert_params, 2.0 * (m.shared > 0), d_shared, rate, half, tail)
        router = gemm_time(tok * 2.0 * m.router_params, 1.0, np.minimum(T, m.experts), rate16, half, tail)
        t_gemm = t_gemm + f_dense * t_mlp + f_moe * (t_experts + shared + router)
        moe_in = f_moe * m.top_k * routed_imb * (h + m.expert_ffn) / et  # expert GEMM inputs per token
        moe_out = f_moe * m.top_k * routed_imb * ((m.mlp_mats - 1.0) * m.expert_ffn + h) / et
    core_f, core_b = _attention_core(m, lay, hw, T, tok, t)
    ffn_act = f_dense * m.ffn + f_moe * (m.top_k * routed_imb + m.shared) * m.expert_ffn  # MLP width per token
    # MoE permutes: each routed copy is sorted to its local expert and back (read + write, twice); the NCCL
    # all-to-all dispatcher also writes each token's top_k copies in destination order before the exchange
    # and reads them back after it (the global permute DeepEP / HybridEP fuse into their kernels)
    permutes = PERMUTE_HIDDEN
    if not dense_model:
        permutes = permutes + np.where(lay.ep_dedup | (e * et <= 1), 0.0, GLOBAL_PERMUTE_HIDDEN)
    ew = (EW_HIDDEN * h / shard + m.mlp_mats * ffn_act / t + f_moe * m.top_k * routed_imb * permutes * h / t
          + m.dropout * DROPOUT_HIDDEN / ACT_BYTES * h / shard)
    ew = ew * np.where(lay.fused, 1.0, UNFUSED_TRAFFIC)
    low = lay.precision > 0
    cast = CAST_BYTES[np.asarray(lay.fp8_recipe, dtype=np.intp)]
    cast_in = np.where(low, cast * (2.0 * h / shard + (m.out_dim + f_dense * m.ffn) / t + moe_in), 0.0)
    cast_out = np.where(low, cast * ((m.q_dim + m.k_dim + m.v_dim) / t + 2.0 * h / shard
                                     + f_dense * (m.mlp_mats - 1.0) * m.ffn / t + moe_out), 0.0)
    t_ew_f = memory_time(T * (ACT_BYTES * ew + cast_in), hw)
    t_ew_b = memory_time(T * (2.0 * ACT_BYTES * ew + cast_out), hw)
    fwd = t_gemm + core_f + t_ew_f
    bwd = 2.0 * t_gemm + core_b + t_ew_b
    t_rec = np.where(full, phi * fwd, np.where(sel, core_f, 0.0))
    if np.any(sel & (lay.rc_modules != MODULE_BIT["core_attn"])):  # Megatron-Core recompute_modules
        t_rec = np.where(sel, _module_recompute_time(m, lay, hw, T, tok, shard, f_moe, core_f, t_mlp, rate),
                         t_rec)
    # LM head and loss on the last rank, BF16, forward + backward (data and weight gradients)
    head = 3.0 * gemm_time(tok * 2.0 * m.vocab * h, 1.0, np.minimum(np.minimum(T, h), m.vocab / t), rate16,
                           half, tail) + memory_time(tok * m.vocab * LOGIT_PASS_BYTES, hw)
    experts_fwd = f_moe * t_experts if not dense_model else np.zeros_like(fwd)
    return LayerTimes(fwd, bwd, t_rec, t_gemm, core_f, core_b, experts_fwd, head, T, phi, layers)


__all__ = ["ACT_BYTES", "CAST_BYTES", "LayerTimes", "layer_times"]
