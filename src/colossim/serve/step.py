"""One engine iteration of one pipeline stage of a serving replica: decode tokens of the running requests
plus a chunk of prompt (prefill) tokens, batched together (continuous batching with chunked prefill:
Orca, Yu et al. OSDI 2022; Sarathi-Serve, Agrawal et al. OSDI 2024). Vectorised over layouts.

Per layer on the busiest GPU, each part takes the slower of its compute and its memory traffic (roofline,
Williams et al. 2009):
- non-expert GEMMs: 2 x rows x weights FLOPs at the precision's GEMM rate, rows padded to the tensor-core
  tile (a decode GEMM over 8 tokens costs as much tensor time as 64), against the weights streamed from
  HBM at the decode streaming efficiency;
- routed experts: only the experts some token picked are read (E/ep x (1 - exp(-assignments/E)) on a rank);
  the busiest expert rank gets mean + sqrt(2 mean ln ep) assignments (balls into bins, Raab & Steger 1998)
  times the routing skew of perf/calibration.yaml;
- attention: decode reads each request's KV cache (memory) and does its FLOPs (MLA absorbed: compute-bound);
  prefill is causal attention over the prompt at the fused-attention rate;
- communication: two all-reduces per layer under TP, a dispatch and a combine all-to-all per MoE layer
  under data-parallel attention, one activation send per pipeline boundary;
- fixed costs: a per-layer kernel gap and a per-iteration runtime overhead (serve/calibration.yaml).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from colossim.perf.compute import flash_attention_time, gemm_rate, gemm_time, memory_time
from colossim.perf.hardware import HardwareArrays
from colossim.perf.layer import ACT_BYTES, EW_HIDDEN
from colossim.serve.comm import expert_all_to_all_time, stage_send_time, tp_allreduce_time
from colossim.serve.constants import ServeConstants
from colossim.serve.layout import ServeLayoutArrays
from colossim.serve.memory import non_expert_shard, precision_bytes, stage_layers
from colossim.serve.shapes import ServeModel


class StageTime(NamedTuple):
    """Seconds of one iteration on the busiest stage, by part (total = sum of the parts)."""

    total_s: np.ndarray
    gemm_s: np.ndarray  # non-expert and expert GEMMs and the LM head
    attention_s: np.ndarray
    comm_s: np.ndarray
    fixed_s: np.ndarray  # kernel gaps, runtime overhead, element-wise kernels, drafting
    compute_bound_s: np.ndarray  # part of gemm_s + attention_s limited by compute rather than HBM


def _stream_s(nbytes, hw: HardwareArrays, c: ServeConstants):
    """Weights streamed from HBM at the decode streaming efficiency."""
    return nbytes / (hw.hbm_bw * c.stream_eff)


def _roofline(flops, calls, width, stream_s, rate, hw: HardwareArrays):
    """(time, compute-bound part) of GEMMs: the slower of their compute and their weight reads (`stream_s`)."""
    comp = gemm_time(flops, calls, width, rate, hw.gemm_half_dim, hw.gemm_tail)
    return np.maximum(comp, stream_s), np.where(comp >= stream_s, comp, 0.0)


def busiest_rank_load(assignments, ranks, skew, log_ranks=None):
    """Assignments on the busiest of `ranks` expert ranks: skew x (mean + sqrt(2 mean ln ranks)); `log_ranks`,
    ln(max(ranks, 1)), when the caller has it."""
    mean = assignments / ranks
    if log_ranks is None:
        log_ranks = np.log(np.maximum(ranks, 1.0))
    return skew * (mean + np.sqrt(2.0 * mean * log_ranks))


def by_code(table_of, codes, n_codes: int):
    """`table_of(codes)` for rows of small integer codes (a precision) through a table of its n_codes values when
    they do not depend on the row (scalar hardware); computed row by row otherwise."""
    table = table_of(np.arange(n_codes, dtype=float)[:, None])
    if np.shape(table) != (n_codes, 1):
        return table_of(codes)
    return table[:, 0][np.asarray(codes).astype(np.intp)]


def row_groups(values) -> tuple[tuple[float, np.ndarray], ...]:
    """Rows by the value of a column of few distinct values (a parallel size): (value, row indices) each."""
    values = np.asarray(values)
    return tuple((float(v), np.flatnonzero(values == v)) for v in np.unique(values))


class StageSetup(NamedTuple):
    """What a stage's iteration time needs that does not depend on its tokens (computed once per layout set)."""

    ranks: np.ndarray
    shard: np.ndarray
    layers: np.ndarray
    wb: np.ndarray
    kvb: np.ndarray
    rate: np.ndarray
    w_ne: np.ndarray
    width: np.ndarray
    kv_per_ctx: np.ndarray  # KV bytes one request reads per cached token per layer on a GPU
    etp: np.ndarray
    w_exp: np.ndarray  # one expert's weights on one of its GPUs
    exp_width: np.ndarray
    ew_per_row: np.ndarray  # element-wise elements per non-expert row per layer
    ew_per_assignment: np.ndarray
    head_w: np.ndarray
    head_width: np.ndarray
    steps: np.ndarray  # tokens a running request verifies per iteration (1 + drafted)
    ne_stream_s: np.ndarray  # one layer's non-expert weights read from HBM
    head_stream_s: np.ndarray  # the LM head's weights read from HBM
    experts_per_rank: np.ndarray  # routed experts on one expert-parallel rank
    log_ep: np.ndarray  # ln(max(ep, 1)), for the busiest expert rank
    tp_groups: tuple[tuple[float, np.ndarray], ...]  # rows by attention TP size (the all-reduce group)
    pipelined: bool  # some row has pp > 1
    drafting: bool  # some row drafts tokens


