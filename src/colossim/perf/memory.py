"""Memory per GPU: weights, gradients, optimizer states (by ZeRO stage), activations (by recompute
mode, with tensor/sequence/context parallelism and the micro-batches a pipeline keeps in flight),
MoE buffers and logits; and whether it fits the GPU's usable HBM. Vectorised over layouts."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from colossim.perf.hardware import HardwareArrays
from colossim.perf.layout import MODULE_BIT, RECOMPUTE_CODE, LayoutArrays
from colossim.perf.shapes import ModelArrays

WEIGHT_BYTES = 2.0  # BF16 weights used by the forward/backward pass
FP8_WEIGHT_BYTES = 1.0  # FP8 primary weights (fp8_params): the weight itself is FP8, no BF16 copy
#                         (Transformer Engine fp8_model_init; Megatron fp8_param_gather)
FP8_COPY_BYTES = 1.0  # the FP8 transposed weight Transformer Engine caches across micro-batches for the
#                       backward pass (the row-wise cast is transient)
FP4_COPY_BYTES = 0.5  # its 4-bit counterpart
OPTIMIZER_BYTES = 12.0  # Adam: FP32 master weights, momentum, variance (ZeRO, Rajbhandari et al. 2020)
LOGIT_BYTES = 6.0  # BF16 logits plus their FP32 copy for the cross-entropy, per vocabulary entry
SELECTIVE, FULL = RECOMPUTE_CODE["selective"], RECOMPUTE_CODE["full"]


class MemoryArrays(NamedTuple):
    weights_bytes: np.ndarray
    grads_bytes: np.ndarray
    optimizer_bytes: np.ndarray
    activations_bytes: np.ndarray  # kept on the GPU (offloaded ones excluded)
    other_bytes: np.ndarray  # MoE dispatch buffers, logits, ZeRO-3 gathered layers
    total_bytes: np.ndarray
    usable_bytes: np.ndarray
    fits: np.ndarray  # GPU total within usable HBM and offloaded activations within usable host memory
    host_bytes: np.ndarray  # activations offloaded to host memory
    offload_mb_bytes: np.ndarray  # bytes one micro-batch copies to host in the forward (and back)


def stage_layers(m: ModelArrays, lay: LayoutArrays):
    """Layers on the busiest pipeline rank: L/pp, or ceil(L/pp) for an uneven split."""
    even = m.layers / lay.pp
    return np.where(lay.uneven, np.ceil(even), even)


def recompute_fraction(lay: LayoutArrays, layers):
    """Share of the rank's layers that full recomputation re-runs: recompute_layers of each of the vpp
    model chunks (Megatron recompute_method 'block'), all of them when unset; 0 without full recompute."""
    return np.where(lay.recompute == FULL, np.minimum(lay.rc_layers * lay.vpp / layers, 1.0), 0.0)


class ActivationParts(NamedTuple):
    """Bytes per token that one layer keeps for its backward pass on one GPU, averaged over dense and MoE
    layers: without recomputation (`none`), the layer input that full recomputation keeps (`inputs`), and
    what the selected recompute modules do not keep (`freed`, part of `none`)."""

    none: np.ndarray
    inputs: np.ndarray
    freed: np.ndarray


def activation_parts(m: ModelArrays, tp, sp, modules=0, flash=True, low_precision=False) -> ActivationParts:
    """Korthikanti et al. 2022 section 4 per block, generalised to GQA/MLA widths, gated MLPs and experts:
    attention 11sbh + 5as^2b, MLP 19sbh, norms 4sbh for GPT (34sbh + 5as^2b in all). 10sbh of it (norm
    inputs, projection inputs, dropout masks) is replicated across TP ranks unless sequence parallelism
    shards it; the rest is split by TP. Fused (flash) attention keeps no s x s scores. With FP8/FP4 GEMMs
    (`low_precision`), Transformer Engine saves each GEMM input as its 1-byte copy. MLA also keeps its
    latents (norm input and up-projection input, not split by TP).
    `modules` (MODULE_BIT mask, selective recompute) frees, per Megatron-Core's recompute_modules:
    layernorm the two norm outputs (the QKV and MLP GEMM inputs), mla_up_proj the up-projected Q, K, V,
    mlp the dense MLP's inner activations, moe_act the routed experts' activation output; core_attn frees
    nothing with fused attention (it drops the scores of unfused attention)."""
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
    # replicated unless SP: 2 norm inputs (2h each), 2 GEMM inputs (g each), 2 dropout masks (1h each, only
    # for models that train with dropout)
    none = (4.0 + 2.0 * m.dropout + 2.0 * g) * h / shard + (split_2 + g * split_g) / tp + (2.0 + g) * m.mla_latent
    # unfused attention keeps its softmax output (2 bytes per score), with dropout also the mask and the
    # dropped-out scores (1 + 2): Korthikanti's 5as^2b
    score_bytes = (2.0 + 3.0 * m.dropout) * m.heads * m.seq / tp
    unfused = ~np.asarray(flash, dtype=bool)
    if np.any(unfused):
        none = none + unfused * score_bytes
    inputs = 2.0 * h / shard
    if np.ndim(modules) == 0 and modules == 0:
        return ActivationParts(none, inputs, np.zeros_like(none))
    bit = {name: (np.asarray(modules) & code) > 0 for name, code in MODULE_BIT.items()}
    freed = (
        bit["layernorm"] * 2.0 * g * h / shard
        + bit["mla_up_proj"] * (m.mla_up_params > 0) * 2.0 * (m.q_dim + m.k_dim + m.v_dim) / tp
        + bit["mlp"] * (1.0 - f_moe) * (2.0 * up + g) * m.ffn / tp
        + bit["moe_act"] * f_moe * m.top_k * g * m.expert_ffn / tp
    )
    if np.any(unfused):
        freed = freed + unfused * bit["core_attn"] * score_bytes
    return ActivationParts(none, inputs, freed)


def activation_bytes_per_token(m: ModelArrays, tp, sp, recompute, flash=True, low_precision=False):
    """Bytes one transformer layer keeps per token under `recompute` (RECOMPUTE_CODE, every layer; core
    attention for selective): see `activation_parts`. Full recompute keeps only each layer's input (2sbh)."""
    sel = np.where(recompute == SELECTIVE, MODULE_BIT["core_attn"], 0)
    a = activation_parts(m, tp, sp, sel, flash, low_precision)
    return np.where(recompute == FULL, a.inputs, a.none - a.freed)


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
    embedding: np.ndarray  # of `dense`: the embedding and/or LM head on this rank


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
    return StageParams(dense, expert, n_dense, n_expert, sharded, emb)


