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
