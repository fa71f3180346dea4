"""Invariants of the simulator: GPU-time conservation, every job ends exactly once, determinism, and
failure/repair statistics that match their input rates."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from colossim.ops import (
    OUTCOMES,
    STATUSES,
    Delivery,
    OpsConfig,
    build_workload,
    ramp,
    simulate,
)

DAY = 86_400.0
POLICIES = ["fifo", "priority", "backfill"]


@pytest.fixture
def growing(make_pool, make_cluster):
    """An H100 pool in service from day 0 plus a GB200-like pool delivered in batches with burn-in."""
    return make_cluster(
        make_pool("a", 128, pod=32, rate=0.02),
        make_pool(
            "b",
            gpn=4,
            domain=72,
            pod=72,
            gpu="gb200_nvl72_gpu",
            burn_in_s=5 * DAY,
            rate=0.01,
            tdp_w=1200.0,
            deliveries=ramp(10 * DAY, 30 * DAY, 360, 5),
        ),
    )


def _config(policy: str, **extra) -> OpsConfig:
    data = {
        "days": 60,
        "seed": 5,
        "policy": {"kind": policy},
        "workload": {"jobs": 4000, "target_load": 0.8},
        "sample_every_s": 6 * 3600,
        "spares": {"kind": "reserved", "fraction": 0.02},
    }
    data.update(extra)
    return OpsConfig.model_validate(data)


@pytest.mark.parametrize("policy", POLICIES)
def test_gpu_time_is_conserved(policy, growing):
    cfg = _config(policy)
    res = simulate(growing, build_workload(growing, cfg), cfg)
    s = res.summary
    capacity_h = growing.capacity_gpu_seconds(cfg.horizon_s) / 3600  # from the delivery plan alone
    assert s.capacity_gpu_h == pytest.approx(capacity_h, rel=1e-9)
    parts = s.busy_gpu_h + s.idle_gpu_h + s.spare_gpu_h + s.down_gpu_h
    assert parts == pytest.approx(s.capacity_gpu_h, rel=1e-9)
    use = s.useful_gpu_h + s.checkpoint_gpu_h + s.lost_gpu_h + s.fragmentation_gpu_h
    assert use == pytest.approx(s.busy_gpu_h, rel=1e-9)
    assert min(s.busy_gpu_h, s.idle_gpu_h, s.down_gpu_h, s.lost_gpu_h) > 0
    # burn-in: each GB200 node spends 5 days in burn-in before service
    assert s.burn_in_gpu_h == pytest.approx(360 * 4 * 5 * 24, rel=1e-9)
    # the time series agrees with the totals and never shows more busy GPUs than in service
    ser = res.series
    assert ser.acc_capacity_gpu_s[-1] / 3600 == pytest.approx(s.capacity_gpu_h, rel=1e-9)
    assert np.all(ser.busy_gpus <= ser.capacity_gpus)
    assert np.allclose(ser.capacity_gpus, [growing.capacity_gpus_at(t) for t in ser.t_s])
    # the power series integrates to the energy total; facility = IT x PUE
    hours = np.diff(ser.t_s, prepend=0.0) / 3600
    assert np.nansum(ser.power_mw * hours) == pytest.approx(s.energy_mwh, rel=1e-9)
    assert s.energy_mwh == pytest.approx(s.it_energy_mwh * growing.pue, rel=1e-12)


@pytest.mark.parametrize("policy", POLICIES)
def test_every_job_ends_exactly_once(policy, growing):
    cfg = _config(policy, record_timeline=True)
    work = build_workload(growing, cfg)
    res = simulate(growing, work, cfg)
    status = res.jobs.status
    ended = np.isin(status, [STATUSES.index(o) for o in OUTCOMES])
    assert res.status_counts()["not_submitted"] == 0
    assert sum(res.status_counts().values()) == len(work)
    segments = res.timeline.segments_frame()
    finals = segments.job[segments.ended_by == "end"].tolist()
    assert len(finals) == len(set(finals)) == ended.sum()  # one final segment per ended job, none twice
    assert set(finals) == set(np.nonzero(ended)[0].tolist())
    assert np.all(np.isfinite(res.jobs.end_s[ended]))
    assert np.all(
        np.isnan(res.jobs.end_s[np.isin(status, [STATUSES.index(s) for s in ("running", "queued")])])
    )
    # ended jobs keep their user outcome
    assert np.array_equal(status[ended], work.outcome[ended])
    # a job's segments never overlap and start after its submit time
    segs = segments.sort_values(["job", "start_s"])
    same = segs.job.to_numpy()[1:] == segs.job.to_numpy()[:-1]
    assert np.all(segs.start_s.to_numpy()[1:][same] >= segs.end_s.to_numpy()[:-1][same])
    assert np.all(res.jobs.queue_s[np.isfinite(res.jobs.queue_s)] >= 0)


@pytest.mark.parametrize("policy", POLICIES)
def test_same_seed_same_result(policy, growing):
    cfg = _config(policy)
    work = build_workload(growing, cfg)
    a, b = simulate(growing, work, cfg), simulate(growing, work, cfg)
    assert a.summary == b.summary
    pd.testing.assert_frame_equal(a.jobs.to_frame(), b.jobs.to_frame())
    pd.testing.assert_frame_equal(a.series.to_frame(), b.series.to_frame())
    c = simulate(growing, work, cfg.model_copy(update={"seed": 6}))
    assert (
        c.summary.failures != a.summary.failures or c.summary.busy_gpu_h != a.summary.busy_gpu_h
    )


def test_failures_follow_the_superposed_rate(make_pool, make_cluster):
    """Failures ~ Poisson(rate x up node-time); mean repair time = automated + escalated x manual."""
    rate = 0.05  # per node-day (high, to get many events)
    cl = make_cluster(make_pool(nodes=500, rate=rate))
    cfg = OpsConfig.model_validate(
        {
            "days": 400,
            "workload": {"jobs": 0},
            "sample_every_s": 10 * DAY,
            "repair": {"automated_h": 2.0, "manual_h": 48.0, "escalate_share": 0.8},
            "failures": {"node_repair_share": 1.0},
        }
    )
    res = simulate(cl, build_workload(cl, cfg), cfg)
    s = res.summary
    up_node_days = (s.capacity_gpu_h - s.down_gpu_h) / 8 / 24
    expected = rate * up_node_days
    assert abs(s.failures - expected) < 4 * math.sqrt(expected)
    mean_repair_h = s.down_gpu_h / 8 / s.repairs
    assert mean_repair_h == pytest.approx(
        2.0 + 0.8 * 48.0, rel=0.1
    )  # AIReSim defaults (reliability.md sec. 3)
    assert s.failures_software == 0


def test_software_failures_restart_without_repair(make_pool, make_cluster):
    cl = make_cluster(make_pool(nodes=200, rate=0.05))
    cfg = OpsConfig.model_validate(
        {"days": 200, "workload": {"jobs": 0}, "failures": {"node_repair_share": 0.0}}
    )
    s = simulate(cl, build_workload(cl, cfg), cfg).summary
    assert s.failures > 0 and s.repairs == 0 and s.down_gpu_h == 0
    assert s.failures_software == s.failures


def test_failures_can_be_switched_off(growing):
    cfg = _config("fifo", failures={"enabled": False})
    s = simulate(growing, build_workload(growing, cfg), cfg).summary
    assert s.failures == s.repairs == 0
    assert s.lost_gpu_h == pytest.approx(0.0, abs=1e-6)  # float rounding of wall - useful - checkpoint


def test_spares_are_held_and_swapped_in(make_pool, make_cluster):
    cl = make_cluster(make_pool(nodes=400, pod=50, rate=0.05))
    base = {
        "days": 30,
        "seed": 2,
        "workload": {"jobs": 3000, "target_load": 0.9},
        "policy": {"kind": "backfill"},
    }
    with_spares = OpsConfig.model_validate({**base, "spares": {"kind": "reserved", "fraction": 0.05}})
    res = simulate(cl, build_workload(cl, with_spares), with_spares)
    s = res.summary
    assert s.spare_swaps > 0
    assert s.spare_gpu_h <= 0.05 * s.capacity_gpu_h + 1e-6
    assert s.spare_gpu_h > 0.02 * s.capacity_gpu_h
    none = OpsConfig.model_validate({**base, "spares": {"kind": "none"}})
    assert simulate(cl, build_workload(cl, none), none).summary.spare_swaps == 0


def test_jobs_too_big_for_any_pool_are_rejected_not_blocking(make_pool, make_cluster):
    from colossim.ops import Workload

    cl = make_cluster(make_pool(nodes=10))
    work = Workload.build([0.0, 1.0, 2.0], [8 * 11, 8, 8], [100.0, 100.0, 100.0])
    res = simulate(cl, work, OpsConfig(days=1))
    assert res.status_counts()["rejected"] == 1
    assert res.status_counts()["completed"] == 2


def test_removed_nodes_drain(make_pool, make_cluster):
    from colossim.ops import Workload

    # 10 nodes; one 10-node job runs days 0-2; 5 nodes are removed on day 1: they leave when the job ends
    cl = make_cluster(make_pool(deliveries=(Delivery(0.0, 10), Delivery(DAY, -5))))
    work = Workload.build([0.0], [80], [2 * DAY])
    cfg = OpsConfig.model_validate({"days": 4, "failures": {"enabled": False}, "sample_every_s": 3600})
    res = simulate(cl, work, cfg)
    ser = res.series
    at = lambda d: int(np.searchsorted(ser.t_s, d * DAY))  # noqa: E731
    assert ser.capacity_gpus[at(1.5)] == 80 and ser.removal_pending_gpus[at(1.5)] == 40
    assert ser.capacity_gpus[at(3)] == 40 and ser.removal_pending_gpus[at(3)] == 0
    assert res.status_counts()["completed"] == 1