class ActivationMemory(NamedTuple):
    gpu: np.ndarray  # bytes of activations resident on the GPU at the peak
    host: np.ndarray  # bytes offloaded to host memory
    offload_mb: np.ndarray  # bytes one micro-batch copies to host in its forward pass (and back)
    per_layer: np.ndarray  # bytes one layer keeps for one micro-batch (average), after recomputation
    stored: np.ndarray  # bytes all in-flight micro-batches keep before offloading (working set excluded)


def activation_memory(m: ModelArrays, lay: LayoutArrays, layers=None) -> ActivationMemory:
    """Activations of the busiest rank: each layer keeps `none` bytes per token, less what selective
    recompute modules rebuild; fully recomputed layers (a `recompute_fraction` of them) keep only their
    input. The first pipeline rank holds `inflight_microbatches` micro-batches. On top sits the working
    set of the recomputation in the backward pass, one layer at a time: a fully recomputed layer's
    activations over its kept input (unless non-recomputed layers of its chunk, freed before it, left that
    much room), or the modules' activations of one layer. Offloading moves a share of the kept activations
    to host memory; the layer whose copy is in flight stays resident."""
    layers = stage_layers(m, lay) if layers is None else layers
    tokens = lay.mbs * m.seq / lay.cp  # per micro-batch on this context-parallel rank
    low = lay.precision > 0
    sel = lay.recompute == SELECTIVE
    plain_modules = bool(np.all(~sel | (lay.rc_modules == MODULE_BIT["core_attn"])))
    parts = activation_parts(m, lay.tp, lay.sp, 0 if plain_modules else np.where(sel, lay.rc_modules, 0),
                             flash=lay.flash, low_precision=low)
    keep = parts.none - parts.freed
    phi = recompute_fraction(lay, layers)
    per_layer = tokens * (keep + phi * (parts.inputs - keep))
    stored = layers * per_layer * inflight_microbatches(lay)
    chunk = layers / lay.vpp
    rebuild = np.where(phi > 0, np.maximum(parts.none - parts.inputs - (1.0 - phi) * chunk * keep, 0.0), 0.0)
    work = tokens * np.maximum(rebuild, parts.freed)
    if not np.any(lay.offload > 0):
        zero = np.zeros_like(stored)
        return ActivationMemory(stored + work, zero, zero, per_layer, stored)
    host = lay.offload * stored
    gpu = stored - host + np.minimum(host, per_layer) + work
    return ActivationMemory(gpu, host, lay.offload * layers * per_layer, per_layer, stored)


