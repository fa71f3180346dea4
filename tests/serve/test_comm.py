"""Serving collectives: the fast paths of serve.comm give exactly what perf.comm's general functions give."""

import numpy as np
import pytest

from colossim.perf.comm import allreduce_time, members_per_domain
from colossim.perf.hardware import hardware_for
from colossim.serve.comm import nccl_allreduce_time, oneshot_allreduce_time, tp_allreduce_time

GROUPS = np.array([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 72.0, 144.0, 288.0])


@pytest.mark.parametrize("gpu", ["h100_sxm5", "gb200_nvl72_gpu"])
@pytest.mark.parametrize("stacked", [False, True])
def test_nccl_allreduce_is_perf_allreduce_inside_and_across_domains(gpu, stacked):
    # groups inside the NVLink domain take allreduce_time's one-domain branch directly, the others its
    # spanning terms on their rows only: every row must equal the general function's value bit for bit
    hw = hardware_for(gpu).arrays()
    rng = np.random.default_rng(3)
    n = np.repeat(GROUPS, 50)
    nbytes = rng.uniform(1e3, 1e9, (2, n.size) if stacked else n.size)
    k = members_per_domain(n, 1.0, hw.nvlink_domain)
    assert np.any(k < n) and np.any(k >= n)
    assert np.array_equal(nccl_allreduce_time(nbytes, n, k, hw), allreduce_time(nbytes, n, k, hw))


@pytest.mark.parametrize("gpu", ["h100_sxm5", "gb200_nvl72_gpu"])
def test_tp_allreduce_is_the_faster_of_nccl_and_oneshot_inside_the_domain(gpu):
    hw = hardware_for(gpu).arrays()
    n = np.repeat(GROUPS, 20)
    nbytes = np.geomspace(1e2, 1e9, n.size)
    k = members_per_domain(n, 1.0, hw.nvlink_domain)
    nccl = allreduce_time(nbytes, n, k, hw)
    oneshot = oneshot_allreduce_time(nbytes, n, hw.nvlink_bw, 5e-6)
    want = np.where(n <= hw.nvlink_domain, np.minimum(nccl, oneshot), nccl)
    assert np.array_equal(tp_allreduce_time(nbytes, n, hw, 5e-6), want)
    inside = n <= hw.nvlink_domain
    assert np.array_equal(tp_allreduce_time(nbytes[inside], n[inside], hw, 5e-6), want[inside])
    assert np.all(tp_allreduce_time(nbytes, np.ones_like(n), hw, 5e-6) == 0.0)


@pytest.mark.parametrize("gpu", ["h100_sxm5", "gb200_nvl72_gpu"])
def test_all_reduce_per_group_size_equals_row_by_row(gpu):
    # stage_setup's row groups evaluate each TP size once; the rows must get what row-by-row evaluation gives,
    # for one GPU type and for rows of several (stacked hardware, as validate --serving runs)
    from colossim.perf.hardware import stack_hardware
    from colossim.serve.step import row_groups

    rng = np.random.default_rng(5)
    n = rng.choice(GROUPS[:6], 400)
    nbytes = rng.uniform(1e3, 1e8, (2, n.size))
    hw = hardware_for(gpu).arrays()
    assert np.array_equal(tp_allreduce_time(nbytes, n, hw, 5e-6, row_groups(n)), tp_allreduce_time(nbytes, n, hw, 5e-6))
    mixed = stack_hardware([hardware_for(g).arrays() for g in rng.choice(["h100_sxm5", "gb200_nvl72_gpu"], n.size)])
    assert np.array_equal(tp_allreduce_time(nbytes, n, mixed, 5e-6, row_groups(n)),
                          tp_allreduce_time(nbytes, n, mixed, 5e-6))


def test_gemm_rate_table_equals_row_by_row():
    from colossim.perf.compute import gemm_rate
    from colossim.perf.hardware import stack_hardware
    from colossim.serve.step import by_code

    codes = np.array([0, 1, 2, 1, 0, 2, 2])
    hw = hardware_for("b200_hgx").arrays()
    assert np.array_equal(by_code(lambda p: gemm_rate(p, hw), codes, 3), gemm_rate(codes, hw), equal_nan=True)
    mixed = stack_hardware([hardware_for(g).arrays() for g in ["h100_sxm5", "b200_hgx"] * 3 + ["h100_sxm5"]])
    assert np.array_equal(by_code(lambda p: gemm_rate(p, mixed), codes, 3), gemm_rate(codes, mixed), equal_nan=True)
