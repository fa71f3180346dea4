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
    gather_time,
    members_per_domain,
    p2p_time,
)
from colossim.perf.compute import memory_time, peak_flops
from colossim.perf.dp import dp_time
from colossim.perf.flops import hardware_flops_per_token, model_flops_per_token
from colossim.perf.hardware import Hardware, HardwareArrays
from colossim.perf.host import host_costs
from colossim.perf.layer import ACT_BYTES, layer_times
from colossim.perf.layout import (
    PRECISION_CODE,
    Layout,
    LayoutArrays,
    from_layouts,
    layout_problems,
    valid_mask,
)
from colossim.perf.memory import MemoryArrays, memory_per_gpu, stage_params
from colossim.perf.shapes import ModelArrays, model_arrays

OPTIMIZER_STEP_BYTES = 32.0  # Adam over FP32 state per parameter: read grad, master, m, v; write master, m, v, BF16
FP8_RECAST_BYTES = 5.0  # FP8 primary weights: read the FP32 master (4), write the FP8 weight (1) after the step


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
    host_s: np.ndarray  # launch-bound waits, host synchronisations and per-step host work
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


def _evaluate_block(m: ModelArrays, lay: LayoutArrays, hw: HardwareArrays) -> StepArrays:
    t, p, d, c, e, et, v, b = lay.tp, lay.pp, lay.dp, lay.cp, lay.ep, lay.etp, lay.vpp, lay.mbs
    h, S = m.hidden, m.seq
    D = hw.nvlink_domain
    n_mb = lay.gbs / (d * b)  # micro-batches per pipeline per step
    lt = layer_times(m, lay, hw)
    T, layers, phi = lt.tokens, lt.layers, lt.phi
    tok = T / t
    f_moe = m.moe_layers / m.layers
    dense_model = np.ndim(m.experts) == 0 and m.experts == 0
    any_cp = bool(np.any(c > 1))
    kappa = hw.contention

    # ---- host side: a layer's forward / backward is launch-bound when issuing its kernels takes longer
    # than running them; MoE layers that read token counts on the host wait for the GPU to drain
    hc = host_costs(m, lay, hw)
    gpu_f, gpu_b = lt.fwd + hc.gaps_fwd, lt.bwd + lt.rec + hc.gaps_bwd * (1.0 + phi / 2.0)
    t_fwd_layer = np.maximum(gpu_f, hc.host_fwd)
    t_bwd_layer = np.maximum(gpu_b, hc.host_bwd * (1.0 + phi / 2.0))
    launch_wait = (t_fwd_layer - gpu_f) + (t_bwd_layer - gpu_b) + hc.syncs  # per layer and micro-batch

    # ---- tensor parallel: 2 all-reduces (reduce-scatter + all-gather with SP) per dense layer forward,
    # 1 for the attention of an MoE layer (+1 with shared experts), the same backward (Megatron)
    msg = T * h * ACT_BYTES
    ar = allreduce_time(msg, t, members_per_domain(t, 1.0, D), hw)
    if dense_model:
        tp_f = 2.0 * ar
    else:
        etp = allreduce_time(tok * m.top_k * h * ACT_BYTES, et, members_per_domain(et, 1.0, D), hw)
        tp_f = (f_moe * (1.0 + (m.shared > 0)) + (1.0 - f_moe) * 2.0) * ar + f_moe * etp
    # forward: overlapped only with userbuffer overlap (Transformer Engine, needs SP); backward: Megatron
    # overlaps each dgrad's collective with the wgrad GEMM (async TP communication, on by default since 2021)
    tp_on = lay.ovl_tp & lay.sp
    tp_layer = (exposed(tp_f, lt.gemm_fwd, hw.ovl_tp, tp_on, kappa) * (1.0 + phi)
                + exposed(tp_f, lt.gemm_fwd, hw.ovl_tp, True, kappa))

    # ---- context parallel: ring of cp-1 K/V block exchanges forward, K/V and their gradients backward
    # (Megatron); or an all-gather of K/V before attention and a reduce-scatter of their gradients after,
    # on the critical path (Meta's Llama 3: cheap with GQA next to O(S^2) attention)
    cp_layer = 0.0
    if any_cp:
        k_cp = members_per_domain(c, t, D)
        kv = T * (m.k_dim + m.v_dim) * ACT_BYTES / t
        cp_f = (c - 1.0) * p2p_time(kv, k_cp >= c, hw)
        ring = (exposed(cp_f, lt.core_fwd, hw.ovl_cp, lay.ovl_cp, kappa) * (1.0 + phi)
                + exposed(2.0 * cp_f, lt.core_bwd, hw.ovl_cp, lay.ovl_cp, kappa))
        cp_layer = ring
        if np.any(lay.cp_gather):  # the all-gather variant only where some row runs it
            gathered = gather_time(c * kv, c, k_cp, hw)
            cp_layer = np.where(lay.cp_gather, gathered * (2.0 + phi), ring)

    # ---- expert parallel: dispatch + combine all-to-all per MoE layer, forward and backward
    ep_layer = 0.0
    if not dense_model:
        k_ep = members_per_domain(e, et, D)
        imb = np.minimum(hw.moe_imbalance, m.capacity)
        a2a = np.where(
            lay.ep_dedup,
            dedup_all_to_all_time(h * ACT_BYTES, tok * imb, m.top_k, e, k_ep, hw, m.router_groups, m.group_topk),
            all_to_all_time(tok * m.top_k * h * ACT_BYTES * imb, e, k_ep, hw),
        )
        ep_f = f_moe * 2.0 * a2a
        ep_layer = (exposed(ep_f, lt.experts_fwd, hw.ovl_ep, lay.ovl_ep, kappa) * (1.0 + phi)
                    + exposed(ep_f, 2.0 * lt.experts_fwd, hw.ovl_ep, lay.ovl_ep, kappa))

    comm_layer = tp_layer + cp_layer + ep_layer
    t_layer = t_fwd_layer + t_bwd_layer + hc.syncs
    t_slot = layers * (t_layer + comm_layer) + lt.head  # one micro-batch on the busiest rank

    # ---- pipeline: each micro-batch sends activations forward and gradients back at every chunk boundary
    pp_in = t * c * d * p <= D
    pp_mb = np.where(p > 1, 2.0 * v * p2p_time(T * h * ACT_BYTES / np.where(lay.sp & (t > 1), t, 1.0), pp_in, hw),
                     0.0)
    pp_mb = exposed(pp_mb, t_slot, hw.ovl_pp, lay.ovl_pp, kappa)
    bubble = (p - 1.0) / v * (t_slot + pp_mb)

    # ---- data parallel over dp x cp (experts over their own replicas), by ZeRO stage (colossim.perf.dp)
    sp_ = stage_params(m, lay)
    dp = dp_time(m, lay, hw, sp_, layers, t_fwd_layer, t_bwd_layer, n_mb)

    # ---- optimizer: memory-bound Adam over the local shard (and the FP8 re-cast of FP8 primary weights)
    local = np.where(lay.zero >= 1, sp_.sharded, sp_.dense + sp_.expert)
    optimizer = memory_time(local * (OPTIMIZER_STEP_BYTES + FP8_RECAST_BYTES * lay.fp8_params), hw)

    # ---- activation offload: each micro-batch copies its offloaded activations to host memory during its
    # forward pass and back during its backward pass, over the host link, hidden behind that pass's compute
    mem = memory_per_gpu(m, lay, hw, sp_)
    if np.any(lay.offload > 0):
        copy = mem.offload_mb_bytes / hw.host_bw
        offload = n_mb * (exposed(copy, layers * lt.fwd, 1.0, True) + exposed(copy, layers * lt.bwd, 1.0, True))
    else:
        offload = np.zeros_like(optimizer)

    compute = n_mb * (layers * (lt.fwd + lt.bwd + lt.rec) + lt.head)
    host = n_mb * layers * launch_wait + hw.step_host
    tp_s, cp_s, ep_s = n_mb * layers * tp_layer, n_mb * layers * cp_layer, n_mb * layers * ep_layer
    pp_s = n_mb * pp_mb
    # GPU idle gaps between kernels count as compute time (the GPU is not free during them)
    gaps = n_mb * layers * (hc.gaps_fwd + hc.gaps_bwd * (1.0 + phi / 2.0))
    compute = compute + gaps
    step = compute + host + tp_s + cp_s + ep_s + pp_s + bubble + dp + optimizer + offload

    tokens = lay.gbs * S
    gpus = t * p * d * c
    peak = peak_flops(lay.precision, hw)
    model_flops = tokens * model_flops_per_token(m)
    mfu = model_flops / (step * gpus * peak)
    hfu = tokens * hardware_flops_per_token(m, lay.recompute, lay.rc_modules, phi) / (step * gpus * peak)
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
        host,
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
    host_s: float = 0.0
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
    if not hardware.supports(layout.precision):
        supported = [p for p in PRECISION_CODE if hardware.supports(p)]
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
        host_s=f(r.host_s),
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