def memory_per_gpu(
    m: ModelArrays, lay: LayoutArrays, hw: HardwareArrays, sp: StageParams | None = None
) -> MemoryArrays:
    """Bytes per GPU on the busiest pipeline rank. `sp` may be passed when the caller already has it."""
    t = lay.tp
    sp = stage_params(m, lay) if sp is None else sp
    params = sp.dense + sp.expert
    sharded = sp.sharded
    copy = np.where(lay.precision == 1, FP8_COPY_BYTES, np.where(lay.precision == 2, FP4_COPY_BYTES, 0.0))
    weight_bytes = np.where(lay.fp8_params, FP8_WEIGHT_BYTES, WEIGHT_BYTES)
    z = lay.zero
    # ZeRO-3 that keeps its gathered weights from the forward to the backward (FSDP without reshard, e.g.
    # with pipeline parallelism) holds the stage's full weights and, skipping the reduce-scatter on all but
    # the last micro-batch, its full gradients during the step
    keep = (z >= 3) & lay.fsdp_keep
    weights = np.where((z >= 3) & ~keep, sharded, params) * (weight_bytes + copy)
    grads = np.where((z >= 2) & ~keep, sharded, params) * (2.0 + 2.0 * lay.grad_fp32)
    optimizer = np.where(z >= 1, sharded, params) * OPTIMIZER_BYTES

    layers = stage_layers(m, lay)
    act = activation_memory(m, lay, layers)
    tokens = lay.mbs * m.seq / lay.cp
    logits = tokens * m.vocab / t * LOGIT_BYTES
    moe_buffers = np.where(m.moe_layers > 0, 2.0 * tokens / t * m.top_k * m.hidden * 2.0, 0.0)
    # ZeRO-3: the layer in use and the ones prefetched ahead of it, gathered
    zero3_buffers = np.where((z >= 3) & ~keep, (1.0 + lay.prefetch) * params / layers * weight_bytes, 0.0)
    other = logits + moe_buffers + zero3_buffers
    total = weights + grads + optimizer + act.gpu + other
    usable = np.broadcast_to(hw.mem_usable_bytes, np.shape(total))
    fits = (total <= usable) & (act.host <= hw.host_mem_usable_bytes)
    return MemoryArrays(weights, grads, optimizer, act.gpu, other, total, usable, fits, act.host, act.offload_mb)


__all__ = [
    "ActivationMemory",
    "ActivationParts",
    "MemoryArrays",
    "StageParams",
    "activation_bytes_per_token",
    "activation_memory",
    "activation_parts",
    "recompute_fraction",
    "inflight_microbatches",
    "memory_per_gpu",
    "stage_layers",
    "stage_params",
]
