"""The Helios Venus capacity series (real expansions and removals) under a fitted workload: the
simulated in-service capacity follows the measured daily totals, removals drain busy nodes, and
GPU-time is conserved."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from colossim.ops import OpsConfig, build_workload, load_ops_cluster, simulate
from colossim.ops.workloads.helios import helios_capacity

DAY = 86_400.0


def test_series_is_read_from_the_csv(shared_data):
    with open(shared_data / "helios_venus_vc_gpu_count_daily.csv", encoding="utf-8") as fh:
        totals = [int(r["total"]) for r in csv.DictReader(fh)]
    start, days, gpus = helios_capacity("venus")
    assert str(start) == "2020-04-01" and gpus.tolist() == totals and days[-1] == len(totals) - 1


@pytest.fixture(scope="module")
def venus():
    cl = load_ops_cluster("helios-venus")
    # the Venus job mix at the real offered load (0.7), 1/6 of the jobs each about 6x longer (test speed)
    cfg = OpsConfig.model_validate({
        "days": 181, "seed": 4, "policy": {"kind": "backfill"}, "sample_every_s": DAY,
        "workload": {"profile": "helios_venus", "jobs": 20_000, "scaling": "duration", "target_load": 0.7},
    })
    return cl, cfg, simulate(cl, build_workload(cl, cfg), cfg)


def test_capacity_follows_the_measured_series(venus):
    cl, _, res = venus
    _, days, totals = helios_capacity("venus")
    s = res.series
    at = np.searchsorted(s.t_s, days * DAY)
    # in service minus nodes waiting to drain = the day's measured total (samples are taken after the day's changes)
    assert np.array_equal(s.capacity_gpus[at] - s.removal_pending_gpus[at], totals)
    assert np.all(s.busy_gpus <= s.capacity_gpus)
    assert len(np.unique(totals)) >= 5  # the series really changes: up and down
    assert np.any(np.diff(totals) < 0) and np.any(np.diff(totals) > 0)


def test_conservation_under_changing_capacity(venus):
    cl, cfg, res = venus
    s = res.summary
    parts = s.busy_gpu_h + s.idle_gpu_h + s.spare_gpu_h + s.down_gpu_h
    assert parts == pytest.approx(s.capacity_gpu_h, rel=1e-9)
    # the plan counts removals at once; busy nodes leave later, so the simulator has at least that much
    assert s.capacity_gpu_h >= cl.capacity_gpu_seconds(cfg.horizon_s) / 3600 * (1 - 1e-12)
    asked_h = float(np.sum(res.jobs.gpus * res.jobs.duration_s)) / 3600
    assert s.useful_gpu_h <= asked_h * (1 + 1e-12)  # never more useful work than the jobs asked for
