"""The training step model: time, throughput, MFU/HFU and memory of one optimizer step.

`evaluate` is pure numpy over structures of arrays: one model (or one per row), any number of layouts
(LayoutArrays) and one machine (or one per row). No Python loop runs per layout. `step_breakdown`
evaluates one typed layout through the same code and returns a typed `StepBreakdown`.

Per micro-batch and pipeline rank, each layer costs forward + backward (+ recompute) compute and the
part of its TP / CP / EP communication that overlap does not hide; the step is
  compute + exposed tp + cp + ep + pp  (x micro-batches)  + pipeline bubble + exposed DP + optimizer,
with the bubble (pp-1)/vpp micro-batch slots of the busiest rank (Narayanan et al. 2021 section 2.2).
docs/perf_model.md states every assumption.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict

from colossim.models.schema import ModelSpec
from colossim.perf.comm import (
    all_to_all_time,
    allreduce_time,
    dedup_all_to_all_time,
    exposed,
    gather_cost,
    members_per_domain,
    p2p_time,
)
from colossim.perf.compute import attention_time, gemm_rate, gemm_time, memory_time, peak_flops
from colossim.perf.flops import hardware_flops_per_token, model_flops_per_token
from colossim.perf.hardware import Hardware, HardwareArrays
from colossim.perf.layout import (
    MODULE_BIT,
    PRECISION_CODE,
    Layout,
    LayoutArrays,
    from_layouts,
    layout_problems,
    valid_mask,
)
from colossim.perf.memory import MemoryArrays, memory_per_gpu, recompute_fraction, stage_layers, stage_params
from colossim.perf.shapes import ModelArrays, model_arrays

ACT_BYTES = 2.0  # BF16 activations on the wire (TP, CP, EP, PP)
EW_HIDDEN = 12.0  # element-wise traffic per layer, in hidden-size vectors per token: 2 norms (read+write),
#                   2 residual adds (2 reads + 1 write), rotary/bias ~2
CAST_BYTES = 3.0  # FP8/FP4 cast of a GEMM input: read BF16 (2) + write the low-precision copy (1)
LOGIT_PASS_BYTES = (
    48.0  # vocab-parallel cross-entropy in FP32 per logit (Megatron _VocabParallelCrossEntropy):
)
#   forward: BF16 read + FP32 copy (6), max (4), subtract, exp and divide in place (3 x 8), sum (4);
#   backward: softmax minus one-hot (8) and the BF16 gradient for the LM head (6) ~ 52 bytes, rounded down
KERNELS_PER_LAYER = (
    45.0  # kernels one layer launches per micro-batch: ~15 forward, ~30 backward (norms, GEMMs,
)
#                          attention, rotary, activation, residuals, casts), from Megatron-Core profiles
OPTIMIZER_STEP_BYTES = (
    32.0  # Adam over FP32 state per parameter: read grad, master, m, v; write master, m, v, BF16
)


class StepArrays(NamedTuple):
    """Per-row results (seconds per optimizer step unless named otherwise)."""

    step_time_s: np.ndarray
    compute_s: np.ndarray  # forward + backward + recompute kernels of the busiest rank
    tp_s: np.ndarray  # exposed communication of each kind
    cp_s: np.ndarray
    ep_s: np.ndarray
    pp_s: np.ndarray
    dp_s: np.ndarray
    bubble_s: np.ndarray
    optimizer_s: np.ndarray
    offload_s: np.ndarray  # activation copies to/from host memory that compute does not hide
    tokens_per_s: np.ndarray
    mfu: np.ndarray  # model FLOPs / (step time x GPUs x dense peak at the layout's precision)
    hfu: np.ndarray  # same with recomputation counted
    model_tflops_per_gpu: np.ndarray
    microbatches: np.ndarray
    memory: MemoryArrays
    valid: np.ndarray  # layout valid for the model and precision supported by the GPU


def _as_model(model) -> ModelArrays:
    return model_arrays(model) if isinstance(model, ModelSpec) else model


def _as_hw(hw) -> HardwareArrays:
    return hw.arrays() if isinstance(hw, Hardware) else hw


BLOCK = 16384  # rows per block: keeps the temporaries of one block in cache (~1.5x faster than one pass)


def _rows(values: tuple, start: int, stop: int, n: int) -> tuple:
    """Slice every per-row field (length n) of a NamedTuple; scalars and shared arrays pass through."""
    return type(values)(*(v[start:stop] if np.ndim(v) and np.shape(v)[0] == n else v for v in values))


def _concat(parts: list):
    first = parts[0]
    if isinstance(first, tuple):  # NamedTuple of arrays (StepArrays, MemoryArrays)
        return type(first)(*(_concat([p[i] for p in parts]) for i in range(len(first))))
    return np.concatenate(parts)


def evaluate(
    model: ModelSpec | ModelArrays, lay: LayoutArrays, hardware: Hardware | HardwareArrays
) -> StepArrays:
    """Step time, throughput, MFU and memory of every layout row (see StepArrays). `model` and `hardware`
    are one value broadcast to all rows, or arrays with one entry per row."""
    m, hw = _as_model(model), _as_hw(hardware)
    n = lay.rows
    if n <= BLOCK:
        return _evaluate_block(m, lay, hw)
    count = -(-n // BLOCK)
    size = -(-n // count)  # equal blocks of at most BLOCK rows
    blocks = []
    for start in range(0, n, size):  # blocks of rows, not a loop over layouts
        stop = min(start + size, n)
        blocks.append(
            _evaluate_block(_rows(m, start, stop, n), _rows(lay, start, stop, n), _rows(hw, start, stop, n))
        )
    return _concat(blocks)


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


def _evaluate_block(m: ModelArrays, lay: LayoutArrays, hw: HardwareArrays) -> StepArrays:
    t, p, d, c, e, et, v, b = lay.tp, lay.pp, lay.dp, lay.cp, lay.ep, lay.etp, lay.vpp, lay.mbs
    h, S, rec = m.hidden, m.seq, lay.recompute
    D = hw.nvlink_domain
    nv_bw, net_bw, nv_lat, net_lat = hw.nvlink_bw, hw.net_bw, hw.nvlink_lat, hw.net_lat
    n_mb = lay.gbs / (d * b)  # micro-batches per pipeline per step
    T = b * S / c  # tokens of one micro-batch on this context-parallel rank
    tok = T / t  # GEMM rows per GPU after the TP split
    layers = stage_layers(m, lay)
    f_moe = m.moe_layers / m.layers
    f_dense = 1.0 - f_moe
    shard = np.where(lay.sp & (t > 1), t, 1.0)  # sequence parallelism shards the element-wise work
    full, sel = rec == 2, rec == 1
    phi = recompute_fraction(lay, layers)  # share of the rank's layers fully recomputed
    dense_model = np.ndim(m.experts) == 0 and m.experts == 0  # one dense model for the whole block
    any_cp = bool(np.any(c > 1))

    # ---- compute of one layer, one micro-batch (forward), averaged over dense and MoE layers
    rate, rate16 = gemm_rate(lay.precision, hw), hw.peak_bf16 * hw.eff_bf16
    half, tail = hw.gemm_half_dim, hw.gemm_tail
    # narrowest dimension of each GEMM per GPU: rows (tokens), and the widths after TP/EP sharding
    d_attn = np.minimum(np.minimum(T, m.attn_narrow), m.out_dim / t)
    d_mlp = np.minimum(np.minimum(T, h), np.maximum(m.ffn, 1.0) / t)
    t_gemm = gemm_time(tok * 2.0 * m.attn_params, m.attn_calls, d_attn, rate, half, tail)
    t_mlp = gemm_time(tok * 2.0 * m.mlp_params, 2.0, d_mlp, rate, half, tail)  # dense MLP of one layer
    if dense_model:
        t_experts = 0.0
        t_gemm = t_gemm + t_mlp
    else:
        expert_rows = tok * m.top_k * e * et / np.maximum(m.experts, 1.0) * hw.moe_imbalance  # per local expert
        d_exp = np.minimum(np.minimum(expert_rows, h), m.expert_ffn / et)
        d_shared = np.minimum(np.minimum(T, h), m.shared * m.expert_ffn / t)
        routed = tok * 2.0 * m.top_k * m.expert_params * hw.moe_imbalance  # busiest expert rank
        t_experts = gemm_time(routed, 2.0, d_exp, rate, half, tail)  # grouped GEMMs: fc1 and fc2
        shared = gemm_time(tok * 2.0 * m.shared * m.expert_params, 2.0 * (m.shared > 0), d_shared, rate, half, tail)
        router = gemm_time(tok * 2.0 * m.router_params, 1.0, np.minimum(T, m.experts), rate16, half, tail)
        t_gemm = t_gemm + f_dense * t_mlp + f_moe * (t_experts + shared + router)
    t_core = attention_time(tok * (S / 2.0) * 2.0 * m.heads * (m.qk_head_dim + m.v_head_dim), hw)  # causal
    ffn_act = (
        f_dense * m.ffn + f_moe * (m.top_k + m.shared) * m.expert_ffn
    )  # MLP width a token passes through
    ew_elems = EW_HIDDEN * h / shard + (m.mlp_mats * ffn_act + f_moe * m.top_k * 4.0 * h) / t
    cast = np.where(lay.precision > 0, CAST_BYTES * (2.0 * h / shard + (m.out_dim + ffn_act) / t), 0.0)
    t_ew = memory_time(T * (ACT_BYTES * ew_elems + cast), hw)
    t_fwd = t_gemm + t_core + t_ew
    t_bwd = 2.0 * t_gemm + hw.attention_bwd_factor * t_core + 2.0 * t_ew
    t_rec = np.where(full, phi * t_fwd, np.where(sel, t_core, 0.0))
    if np.any(sel & (lay.rc_modules != MODULE_BIT["core_attn"])):  # Megatron-Core recompute_modules
        t_rec = np.where(sel, _module_recompute_time(m, lay, hw, T, tok, shard, f_moe, t_core, t_mlp, rate), t_rec)

    # ---- tensor parallel: 2 all-reduces (or reduce-scatter + all-gather with SP) per dense layer forward,
    # 1 for the attention of an MoE layer (+1 with shared experts), the same backward (Megatron)
    msg = T * h * ACT_BYTES
    ar = allreduce_time(msg, t, members_per_domain(t, 1.0, D), nv_bw, net_bw, nv_lat, net_lat)
    if dense_model:
        tp_f = 2.0 * ar
    else:
        etp = allreduce_time(
            tok * m.top_k * h * ACT_BYTES, et, members_per_domain(et, 1.0, D), nv_bw, net_bw, nv_lat, net_lat
        )
        tp_f = (f_dense * 2.0 + f_moe * (1.0 + (m.shared > 0))) * ar + f_moe * etp
    # forward: overlapped only with userbuffer overlap (Transformer Engine, needs SP); backward: Megatron
    # overlaps each dgrad's collective with the wgrad GEMM (async TP communication, on by default since 2021)
    tp_on = lay.ovl_tp & lay.sp
    tp_layer = exposed(tp_f, t_gemm, hw.ovl_tp, tp_on) * (1.0 + phi) + exposed(tp_f, t_gemm, hw.ovl_tp, True)

    # ---- context parallel: ring of cp-1 K/V block exchanges forward, K/V and their gradients backward
    cp_layer = 0.0
    if any_cp:
        cp_in = members_per_domain(c, t, D) >= c
        kv = T * (m.k_dim + m.v_dim) * ACT_BYTES / t
        cp_f = (c - 1.0) * p2p_time(kv, np.where(cp_in, nv_bw, net_bw), np.where(cp_in, nv_lat, net_lat))
        cp_layer = exposed(cp_f, t_core, hw.ovl_cp, lay.ovl_cp) * (1.0 + phi) + exposed(
            2.0 * cp_f, hw.attention_bwd_factor * t_core, hw.ovl_cp, lay.ovl_cp
        )

    # ---- expert parallel: dispatch + combine all-to-all per MoE layer, forward and backward
    ep_layer = 0.0
    if not dense_model:
        k_ep = members_per_domain(e, et, D)
        a2a = np.where(
            lay.ep_dedup,
            dedup_all_to_all_time(
                h * ACT_BYTES, tok * hw.moe_imbalance, m.top_k, e, k_ep, nv_bw, net_bw, nv_lat, net_lat
            ),
            all_to_all_time(
                tok * m.top_k * h * ACT_BYTES * hw.moe_imbalance, e, k_ep, nv_bw, net_bw, nv_lat, net_lat
            ),
        )
        ep_f = f_moe * 2.0 * a2a
        ep_layer = exposed(ep_f, f_moe * t_experts, hw.ovl_ep, lay.ovl_ep) * (1.0 + phi) + exposed(
            ep_f, f_moe * 2.0 * t_experts, hw.ovl_ep, lay.ovl_ep
        )

    # ---- LM head and loss on the last rank, BF16, forward + backward
    t_head = 3.0 * gemm_time(
        tok * 2.0 * m.vocab * h, 1.0, np.minimum(np.minimum(T, h), m.vocab / t), rate16, half, tail
    ) + memory_time(tok * m.vocab * LOGIT_PASS_BYTES, hw)

    t_layer = (
        t_fwd + t_bwd + t_rec + KERNELS_PER_LAYER * (1.0 + phi / 3.0) * hw.kernel_launch
    )
    comm_layer = tp_layer + cp_layer + ep_layer
    t_slot = layers * (t_layer + comm_layer) + t_head  # one micro-batch on the busiest rank

    # ---- pipeline: each micro-batch sends activations forward and gradients back at every chunk boundary
    pp_in = t * c * d * p <= D
    pp_mb = np.where(
        p > 1,
        2.0
        * v
        * p2p_time(
            T * h * ACT_BYTES / shard, np.where(pp_in, nv_bw, net_bw), np.where(pp_in, nv_lat, net_lat)
        ),
        0.0,
    )
    pp_mb = exposed(pp_mb, t_slot, hw.ovl_pp, lay.ovl_pp)
    bubble = (p - 1.0) / v * (t_slot + pp_mb)

    # ---- data parallel over dp x cp (experts over their own replicas), hierarchical across domains
    sp_ = stage_params(m, lay)
    gbytes = 2.0 + 2.0 * lay.grad_fp32
    groups = [(sp_.dense, sp_.dense_replicas, members_per_domain(sp_.dense_replicas, t, D))]
    if not dense_model:  # expert weights are reduced over their own replica group
        groups.append((sp_.expert, sp_.expert_replicas, members_per_domain(sp_.expert_replicas, e * et, D)))
    z = lay.zero
    weight_bytes = np.where(lay.fp8_params, 1.0, 2.0)  # parameters are gathered in BF16, or FP8 (fp8_params)
    any_plain_dp = bool(np.any(z == 0))
    reduce_ar = reduce_rs = param_ag = 0.0
    for params, n, k in groups:
        per_byte, latency = gather_cost(n, k, nv_bw, net_bw, nv_lat, net_lat)  # RS and AG cost the same
        reduce_rs = reduce_rs + params * gbytes * per_byte + latency
        param_ag = param_ag + params * weight_bytes * per_byte + latency
        if any_plain_dp:  # ZeRO-0 all-reduces instead (ring or tree across domains)
            reduce_ar = reduce_ar + allreduce_time(params * gbytes, n, k, nv_bw, net_bw, nv_lat, net_lat)
    win_f, win_b = layers * t_fwd, layers * (t_bwd + t_rec)
    dp_z012 = exposed(np.where(z == 0, reduce_ar, reduce_rs), win_b, hw.ovl_dp, lay.ovl_dp) + (
        z >= 1
    ) * exposed(param_ag, win_f, hw.ovl_dp, lay.ovl_dp)
    # ZeRO-3 / FSDP: gather weights before each micro-batch's forward and backward, reduce-scatter grads
    dp_z3 = n_mb * (
        exposed(param_ag, win_f, hw.ovl_dp, lay.ovl_dp)
        + exposed(param_ag + reduce_rs, win_b, hw.ovl_dp, lay.ovl_dp)
    )
    dp = np.where(z >= 3, dp_z3, dp_z012)

    # ---- optimizer: memory-bound Adam over the local shard
    local = np.where(z >= 1, sp_.sharded, sp_.dense + sp_.expert)
    optimizer = memory_time(local * OPTIMIZER_STEP_BYTES, hw)

    # ---- activation offload: each micro-batch copies its offloaded activations to host memory during its
    # forward pass and back during its backward pass, over the host link, hidden behind that pass's compute
    mem = memory_per_gpu(m, lay, hw, sp_)
    if np.any(lay.offload > 0):
        copy = mem.offload_mb_bytes / hw.host_bw
        offload = n_mb * (exposed(copy, win_f, 1.0, True) + exposed(copy, win_b, 1.0, True))
    else:
        offload = np.zeros_like(optimizer)

    compute = n_mb * (layers * t_layer + t_head)
    tp_s, cp_s, ep_s = n_mb * layers * tp_layer, n_mb * layers * cp_layer, n_mb * layers * ep_layer
    pp_s = n_mb * pp_mb
    step = compute + tp_s + cp_s + ep_s + pp_s + bubble + dp + optimizer + offload

    tokens = lay.gbs * S
    gpus = t * p * d * c
    peak = peak_flops(lay.precision, hw)
    model_flops = tokens * model_flops_per_token(m)
    mfu = model_flops / (step * gpus * peak)
    hfu = tokens * hardware_flops_per_token(m, rec, lay.rc_modules, phi) / (step * gpus * peak)
    valid = valid_mask(m, lay) & np.isfinite(step)
    return StepArrays(
        step,
        compute,
        tp_s,
        cp_s,
        ep_s,
        pp_s,
        dp,
        bubble,
        optimizer,
        offload,
        tokens / step,
        mfu,
        hfu,
        model_flops / (step * gpus) / 1e12,
        n_mb,
        mem,
        valid,
    )


# ------------------------------------------------------------------ one typed layout


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MemoryBreakdown(_Out):
    weights_gb: float
    grads_gb: float
    optimizer_gb: float
    activations_gb: float
    other_gb: float
    total_gb: float
    usable_gb: float
    hbm_gb: float
    host_gb: float = 0.0  # activations offloaded to host memory (activation_offload)
    fits: bool


class StepBreakdown(_Out):
    """One layout's step: where the time goes (seconds per optimizer step) and memory per GPU."""

    model: str
    gpu: str
    gpus: int
    step_time_s: float
    compute_s: float
    tp_s: float
    cp_s: float
    ep_s: float
    pp_s: float
    dp_s: float
    bubble_s: float
    optimizer_s: float
    offload_s: float = 0.0
    tokens_per_s: float
    mfu: float
    hfu: float
    model_tflops_per_gpu: float
    microbatches: int
    memory: MemoryBreakdown
    calibrated: bool
    notes: list[str] = []


