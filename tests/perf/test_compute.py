"""The GEMM efficiency curve: saturating in size, half rate at the stated width, tails hurt small GEMMs;
attention bounded by the exponentials on chips whose tensor cores outrun their special-function units."""

from __future__ import annotations

import numpy as np
import pytest

from colossim.perf import hardware_for
from colossim.perf.compute import gemm_efficiency, gemm_rate, gemm_time, peak_flops


def test_thin_gemm_runs_at_half_rate_at_the_half_width():
    assert float(gemm_efficiency(1e12, 128.0, 0.8, 128.0, 1e15, 0.0)) == pytest.approx(0.4)


def test_efficiency_saturates_with_size():
    sizes = np.array([1e8, 1e9, 1e10, 1e11, 1e12, 1e13])
    eff = gemm_efficiency(sizes, 8192.0, 0.75, 128.0, 700e12, 10e-6)
    assert np.all(np.diff(eff) > 0) and eff[-1] == pytest.approx(0.75 * 8192 / 8320, rel=1e-3)
    assert eff[0] < 0.02  # a 0.1 GFLOP GEMM is dominated by its tail


def test_time_is_flops_over_rate_plus_tails():
    assert float(gemm_time(7e12, 3.0, 1e9, 700e12, 0.0, 10e-6)) == pytest.approx(0.01 + 30e-6, rel=1e-6)


def test_precision_codes_pick_the_catalog_peak():
    hw = hardware_for("h100_sxm5").arrays()
    peaks = peak_flops(np.array([0, 1, 2]), hw)
    assert peaks[0] == pytest.approx(989.4e12) and peaks[1] == pytest.approx(1978.9e12) and np.isnan(peaks[2])
    assert gemm_rate(np.array([1]), hw)[0] == pytest.approx(1978.9e12 * hw.clock * hw.eff_fp8)
    assert 0.85 <= hw.clock <= 0.97  # 1.6-1.75 GHz sustained of the 1,830 MHz the peak is quoted at


def test_attention_exponentials_bound_blackwell_more_than_hopper():
    from colossim.perf.compute import flash_attention_time

    # per score: 512 matmul FLOPs (head dim 128, Q.K^T and P.V) and one exponential (FA3, arXiv 2407.08608)
    scores = 1e12
    share = {}
    for gpu in ("h100_sxm5", "b200", "gb300"):
        hw = hardware_for(gpu).arrays()
        total = float(flash_attention_time(512 * scores, scores, hw))
        share[gpu] = float(flash_attention_time(0.0, scores, hw)) / total
    assert share["h100_sxm5"] < share["b200"]  # 2.25 PF on the same 16 SFU lanes per SM
    assert share["gb300"] < share["b200"]  # Blackwell Ultra doubles the exponential rate
