"""A serving share held by a daily curve beside training, and virtual-cluster quotas."""

from __future__ import annotations

import numpy as np
import pytest

from colossim.ops import OpsConfig, QuotaConfig, ServingConfig, Workload, build_workload, simulate

DAY = 86_400.0


def test_serving_follows_the_daily_curve_and_is_accounted(make_pool, make_cluster):
    cl = make_cluster(make_pool(nodes=100, pod=50))
    curve = [1.0] * 12 + [0.5] * 12  # full share for 12 h, half for 12 h
    cfg = OpsConfig.model_validate({"days": 4, "failures": {"enabled": False}, "workload": {"jobs": 0},
                                    "serving": {"peak_share": 0.2, "curve": curve}, "sample_every_s": 3600.0})
    res = simulate(cl, build_workload(cl, cfg), cfg)
    s, ser = res.summary, res.series
    # idle cluster: serving always gets its nodes: 20 nodes for 12 h, 10 for 12 h, each day
    assert s.serving_gpu_h == pytest.approx(4 * (20 * 12 + 10 * 12) * 8, rel=1e-9)
    assert s.serving_unmet_gpu_h == 0
    assert s.training_capacity_gpu_h == pytest.approx(s.capacity_gpu_h - s.serving_gpu_h, rel=1e-12)
    hour = (ser.t_s % DAY) // 3600
    assert np.all(ser.serving_gpus[(hour >= 1) & (hour < 12)] == 160)
    assert np.all(ser.serving_gpus[hour >= 13] == 80)
    parts = s.busy_gpu_h + s.idle_gpu_h + s.spare_gpu_h + s.down_gpu_h + s.serving_gpu_h
    assert parts == pytest.approx(s.capacity_gpu_h, rel=1e-9)


def test_serving_waits_for_training_jobs_to_end(make_pool, make_cluster):
    cl = make_cluster(make_pool(nodes=10))
    work = Workload.build([0.0], [80], [14 * 3600.0])  # one job holds every node for 14 h
    cfg = OpsConfig.model_validate({"days": 1, "failures": {"enabled": False}, "serving": {"peak_share": 0.5,
                                    "curve": [0.0] * 12 + [1.0] * 12}, "recovery": {"checkpoint_interval": 1e9,
                                    "checkpoint_write_s": 0.0}})
    res = simulate(cl, work, cfg)
    # from 12 h serving wants 5 nodes; the job keeps them until 14 h
    assert res.summary.serving_unmet_gpu_h == pytest.approx(5 * 8 * 2, rel=1e-9)
    assert res.summary.serving_gpu_h == pytest.approx(5 * 8 * 10, rel=1e-9)
    assert res.jobs.first_start_s[0] == 0.0 and res.jobs.end_s[0] == 14 * 3600.0


def test_serving_config_is_checked():
    with pytest.raises(ValueError):
        ServingConfig(peak_share=1.5)
    with pytest.raises(ValueError):
        ServingConfig(peak_share=0.2, curve=[0.0, 0.0])
    assert max(ServingConfig(peak_share=0.1).curve) == 1.0  # scaled so the peak is 1


def test_quotas_cap_each_group_and_do_not_block_others(make_pool, make_cluster):
    cl = make_cluster(make_pool(nodes=10))
    # group a may use half the GPUs: its second job waits; group b's job starts at once
    work = Workload.build([0.0, 1.0, 2.0], [40, 40, 8], [100.0, 100.0, 100.0], group=[0, 0, 1], groups=("a", "b"))
    quota = {"kind": "fifo", "quotas": {"groups": {"a": 0.5, "b": 0.5}}}
    cfg = OpsConfig.model_validate({"days": 1, "failures": {"enabled": False}, "policy": quota,
                                    "recovery": {"checkpoint_interval": 1e9, "checkpoint_write_s": 0.0}})
    res = simulate(cl, work, cfg)
    assert res.jobs.first_start_s.tolist() == [0.0, 100.0, 2.0]
    free = simulate(cl, work, OpsConfig.model_validate({**cfg.model_dump(), "policy": {"kind": "fifo"}}))
    assert free.jobs.first_start_s.tolist() == [0.0, 1.0, 100.0]  # without quotas: a holds every node


def test_quota_groups_come_from_helios_and_synthetic_jobs_join_groups_that_hold_them():
    q = QuotaConfig(helios="venus")
    shares = q.shares()
    assert 10 < len(shares) < 30 and sum(shares.values()) == pytest.approx(1.0, abs=0.02)
    from colossim.ops import load_ops_cluster

    cl = load_ops_cluster("helios-venus")
    cfg = OpsConfig.model_validate({"days": 10, "policy": {"kind": "backfill", "quotas": {"helios": "venus"}},
                                    "workload": {"profile": "helios_venus", "jobs": 3000, "scaling": "none"}})
    work = build_workload(cl, cfg)
    names = work.groups
    cap = np.array([shares[g] for g in names]) * cl.max_gpus
    ok = work.group >= 0
    assert np.all(work.gpus[ok] <= cap[work.group[ok]])  # every job's group can hold it
    res = simulate(cl, work, cfg)
    got = res.summary.quota_groups
    assert set(got) == set(names)
    assert [got[g] for g in res.jobs.group[ok]] == [names[g] for g in work.group[ok]]  # same group per job


def test_unknown_job_group_is_named(make_pool, make_cluster):
    cl = make_cluster(make_pool(nodes=10))
    work = Workload.build([0.0], [8], [10.0], group=[0], groups=("nope",))
    cfg = OpsConfig.model_validate({"days": 1, "policy": {"kind": "fifo", "quotas": {"groups": {"a": 1.0}}}})
    with pytest.raises(ValueError, match="'nope' has no quota"):
        simulate(cl, work, cfg)