def step_breakdown(model: ModelSpec, layout: Layout, hardware: Hardware) -> StepBreakdown:
    """Evaluate one layout (through `evaluate`); raises InputError/ValueError when it cannot run."""
    from colossim.inputs import InputError  # local: keeps the hot module free of I/O concerns

    problems = layout_problems(model, layout)
    if problems:
        raise InputError("layout", problems)
    if hardware.gpu.dense_tflops.at(layout.precision) is None or (
        getattr(hardware.calibration.gemm_eff, layout.precision) is None
    ):
        supported = [
            p
            for p in PRECISION_CODE
            if hardware.gpu.dense_tflops.at(p) is not None
            and getattr(hardware.calibration.gemm_eff, p) is not None
        ]
        raise ValueError(
            f"{hardware.gpu.id} has no calibrated {layout.precision} mode: use precision in {supported}"
        )
    r = evaluate(model, from_layouts([layout]), hardware)
    mem = r.memory

    def f(x) -> float:
        return float(np.asarray(x).reshape(-1)[0])

    notes = []
    if not hardware.calibrated:
        notes.append(
            f"{hardware.gpu.id} has no calibration of its own: using the '{hardware.family}' family's"
        )
    if model.estimate:
        notes.append(f"{model.id} is an estimated architecture")
    if not bool(mem.fits[0]):
        notes.append(
            "does not fit in memory: raise tp/pp/cp, the ZeRO stage, recomputation or activation offload"
        )
    return StepBreakdown(
        model=model.id,
        gpu=hardware.gpu.id,
        gpus=layout.gpus,
        step_time_s=f(r.step_time_s),
        compute_s=f(r.compute_s),
        tp_s=f(r.tp_s),
        cp_s=f(r.cp_s),
        ep_s=f(r.ep_s),
        pp_s=f(r.pp_s),
        dp_s=f(r.dp_s),
        bubble_s=f(r.bubble_s),
        optimizer_s=f(r.optimizer_s),
        offload_s=f(r.offload_s),
        tokens_per_s=f(r.tokens_per_s),
        mfu=f(r.mfu),
        hfu=f(r.hfu),
        model_tflops_per_gpu=f(r.model_tflops_per_gpu),
        microbatches=int(round(f(r.microbatches))),
        memory=MemoryBreakdown(
            weights_gb=f(mem.weights_bytes) / 1e9,
            grads_gb=f(mem.grads_bytes) / 1e9,
            optimizer_gb=f(mem.optimizer_bytes) / 1e9,
            activations_gb=f(mem.activations_bytes) / 1e9,
            other_gb=f(mem.other_bytes) / 1e9,
            total_gb=f(mem.total_bytes) / 1e9,
            usable_gb=f(mem.usable_bytes) / 1e9,
            hbm_gb=hardware.gpu.hbm_gb,
            host_gb=f(mem.host_bytes) / 1e9,
            fits=bool(mem.fits[0]),
        ),
        calibrated=hardware.calibrated,
        notes=notes,
    )


__all__ = ["MemoryBreakdown", "StepArrays", "StepBreakdown", "evaluate", "step_breakdown"]