def stage_setup(model: ServeModel, lay: ServeLayoutArrays, hw: HardwareArrays, c: ServeConstants) -> StageSetup:
    shard = non_expert_shard(lay)
    kvb = precision_bytes(lay.kvprec, c.kv_bytes)
    wb = precision_bytes(lay.wprec, c.w_bytes)
    etp = lay.tp / lay.ep
    f_moe = model.moe_layers / model.layers
    w_ne = model.layer_weights / shard
    head_w = model.vocab * model.hidden / shard
    return StageSetup(
        ranks=lay.groups, shard=shard, layers=stage_layers(model, lay), wb=wb, kvb=kvb,
        rate=by_code(lambda p: gemm_rate(p, hw), lay.wprec, len(c.w_bytes)), w_ne=w_ne,
        width=np.minimum(model.layer_width / shard, model.latent_width),
        kv_per_ctx=model.kv_elems * kvb / np.minimum(lay.atp, model.kv_heads), etp=etp,
        w_exp=model.expert_weights / etp, exp_width=np.maximum(model.expert_ffn / etp, 1.0),
        ew_per_row=EW_HIDDEN * model.hidden + (1.0 - f_moe) * model.mlp_mats * model.ffn / shard,
        ew_per_assignment=f_moe * (model.mlp_mats * model.expert_ffn / etp + 4.0 * model.hidden),
        head_w=head_w, head_width=np.maximum(model.vocab / shard, 1.0), steps=1.0 + lay.spec_k,
        ne_stream_s=_stream_s(w_ne * wb, hw, c), head_stream_s=_stream_s(head_w * c.lm_head_bytes, hw, c),
        experts_per_rank=np.maximum(model.experts, 1.0) / lay.ep, log_ep=np.log(np.maximum(lay.ep, 1.0)),
        tp_groups=row_groups(lay.atp), pipelined=bool(np.any(lay.pp > 1)), drafting=bool(np.any(lay.spec_k > 0)))


