"""Compute time on one GPU: GEMMs at a size-dependent fraction of the dense peak at the sustained clock,
attention as its matmuls plus the softmax exponentials on the special-function units, element-wise kernels
at HBM bandwidth (roofline: Williams et al., CACM 2009)."""

from __future__ import annotations

import numpy as np

from colossim.perf.hardware import HardwareArrays
from colossim.perf.software import FP8_RECIPE_CODE

BLOCKWISE = FP8_RECIPE_CODE["blockwise"]


def peak_flops(precision, hw: HardwareArrays):
    """Dense peak FLOP/s at each row's precision code (0 bf16, 1 fp8, 2 fp4) at the quoted clock (the MFU
    denominator); NaN where the GPU lacks it."""
    return np.where(precision == 0, hw.peak_bf16, np.where(precision == 1, hw.peak_fp8, hw.peak_fp4))


def gemm_rate(precision, hw: HardwareArrays, fp8_recipe=0):
    """FLOP/s of large GEMMs at each row's precision: peak x sustained clock x large-GEMM efficiency, less
    for block-scaled FP8 on GPUs without native block scaling (the `blockwise` recipe)."""
    eff = np.where(precision == 0, hw.eff_bf16, np.where(precision == 1, hw.eff_fp8, hw.eff_fp4))
    block = np.where((precision == 1) & (fp8_recipe == BLOCKWISE), hw.blockwise_fp8, 1.0)
    return peak_flops(precision, hw) * hw.clock * eff * block


def bf16_rate(hw: HardwareArrays):
    return hw.peak_bf16 * hw.clock * hw.eff_bf16


def gemm_efficiency(flops, min_dim, eff_max, half_dim, rate, tail_s):
    """Fraction of peak reached by one GEMM of `flops` FLOPs whose narrowest dimension (after TP/EP
    sharding) is `min_dim`: eff_max, times d / (d + d_half) for thin GEMMs (tiles and the K loop used less
    well), with a fixed tail per call (last partial wave, prologue/epilogue) that small GEMMs cannot hide."""
    t = gemm_time(flops, 1.0, min_dim, rate, half_dim, tail_s)
    return flops / t / (rate / eff_max)


def gemm_time(flops, calls, min_dim, rate, half_dim, tail_s):
    """Time of `calls` GEMMs totalling `flops` with narrowest dimension `min_dim`, at `rate` = peak x eff_max:
    flops * (d + d_half) / (rate * d) + calls * tail. Equivalently each GEMM follows a saturating curve in
    its size F: eff = eff_max * d / (d + d_half) * F / (F + F_half), F_half = rate * tail."""
    return flops * (min_dim + half_dim) / (rate * np.maximum(min_dim, 1.0)) + calls * tail_s


def flash_attention_time(matmul_flops, exps, hw: HardwareArrays):
    """Fused (flash) attention in BF16 (Transformer Engine runs it in BF16 even in FP8 recipes): its
    matmuls at the attention efficiency of the sustained BF16 peak, plus the share of the softmax
    exponentials the kernel does not hide, at the special-function rate (FlashAttention-3, arXiv 2407.08608:
    exp throughput is ~250x below matmul throughput on H100 and bounds attention on faster tensor cores)."""
    mm = matmul_flops / (hw.peak_bf16 * hw.clock * hw.attention_eff)
    return mm + exps / (hw.exp_rate * hw.clock) * hw.exp_exposed


def memory_time(nbytes, hw: HardwareArrays):
    """Memory-bound kernels move `nbytes` at the achievable fraction of HBM bandwidth."""
    return nbytes / (hw.hbm_bw * hw.hbm_eff)


__all__ = [
    "bf16_rate",
    "flash_attention_time",
    "gemm_efficiency",
    "gemm_rate",
    "gemm_time",
    "memory_time",
    "peak_flops",
]
