"""Compute time on one GPU: GEMMs at a size-dependent fraction of the dense peak, fused attention at
its own efficiency, element-wise kernels at HBM bandwidth (roofline: Williams et al., CACM 2009)."""

from __future__ import annotations

import numpy as np

from colossim.perf.hardware import HardwareArrays


def peak_flops(precision, hw: HardwareArrays):
    """Dense peak FLOP/s at each row's precision code (0 bf16, 1 fp8, 2 fp4); NaN where the GPU lacks it."""
    return np.where(precision == 0, hw.peak_bf16, np.where(precision == 1, hw.peak_fp8, hw.peak_fp4))


def gemm_rate(precision, hw: HardwareArrays):
    """FLOP/s of large GEMMs at each row's precision: peak x the family's large-GEMM efficiency."""
    eff = np.where(precision == 0, hw.eff_bf16, np.where(precision == 1, hw.eff_fp8, hw.eff_fp4))
    return peak_flops(precision, hw) * eff


def gemm_efficiency(min_dim, eff_max, half_dim):
    """Saturating curve in the GEMM's narrowest dimension per GPU (after TP/EP sharding): tiles, waves and
    the K loop are used less well by thin GEMMs. eff = eff_max * d / (d + d_half)."""
    return eff_max * min_dim / (min_dim + half_dim)


def gemm_time(flops, min_dim, rate, half_dim):
    """Time of GEMMs totalling `flops` whose narrowest dimension is `min_dim`, at `rate` = peak x eff_max."""
    return flops * (min_dim + half_dim) / (rate * np.maximum(min_dim, 1.0))


def attention_time(flops, hw: HardwareArrays):
    """Fused (flash) attention runs in BF16 even in FP8 recipes (Transformer Engine default)."""
    return flops / (hw.peak_bf16 * hw.attention_eff)


def memory_time(nbytes, hw: HardwareArrays):
    """Memory-bound kernels move `nbytes` at the achievable fraction of HBM bandwidth."""
    return nbytes / (hw.hbm_bw * hw.hbm_eff)


__all__ = ["attention_time", "gemm_efficiency", "gemm_rate", "gemm_time", "memory_time", "peak_flops"]
