"""Data-parallel communication of one optimizer step, by ZeRO stage, as the frameworks run it.

Dense weights are reduced over their dp x cp replicas, expert weights over their own replica group, each
hierarchically across NVLink domains (colossim.perf.comm). What overlap cannot hide, and the compute that
overlapped collectives slow down (`contention`), lands on the critical path:
- ZeRO 0 (plain DP): one bucketed all-reduce of the gradients during the last micro-batch's backward; the
  last bucket (one layer's gradients) cannot overlap.
- ZeRO 1 (Megatron distributed optimizer): a bucketed reduce-scatter of the gradients during the last
  micro-batch's backward and a bucketed all-gather of the updated weights during the next forward (first
  bucket exposed each). ZeRO 2 likewise (Megatron's distributed optimizer shards the gradients too), except
  where the framework reduce-scatters on every micro-batch (DeepSpeed).
- ZeRO 3 / FSDP, per layer (one FSDP unit each) and micro-batch: the forward all-gathers each layer's
  weights while the previous layer computes (prefetch), so a layer costs max(compute, gather) and the first
  gather is exposed; the backward gathers them again (unless kept since the forward) and reduce-scatters
  each layer's gradients, max(compute, gather + reduce-scatter) per layer, the first gather and the last
  reduce-scatter exposed. Without prefetch nothing overlaps. FSDP that keeps its weights from forward to
  backward (no reshard; with pipeline parallelism: torchtitan's default, Meta's Llama 3 stack) gathers once
  per step and reduce-scatters once per step with pipeline parallelism (no_sync on all but the last
  micro-batch), else on every micro-batch where the framework syncs each one.
At fixed global batch, more data-parallel ranks shrink each rank's compute while the per-layer gathers keep
their size and their latency grows with the group: the step stops getting faster where they meet.
"""

from __future__ import annotations

import numpy as np

from colossim.perf.comm import allreduce_time, exposed, gather_cost, members_per_domain
from colossim.perf.compute import memory_time
from colossim.perf.hardware import HardwareArrays
from colossim.perf.layout import LayoutArrays
from colossim.perf.memory import StageParams
from colossim.perf.shapes import ModelArrays


def _groups(m: ModelArrays, lay: LayoutArrays, hw: HardwareArrays, sp: StageParams):
    """(parameters on this rank, replicas, replicas per NVLink domain) of the dense and the expert weights."""
    D = hw.nvlink_domain
    groups = [(sp.dense, sp.dense_replicas, members_per_domain(sp.dense_replicas, lay.tp, D))]
    if not (np.ndim(m.experts) == 0 and m.experts == 0):
        groups.append((sp.expert, sp.expert_replicas,
                       members_per_domain(sp.expert_replicas, lay.ep * lay.etp, D)))
    return groups


def _take(values, rows, size: int):
    """Rows `rows` of an array of `size` rows, or of each such field of a tuple (scalars pass through)."""
    if isinstance(values, tuple):
        taken = (_take(v, rows, size) for v in values)
        return type(values)(*taken) if hasattr(values, "_fields") else tuple(taken)
    return values[rows] if np.ndim(values) and np.shape(values)[0] == size else values


def _collective(costs, bytes_per_param, share):
    """Sum over the weight groups of a reduce-scatter / all-gather of `share` of each group's parameters at
    `bytes_per_param` (NCCL Simple protocol: `gather_cost`'s linear form)."""
    total = 0.0
    for params, per_byte, latency in costs:
        total = total + params * share * bytes_per_param * per_byte + latency
    return total


def _layer_pipeline(comm, compute, layers, hw, prefetch):
    """Exposed time of `layers` per-layer collectives of `comm` s each, prefetched one layer ahead of
    `compute` s of work per layer: max(compute, comm) per layer (plus the compute the hidden part slows), the
    first one exposed; all of it without prefetch."""
    hidden = np.minimum(comm, compute)
    overlapped = comm + layers * (np.maximum(comm - compute, 0.0) + hw.contention * hidden)
    return np.where(prefetch > 0, overlapped, layers * comm)