def _layer_gemms(model: ServeModel, lay: ServeLayoutArrays, hw: HardwareArrays, c: ServeConstants, s: StageSetup,
                 tokens, rows, f_moe, dense_model: bool):
    """(time, compute-bound part) of one average layer's GEMMs on the busiest GPU, and the assignments on the
    busiest expert rank (0 for a dense model). Each part of stage_time is its own function so that its
    temporaries are freed when it returns: the peak of live arrays sets how much memory each call touches."""
    # non-expert GEMMs (attention projections, dense MLP share, shared experts, router)
    padded = np.maximum(rows, c.tile_rows) * (tokens > 0)
    t_ne, cb_ne = _roofline(2.0 * padded * s.w_ne, model.layer_calls, s.width, s.ne_stream_s, s.rate, hw)
    if dense_model:  # routed experts skipped when every row is one dense model
        return t_ne + f_moe * 0.0, cb_ne + f_moe * 0.0, 0.0
    # routed experts of one MoE layer
    experts = np.maximum(model.experts, 1.0)
    assignments = tokens * model.top_k
    busiest = busiest_rank_load(assignments, lay.ep, hw.moe_imbalance, s.log_ep)
    active = np.maximum(s.experts_per_rank * (1.0 - np.exp(-assignments / experts)), 1e-9)  # experts hit on a rank
    exp_rows = np.maximum(busiest / active, c.tile_rows)
    t_exp, cb_exp = _roofline(2.0 * active * exp_rows * s.w_exp, 2.0, s.exp_width,
                              _stream_s(active * s.w_exp * s.wb, hw, c), s.rate, hw)
    if np.ndim(model.experts):  # rows of several models, some dense
        t_exp, cb_exp = np.where(model.experts > 0, t_exp, 0.0), np.where(model.experts > 0, cb_exp, 0.0)
    return t_ne + f_moe * t_exp, cb_ne + f_moe * cb_exp, busiest


def _attention(model: ServeModel, hw: HardwareArrays, c: ServeConstants, s: StageSetup, decode_seqs, decode_ctx,
               pf_busiest, prefill_ctx):
    """(time, compute-bound part) of one layer's attention: decode reads each request's KV cache and does its
    FLOPs; prefill is causal attention over the prompt. Fused attention as the training model runs it
    (perf.compute.flash_attention_time): matmuls plus the softmax exponentials, one per query head and
    attended position."""
    seqs = decode_seqs / s.ranks
    kv_read = seqs * decode_ctx * s.kv_per_ctx
    dec_flops = seqs * s.steps * decode_ctx * model.decode_attn_flops / s.shard
    t_dec_mem = _stream_s(kv_read, hw, c)
    t_dec_cmp = flash_attention_time(dec_flops, dec_flops * model.q_heads / model.decode_attn_flops, hw)
    pf_flops = pf_busiest * prefill_ctx * model.prefill_attn_flops / s.shard
    t_pf = flash_attention_time(pf_flops, pf_flops * model.q_heads / model.prefill_attn_flops, hw)
    return np.maximum(t_dec_mem, t_dec_cmp) + t_pf, np.where(t_dec_cmp >= t_dec_mem, t_dec_cmp, 0.0) + t_pf


def _layer_comm(model: ServeModel, lay: ServeLayoutArrays, hw: HardwareArrays, c: ServeConstants, s: StageSetup,
                rows, f_moe, dense_model: bool):
    """Communication of one layer: without attention DP two all-reduces over tp (after attention and after the
    MLP or experts); with it, all-reduces over the attention TP group after attention and dense MLPs and a
    dispatch and a combine all-to-all over the tp GPUs per MoE layer (each of a group's atp GPUs sends 1/atp)."""
    h = model.hidden
    t_ar = tp_allreduce_time(rows * h * ACT_BYTES, lay.atp, hw, c.oneshot_lat_s, s.tp_groups)
    if dense_model:
        return 2.0 * t_ar
    a2a = expert_all_to_all_time(rows * model.top_k * h * ACT_BYTES / lay.atp, lay.tp, hw)
    return np.where(s.ranks > 1, (2.0 - f_moe) * t_ar + f_moe * 2.0 * a2a, 2.0 * t_ar)


