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


def attention_time(flops, hw: HardwareArrays):
    """Fused (flash) attention runs in BF16 even in FP8 recipes (Transformer Engine default)."""
    return flops / (hw.peak_bf16 * hw.attention_eff)


def memory_time(nbytes, hw: HardwareArrays):
    """Memory-bound kernels move `nbytes` at the achievable fraction of HBM bandwidth."""
    return nbytes / (hw.hbm_bw * hw.hbm_eff)


__all__ = ["attention_time", "gemm_efficiency", "gemm_rate", "gemm_time", "memory_time", "peak_flops"]