def dp_time(m: ModelArrays, lay: LayoutArrays, hw: HardwareArrays, sp: StageParams, layers,
            fwd_layer, bwd_layer, n_mb):
    """Exposed data-parallel seconds per optimizer step. `fwd_layer` / `bwd_layer`: GPU seconds of one layer
    of one micro-batch (backward with its recomputation); `layers`: the busiest rank's layers."""
    groups = _groups(m, lay, hw, sp)
    costs = [(params, *gather_cost(n, k, hw)) for params, n, k in groups]
    gbytes = 2.0 + 2.0 * lay.grad_fp32
    wbytes = np.where(lay.fp8_params, 1.0, 2.0)  # weights are gathered in BF16, or FP8 (fp8_params)
    z, on, f = lay.zero, lay.ovl_dp, hw.ovl_dp
    win_f, win_b = layers * fwd_layer, layers * bwd_layer  # one micro-batch's forward / backward
    per_layer = 1.0 / np.maximum(layers, 1.0)

    # whole-stage bucketed collectives (ZeRO 0-2, and ZeRO 3 that keeps its weights)
    rs = _collective(costs, gbytes, 1.0)
    ag = _collective(costs, wbytes, 1.0)
    last_rs, first_ag = rs * per_layer, ag * per_layer  # the bucket that has nothing left to hide behind
    reduce_once = last_rs + exposed(rs - last_rs, win_b, f, on, hw.contention)
    gather_once = first_ag + exposed(ag - first_ag, win_f, f, on, hw.contention)
    out = np.zeros(np.broadcast(z, win_f).shape)
    if np.any(z == 0):  # plain DP: the all-reduce evaluated on its own rows only
        rows = np.flatnonzero(np.broadcast_to(z == 0, out.shape))
        size = out.shape[0]
        sub = [_take(g, rows, size) for g in groups]
        hw_rows = _take(hw, rows, size)
        ar = 0.0
        for params, n, k in sub:
            ar = ar + allreduce_time(params * _take(gbytes, rows, size), n, k, hw_rows)
        last_ar = ar * _take(per_layer, rows, size)
        out[rows] = last_ar + exposed(ar - last_ar, _take(win_b, rows, size), _take(f, rows, size),
                                      _take(on, rows, size), hw_rows.contention)
    out = np.where(z == 1, reduce_once + gather_once, out)
    syncs = np.where(lay.grad_sync, n_mb, 1.0)  # reduce-scatters per step (DeepSpeed ZeRO-2: every micro-batch)
    out = np.where(z == 2, syncs * reduce_once + gather_once, out)
    if np.any(z >= 3):
        # kept weights: gathered once; reduced once with pipeline parallelism (no_sync on all but the last
        # micro-batch), else on every micro-batch (FSDP's default)
        kept = gather_once + np.where(lay.pp > 1, 1.0, syncs) * reduce_once
        out = np.where(z >= 3, kept, out)
        if np.any((z >= 3) & ~lay.fsdp_keep):  # per-layer gathers, evaluated on their own rows only
            size = out.shape[0]
            rows = np.flatnonzero(np.broadcast_to((z >= 3) & ~lay.fsdp_keep, out.shape))
            args = (tuple(costs), wbytes, gbytes, per_layer, lay.prefetch * on, fwd_layer, bwd_layer, layers, hw, n_mb)
            out[rows] = _per_microbatch_zero3(*_take(args, rows, size))
    return out


def _per_microbatch_zero3(costs, wbytes, gbytes, per_layer, prefetch, fwd_layer, bwd_layer, layers, hw, n_mb):
    """ZeRO-3 / FSDP that reshards after the forward: per layer and micro-batch, a prefetched all-gather of
    the layer's weights forward, another and a reduce-scatter of its gradients backward."""
    ag_l = _collective(costs, wbytes, per_layer)
    rs_l = _collective(costs, gbytes, per_layer)
    fwd = _layer_pipeline(ag_l, fwd_layer, layers, hw, prefetch)
    bwd = _layer_pipeline(ag_l + rs_l, bwd_layer, layers, hw, prefetch)
    # the gathered weights are copied out of the collective's flat buffer (read + write) in the forward
    # and again in the backward, the gradients into one before the reduce-scatter (FSDP2 copy-in /
    # copy-out): HBM traffic on the GPU, per layer and micro-batch
    gathered = sum(params for params, _, _ in costs) * per_layer
    copies = memory_time(gathered * (2.0 * wbytes * 2.0 + 2.0 * gbytes), hw)
    return n_mb * (fwd + bwd + layers * copies)


__all__ = ["dp_time"]
