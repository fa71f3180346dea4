"""Scheduling policies on small hand-made cases (no failures, so every time is exact)."""

from __future__ import annotations

import numpy as np
import pytest

from colossim.ops import OpsConfig, Workload, build_workload, simulate
from colossim.ops.workloads.workload import KINDS

NO_FAIL = {"failures": {"enabled": False}, "days": 2, "sample_every_s": 3600.0,
           "recovery": {"checkpoint_interval": 3600.0, "checkpoint_write_s": 0.0, "restart_s": 60.0}}


def _run(cluster, work, policy: dict, **extra):
    cfg = OpsConfig.model_validate({**NO_FAIL, "policy": policy, **extra})
    return simulate(cluster, work, cfg)


def _easy_case():
    # 10 nodes of 8 GPUs. A (6 nodes, 1000 s) runs; B (10 nodes) must wait until 1000; C (4 nodes, 500 s) fits
    # the hole and ends before B's reservation; D (4 nodes, 2000 s) would delay B.
    return Workload.build([0.0, 1.0, 2.0, 3.0], [48, 80, 32, 32], [1000.0, 100.0, 500.0, 2000.0])


def test_fifo_keeps_submit_order(make_pool, make_cluster):
    res = _run(make_cluster(make_pool(nodes=10)), _easy_case(), {"kind": "fifo"})
    start = res.jobs.first_start_s
    assert start.tolist() == [0.0, 1000.0, 1100.0, 1100.0]


def test_easy_backfill_fills_holes_without_delaying_the_head(make_pool, make_cluster):
    res = _run(make_cluster(make_pool(nodes=10)), _easy_case(), {"kind": "backfill"})
    start = res.jobs.first_start_s
    assert start.tolist() == [0.0, 1000.0, 2.0, 1100.0]  # C backfilled, D not (it would delay B)


def test_fifo_start_order_on_a_random_workload(make_pool, make_cluster):
    cl = make_cluster(make_pool(nodes=64, pod=16))
    cfg = OpsConfig.model_validate(
        {**NO_FAIL, "days": 20, "policy": {"kind": "fifo"}, "workload": {"jobs": 3000, "target_load": 0.9}}
    )
    res = simulate(cl, build_workload(cl, cfg), cfg)
    start = res.jobs.first_start_s
    done = np.isfinite(start)
    assert np.all(np.diff(start[done]) >= 0)  # jobs are sorted by submit time: starts never overtake


def test_backfill_beats_fifo_on_queueing(make_pool, make_cluster):
    cl = make_cluster(make_pool(nodes=128, pod=16))
    base = {**NO_FAIL, "days": 30, "workload": {"jobs": 5000, "target_load": 0.85}}
    out = {}
    for kind in ("fifo", "backfill"):
        cfg = OpsConfig.model_validate({**base, "policy": {"kind": kind}})
        out[kind] = simulate(cl, build_workload(cl, cfg), cfg).summary
    assert out["backfill"].queue_time_s_mean < out["fifo"].queue_time_s_mean
    assert out["backfill"].utilisation >= out["fifo"].utilisation


def _priority_case():
    low, high = KINDS.index("eval"), KINDS.index("pretrain")
    return Workload.build([0.0, 10.0], [80, 32], [1000.0, 100.0], priority=[1, 3], kind=[low, high])


def test_priority_preempts_lower_priority_work(make_pool, make_cluster):
    res = _run(make_cluster(make_pool(nodes=10)), _priority_case(), {"kind": "priority", "preempt": True})
    j = res.jobs
    assert j.first_start_s.tolist() == [0.0, 10.0]
    assert j.preemptions.tolist() == [1, 0]
    # the low job lost its 10 s since start (no checkpoint yet), restarts at 110 after a 60 s restart
    assert j.end_s[1] == pytest.approx(110.0)
    assert j.end_s[0] == pytest.approx(110.0 + 60.0 + 1000.0)
    assert j.lost_gpu_h[0] == pytest.approx((10.0 + 60.0) * 80 / 3600)
    assert res.summary.preemptions == 1


def test_priority_without_preemption_waits(make_pool, make_cluster):
    res = _run(make_cluster(make_pool(nodes=10)), _priority_case(), {"kind": "priority", "preempt": False})
    assert res.jobs.first_start_s.tolist() == [0.0, 1000.0]
    assert res.summary.preemptions == 0


def test_priority_orders_the_queue(make_pool, make_cluster):
    # pool busy until 100; then the high-priority job (submitted last) starts first
    work = Workload.build([0.0, 1.0, 2.0], [80, 80, 80], [100.0, 50.0, 50.0], priority=[1, 1, 5])
    res = _run(make_cluster(make_pool(nodes=10)), work, {"kind": "priority", "preempt": False})
    assert res.jobs.first_start_s.tolist() == [0.0, 150.0, 100.0]
    fifo = _run(make_cluster(make_pool(nodes=10)), work, {"kind": "fifo"})
    assert fifo.jobs.first_start_s.tolist() == [0.0, 100.0, 150.0]
    by_prio = _run(make_cluster(make_pool(nodes=10)), work, {"kind": "backfill", "order": "priority"})
    assert by_prio.jobs.first_start_s.tolist() == [0.0, 150.0, 100.0]


def test_gpu_type_constraint_and_nvlink_rounding(make_pool, make_cluster):
    h100 = make_pool("h", nodes=4)
    gb = make_pool("g", nodes=36, gpn=4, domain=72, pod=36, gpu="gb200_nvl72_gpu")
    # a 100-GPU job needs two 72-GPU NVLink domains (36 trays); a 6-GPU GB200 job takes 2 trays
    work = Workload.build([0.0, 0.0, 0.0], [100, 6, 8], [10.0, 10.0, 10.0], gpu_type=[0, 0, 1],
                          gpu_types=("gb200_nvl72_gpu", "h100_sxm5"))
    res = _run(make_cluster(h100, gb), work, {"kind": "fifo"})
    j = res.jobs
    assert j.pool.tolist() == [1, 1, 0]
    # the 6-GPU job waits for the 36-tray job, and under FIFO the H100 job waits behind it
    assert j.first_start_s.tolist() == [0.0, 10.0, 10.0]
    easy = _run(make_cluster(h100, gb), work, {"kind": "backfill"})
    assert easy.jobs.first_start_s.tolist() == [0.0, 10.0, 0.0]  # another pool: backfilled at once
    s = res.summary
    frag = ((144 - 100) * 10 + (8 - 6) * 10) / 3600  # GPUs allocated but not asked for
    assert s.fragmentation_gpu_h == pytest.approx(frag)


def test_topology_placement_uses_fewer_pods_than_first_fit(make_pool, make_cluster):
    cl = make_cluster(make_pool(nodes=256, pod=16))
    base = {**NO_FAIL, "days": 20, "workload": {"jobs": 4000, "target_load": 0.8}}
    pods = {}
    for kind in ("topology", "first_fit"):
        cfg = OpsConfig.model_validate({**base, "placement": {"kind": kind}})
        pods[kind] = simulate(cl, build_workload(cl, cfg), cfg).summary.pods_per_job_mean
    assert pods["topology"] < pods["first_fit"]