def stage_time(model: ServeModel, lay: ServeLayoutArrays, hw: HardwareArrays, c: ServeConstants,
               decode_seqs, decode_ctx, prefill_tokens, prefill_ctx, prefill_busiest=None,
               setup: StageSetup | None = None) -> StageTime:
    """Iteration time of one stage for `decode_seqs` running requests (each verifying 1 + draft tokens) with
    `decode_ctx` cached tokens on average, plus `prefill_tokens` prompt tokens attending `prefill_ctx` earlier
    positions on average. Counts are for the whole stage (all its GPUs). Under data-parallel attention each GPU
    prefills its own requests, so the busiest GPU may carry more than its share: `prefill_busiest` prompt
    tokens (default: an even share); every GPU then waits for it at the experts' all-to-all."""
    s = setup or stage_setup(model, lay, hw, c)
    ranks, layers = s.ranks, s.layers  # ranks: data-parallel attention groups, they serve different requests
    f_moe = model.moe_layers / model.layers
    dense_model = np.ndim(model.experts) == 0 and model.experts == 0

    dec_tokens = decode_seqs * s.steps
    tokens = dec_tokens + prefill_tokens
    pf_busiest = prefill_tokens / ranks if prefill_busiest is None else prefill_busiest
    dec_rows = dec_tokens / ranks
    rows = dec_rows + pf_busiest  # GEMM rows on the busiest GPU

    gemm_layer, cb_layer, busiest = _layer_gemms(model, lay, hw, c, s, tokens, rows, f_moe, dense_model)
    t_attn, cb_attn = _attention(model, hw, c, s, decode_seqs, decode_ctx, pf_busiest, prefill_ctx)
    cb_layer = cb_layer + cb_attn

    # ---- element-wise kernels per layer, as the training model counts them (perf/step.py): norms, residuals
    # and rotary (EW_HIDDEN hidden-sized vectors per token), the MLP activation (read the gate/up outputs,
    # write the product) and, per routed assignment, the permute / un-permute / weighted combine of a
    # hidden vector (4 h); dense parts on the busiest GPU's rows, experts on the busiest expert rank's share
    ew = rows * s.ew_per_row
    if not dense_model:
        ew = ew + busiest * s.ew_per_assignment
    t_ew = memory_time(ACT_BYTES * ew, hw)
    del ew, busiest

    comm_layer = _layer_comm(model, lay, hw, c, s, rows, f_moe, dense_model)

    # ---- LM head on the last stage: decode tokens only (a prompt needs logits for its last token)
    head_rows = np.maximum(dec_rows, c.tile_rows) * (dec_tokens > 0)
    t_head, cb_head = _roofline(2.0 * head_rows * s.head_w, 1.0, s.head_width, s.head_stream_s,
                                hw.peak_bf16 * hw.eff_bf16, hw)

    send = 0.0
    if s.pipelined:
        send = np.where(lay.pp > 1, stage_send_time(rows * model.hidden * ACT_BYTES, lay.gpus, hw), 0.0)
    gemm = layers * gemm_layer + t_head
    attention = layers * t_attn
    comm = layers * comm_layer + send
    fixed = layers * (c.layer_overhead_s + t_ew) + c.iteration_overhead_s
    base = gemm + attention + comm + fixed
    draft = 0.0
    if s.drafting:  # drafting steps before the verify pass
        draft = lay.spec_k * lay.spec_cost * base * (decode_seqs > 0)
    compute_bound = layers * cb_layer + cb_head
    return StageTime(base + draft, gemm, attention, comm, fixed + draft, compute_bound)


def accepted_tokens(k, alpha):
    """Expected tokens a step emits with k drafted tokens each accepted with probability alpha:
    (1 - alpha^(k+1)) / (1 - alpha) (Leviathan, Kalman & Matias, ICML 2023, eq. 1); 1 without drafting."""
    drafting = np.asarray(k) > 0
    if not np.any(drafting):  # no row drafts: skip the power
        return np.ones(np.broadcast_shapes(drafting.shape, np.shape(alpha)))
    return np.where(drafting, (1.0 - alpha ** (k + 1.0)) / (1.0 - alpha), 1.0)


__all__ = ["StageSetup", "StageTime", "accepted_tokens", "busiest_rank_load", "by_code", "row_groups", "stage_setup",
           "stage_time"]
