"""Memory per GPU: weights, gradients, optimizer states (by ZeRO stage), activations (by recompute
mode, with tensor/sequence/context parallelism and the micro-batches a pipeline keeps in flight),
MoE buffers and logits; and whether it fits the GPU's usable HBM. Vectorised over layouts."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from colossim.perf.hardware import HardwareArrays
from colossim.perf.layout import LayoutArrays
from colossim.perf.shapes import ModelArrays

WEIGHT_BYTES = 2.0  # BF16 weights used by the forward/backward pass
FP8_COPY_BYTES = 1.0  # the FP8 transposed weight Transformer Engine caches across micro-batches for the
#                       backward pass (the row-wise cast is transient)
FP4_COPY_BYTES = 0.5  # its 4-bit counterpart
OPTIMIZER_BYTES = 12.0  # Adam: FP32 master weights, momentum, variance (ZeRO, Rajbhandari et al. 2020)
LOGIT_BYTES = 6.0  # BF16 logits plus their FP32 copy for the cross-entropy, per vocabulary entry


class MemoryArrays(NamedTuple):
    weights_bytes: np.ndarray
    grads_bytes: np.ndarray
    optimizer_bytes: np.ndarray
    activations_bytes: np.ndarray
    other_bytes: np.ndarray  # MoE dispatch buffers, logits, ZeRO-3 gathered layers
    total_bytes: np.ndarray
    usable_bytes: np.ndarray
    fits: np.ndarray


def stage_layers(m: ModelArrays, lay: LayoutArrays):
    """Layers on the busiest pipeline rank: L/pp, or ceil(L/pp) for an uneven split."""
    even = m.layers / lay.pp
    return np.where(lay.uneven, np.ceil(even), even)


def activation_bytes_per_token(m: ModelArrays, tp, sp, recompute, flash=True, low_precision=False):
    """Bytes one transformer layer keeps for the backward pass, per token of the micro-batch, averaged over
    dense and MoE layers. Korthikanti et al. 2022 section 4 per block, generalised to GQA/MLA widths, gated
    MLPs and experts: attention 11sbh + 5as^2b, MLP 19sbh, norms 4sbh for GPT (34sbh + 5as^2b in all).
    10sbh of it (norm inputs, projection inputs, dropout masks) is replicated across TP ranks unless
    sequence parallelism shards it; the rest is split by TP. Fused (flash) attention keeps no s x s scores.
    Selective recompute drops the scores; full recompute keeps only each layer's input (2sbh).
    With FP8/FP4 GEMMs (`low_precision`), Transformer Engine saves each GEMM input as its 1-byte copy."""
    h = m.hidden
    f_moe = m.moe_layers / m.layers
    up = m.mlp_mats - 1.0  # plain: one up matrix, gated: gate + up
    # Terms linear in g, the bytes per saved GEMM-input element (1 with FP8/FP4, else 2): coefficients
    # are model scalars, so only the last lines touch per-layout arrays.
    # TP-split part: Q and K (2 each), V (2), output-projection input (g); MLP activation input (2) and
    # second GEMM input (g); routed copies: permuted input (g) and combine input (2) plus the expert MLP.
    split_2 = (
        2.0 * (m.q_dim + m.k_dim + m.v_dim)
        + (1.0 - f_moe) * 2.0 * up * m.ffn
        + f_moe * (m.top_k * (2.0 * h + 2.0 * up * m.expert_ffn) + m.shared * 2.0 * up * m.expert_ffn)
    )
    split_g = m.out_dim + (1.0 - f_moe) * m.ffn + f_moe * ((m.top_k + m.shared) * m.expert_ffn + m.top_k * h)
    g = 2.0 - 1.0 * np.asarray(low_precision)
    shard = np.where(sp & (tp > 1), tp, 1.0)
    # replicated unless SP: 2 norm inputs (2h each), 2 GEMM inputs (QKV, MLP: g), 2 dropout masks (1h)
    none = (6.0 + 2.0 * g) * h / shard + (split_2 + g * split_g) / tp
    if not flash:  # unfused attention keeps softmax output, dropout mask and output: 5 bytes per score
        none = none + (recompute == 0) * (5.0 * m.heads * m.seq / tp)
    return np.where(recompute == 2, 2.0 * h / shard, none)


def inflight_microbatches(lay: LayoutArrays):
    """Micro-batches whose activations the first pipeline rank holds at once under 1F1B: pp (fewer if
    the step has fewer), times 1 + (pp-1)/(pp*vpp) for the interleaved schedule (Korthikanti et al. 2022)."""
    p, v = lay.pp, lay.vpp
    n_mb = lay.gbs / (lay.dp * lay.mbs)
    interleave = np.where(v > 1, 1.0 + (p - 1.0) / (p * v), 1.0)
    return np.minimum(n_mb, p) * interleave


class StageParams(NamedTuple):
    dense: np.ndarray  # parameters on the busiest rank that every data-parallel replica holds
    expert: np.ndarray  # routed-expert parameters on that rank
    dense_replicas: np.ndarray  # ranks holding the same dense shard: dp x cp
    expert_replicas: np.ndarray  # ranks holding the same expert shard: tp x cp x dp / (ep x etp)
    sharded: np.ndarray  # parameters per rank once sharded over their replicas (ZeRO)


def stage_params(m: ModelArrays, lay: LayoutArrays) -> StageParams:
    """Parameters on the busiest pipeline rank: its layers split by TP (experts by EP x ETP), plus the
    embedding or the LM head (both when pp == 1, one matrix when they are tied)."""
    t, p, e, et = lay.tp, lay.pp, lay.ep, lay.etp
    layers = stage_layers(m, lay)
    f_moe = m.moe_layers / m.layers
    emb = m.vocab * m.hidden / t * np.where(p > 1, 1.0, 2.0 - m.tied)
    dense = (
        layers
        * (
            m.attn_params
            + (1.0 - f_moe) * m.mlp_params
            + f_moe * (m.shared * m.expert_params + m.router_params)
        )
        / t
        + emb
    )
    expert = layers * f_moe * m.experts * m.expert_params / (e * et)
    n_dense, n_expert = lay.dp * lay.cp, t * lay.cp * lay.dp / (e * et)
    sharded = (
        dense / n_dense if np.ndim(m.experts) == 0 and m.experts == 0 else dense / n_dense + expert / n_expert
    )
    return StageParams(dense, expert, n_dense, n_expert, sharded)


def memory_per_gpu(
    m: ModelArrays, lay: LayoutArrays, hw: HardwareArrays, sp: StageParams | None = None
) -> MemoryArrays:
    """Bytes per GPU on the busiest pipeline rank (fused attention assumed). `sp` may be passed when the
    caller already has it."""
    t, c = lay.tp, lay.cp
    sp = stage_params(m, lay) if sp is None else sp
    params = sp.dense + sp.expert
    sharded = sp.sharded
    copy = np.where(lay.precision == 1, FP8_COPY_BYTES, np.where(lay.precision == 2, FP4_COPY_BYTES, 0.0))
    z = lay.zero
    weights = np.where(z >= 3, sharded, params) * (WEIGHT_BYTES + copy)
    grads = np.where(z >= 2, sharded, params) * (2.0 + 2.0 * lay.grad_fp32)
    optimizer = np.where(z >= 1, sharded, params) * OPTIMIZER_BYTES

    layers = stage_layers(m, lay)
    tokens = lay.mbs * m.seq / c  # per micro-batch on this context-parallel rank
    low = lay.precision > 0
    full = lay.recompute == 2
    # kept per layer without recompute (selective is the same with fused attention); full recompute keeps
    # the layer input (2sbh, sharded by SP) and rebuilds one layer's activations at a time in the backward
    none = activation_bytes_per_token(m, t, lay.sp, 0, low_precision=low) * tokens
    inputs = 2.0 * m.hidden / np.where(lay.sp & (t > 1), t, 1.0) * tokens
    per_layer = np.where(full, inputs, none)
    activations = layers * per_layer * inflight_microbatches(lay) + none * full
    logits = tokens * m.vocab / t * LOGIT_BYTES
    moe_buffers = np.where(m.moe_layers > 0, 2.0 * tokens / t * m.top_k * m.hidden * 2.0, 0.0)
    zero3_buffers = np.where(z >= 3, 2.0 * params / layers * WEIGHT_BYTES, 0.0)  # two gathered layers
    other = logits + moe_buffers + zero3_buffers
    total = weights + grads + optimizer + activations + other
    usable = np.broadcast_to(hw.mem_usable_bytes, np.shape(total))
    return MemoryArrays(weights, grads, optimizer, activations, other, total, usable, total <= usable)


__all__ = [
    "MemoryArrays",
    "StageParams",
    "activation_bytes_per_token",
    "inflight_microbatches",
    "memory_per_gpu",
    "stage_layers",
    "stage_params",
]
