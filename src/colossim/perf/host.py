"""The host (CPU) side of a training step: kernels each layer launches per micro-batch, what launching them
costs the host, the GPU's idle gaps between them, and the host synchronisations MoE routing needs.

A layer's forward (or backward) takes max(GPU time + gaps, host time): when the host cannot issue kernels
as fast as the GPU runs them, the GPU waits (launch-bound); CUDA graphs replace a layer's launches by one
graph replay. Each MoE layer that reads its tokens-per-expert counts on the host drains the GPU queue once
in the forward and once in the backward. Small models, short sequences and MoE on fast GPUs live here.

Kernel counts per layer and micro-batch, forward (the backward runs about twice as many: data and weight
gradients, element-wise backward), from Megatron-Core / Transformer Engine profiles of a transformer layer:
  fused dense layer: norm + QKV GEMM, rotary, attention, output GEMM, residual, norm + FC1 GEMM, activation,
                     FC2 GEMM, residual                                                   -> 11
  without fused kernels (eager PyTorch operators): norms, rotary, bias, activation and residuals split into
                     their operators                                                      -> 24
  unfused attention: Q.K^T, scale-mask-softmax, dropout, P.V instead of one kernel        -> +3
  sequence/tensor parallelism: all-gather and reduce-scatter around each GEMM pair        -> +4 when tp > 1
  FP8: casts of the two GEMM inputs not fused into a norm (+2); current scaling's amax
       reductions (+4)
  MoE layer: router GEMM, score function, top-k, load-balancing loss (6), permute (3), dispatch and token
       counts (3), FC1 and FC2 (2 grouped, or 2 per local expert), activation, combine (2), unpermute (2),
       shared experts (3)                                                                 -> ~22 + experts
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from colossim.perf.hardware import HardwareArrays
from colossim.perf.layout import LayoutArrays
from colossim.perf.shapes import ModelArrays
from colossim.perf.software import FP8_RECIPE_CODE, GRAPH_CODE

FUSED_LAYER, UNFUSED_LAYER = 11.0, 24.0
UNFUSED_ATTENTION = 3.0
TP_COMM = 4.0
FP8_CASTS, AMAX_PASSES = 2.0, 4.0
MOE_FIXED = 22.0  # router (6) + permute (3) + dispatch (3) + activation (1) + combine (2) + unpermute (2) +
#                   the two grouped GEMMs (2) + shared experts (3)
BACKWARD_KERNELS = 2.0
GRAPH_GAP_SHARE = 0.5  # estimate: replayed graphs still leave ~half the inter-kernel gap (no launch latency,
#                        the previous kernel's tail remains)
CURRENT = FP8_RECIPE_CODE["current"]
NO_GRAPHS, LAYER_GRAPHS = GRAPH_CODE["none"], GRAPH_CODE["layer"]


class HostCosts(NamedTuple):
    kernels_fwd: np.ndarray  # kernels one layer launches per micro-batch, forward (dense/MoE average)
    host_fwd: np.ndarray  # host time to launch them (s)
    host_bwd: np.ndarray
    gaps_fwd: np.ndarray  # GPU idle gaps between them (s)
    gaps_bwd: np.ndarray
    syncs: np.ndarray  # host synchronisations per layer and micro-batch, forward + backward (s)


def host_costs(m: ModelArrays, lay: LayoutArrays, hw: HardwareArrays) -> HostCosts:
    f_moe = m.moe_layers / m.layers
    dense = np.where(lay.fused, FUSED_LAYER, UNFUSED_LAYER) + np.where(lay.flash, 0.0, UNFUSED_ATTENTION)
    dense = dense + TP_COMM * (lay.tp > 1)
    low = lay.precision > 0
    dense = dense + low * (FP8_CASTS + AMAX_PASSES * (lay.fp8_recipe == CURRENT))
    local = np.maximum(m.experts / (lay.ep * lay.etp), 1.0)
    moe_extra = MOE_FIXED + np.where(lay.grouped, 0.0, 2.0 * (local - 1.0)) - 3.0 * (m.shared == 0)
    fwd = dense + f_moe * np.maximum(moe_extra, 0.0) * (m.experts > 0)
    bwd = BACKWARD_KERNELS * fwd
    per_kernel = np.where(lay.graphs == NO_GRAPHS, hw.host_kernel, 0.0)
    graph = np.where(lay.graphs == LAYER_GRAPHS, hw.graph_launch, 0.0)  # full graphs: one launch per step
    gap = hw.gpu_kernel * np.where(lay.graphs == NO_GRAPHS, 1.0, GRAPH_GAP_SHARE)
    syncs = np.where(lay.host_sync & (lay.graphs == NO_GRAPHS), 2.0 * f_moe * (m.experts > 0) * hw.host_sync, 0.0)
    return HostCosts(fwd, fwd * per_kernel + graph, bwd * per_kernel + graph, fwd * gap, bwd * gap, syncs)


__all__ = ["HostCosts", "host_costs"]
