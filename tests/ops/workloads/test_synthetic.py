"""Synthetic workloads: samples match the trace summaries within 5 %, scaling hits the target load,
arrivals follow capacity, and draws are reproducible."""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from colossim.ops import Delivery, SyntheticWorkloadConfig, get_profile
from colossim.ops.workloads.synthetic import offered_load, synthetic_workload
from colossim.ops.workloads.workload import KINDS

DAY = 86_400.0


def _philly_runtimes() -> np.ndarray:
    text = (resources.files("colossim.ops") / "data" / "philly_gpu_job_runtime.csv").read_text(
        encoding="utf-8"
    )
    return np.array(text.split()[1:], dtype=float)


@pytest.mark.parametrize("name", ["philly", "helios", "acme_seren", "acme_kalos"])
def test_sample_matches_trace_summary_within_5_percent(name, make_pool, make_cluster):
    p = get_profile(name)
    cfg = SyntheticWorkloadConfig(profile=name, jobs=300_000, scaling="none", max_job_share=1.0)
    w = synthetic_workload(cfg, make_cluster(make_pool(nodes=1024)), 30 * DAY, np.random.default_rng(7))
    total = p.completed_share + p.failed_share + p.cancelled_share
    assert w.gpus.mean() == pytest.approx(p.mean_gpus, rel=0.05)
    assert np.median(w.gpus) == pytest.approx(p.median_gpus, rel=0.05)
    assert w.gpus.max() <= p.max_gpus
    assert w.duration_s.mean() == pytest.approx(p.mean_run_s, rel=0.05)
    assert np.median(w.duration_s) == pytest.approx(p.median_run_s, rel=0.05)
    assert w.duration_s.max() <= p.max_run_s
    assert np.mean(w.outcome == 1) == pytest.approx(p.failed_share / total, rel=0.05)
    assert np.mean(w.outcome == 2) == pytest.approx(p.cancelled_share / total, rel=0.05)
    # size and run time are positively dependent, as the traces' GPU time per job requires
    assert np.corrcoef(np.log(w.gpus), np.log(w.duration_s))[0, 1] > 0


def test_empirical_philly_durations_follow_the_real_runtimes(make_pool, make_cluster):
    real = _philly_runtimes()
    cfg = SyntheticWorkloadConfig(
        profile="philly", jobs=300_000, scaling="none", duration_model="philly_empirical"
    )
    w = synthetic_workload(cfg, make_cluster(make_pool(nodes=1024)), 30 * DAY, np.random.default_rng(3))
    assert np.median(w.duration_s) == pytest.approx(np.median(real), rel=0.05)
    assert w.duration_s.mean() == pytest.approx(np.maximum(real, 1.0).mean(), rel=0.05)
    assert np.percentile(w.duration_s, 90) == pytest.approx(np.percentile(real, 90), rel=0.05)


@pytest.mark.parametrize("scaling", ["duration", "both", "size"])
def test_scaling_reaches_the_target_load(scaling, make_pool, make_cluster):
    cl = make_cluster(make_pool(nodes=4096))
    horizon = 60 * DAY
    cfg = SyntheticWorkloadConfig(profile="acme_kalos", jobs=20_000, scaling=scaling, target_load=0.7)
    w = synthetic_workload(cfg, cl, horizon, np.random.default_rng(1))
    load = offered_load(w.gpus, w.duration_s, cl.capacity_gpu_seconds(horizon), 8)
    # run times scale continuously; sizes only in powers of two (load is a step function of the size shift)
    assert load == pytest.approx(0.7, rel=1e-6 if scaling != "size" else 0.1)
    assert w.gpus.max() <= 0.5 * 4096 * 8
    assert np.all(np.log2(w.gpus) == np.round(np.log2(w.gpus)))


def test_arrivals_follow_capacity(make_pool, make_cluster):
    # 100 nodes for 10 days, then 300 for 10 days: 1/4 of the GPU-time (and of arrivals) is in the first half
    pool = make_pool(deliveries=(Delivery(0.0, 100), Delivery(10 * DAY, 200)))
    cfg = SyntheticWorkloadConfig(jobs=40_000, scaling="none", arrivals="capacity")
    w = synthetic_workload(cfg, make_cluster(pool), 20 * DAY, np.random.default_rng(5))
    first = np.mean(w.submit_s < 10 * DAY)
    assert first == pytest.approx(0.25, abs=4 * np.sqrt(0.25 * 0.75 / 40_000))
    uniform = synthetic_workload(
        cfg.model_copy(update={"arrivals": "uniform"}), make_cluster(pool), 20 * DAY, np.random.default_rng(5)
    )
    assert np.mean(uniform.submit_s < 10 * DAY) == pytest.approx(0.5, abs=4 * np.sqrt(0.25 / 40_000))
    assert np.all(np.diff(w.submit_s) >= 0)


def test_kinds_label_the_biggest_gpu_time_as_pretrain(make_pool, make_cluster):
    cfg = SyntheticWorkloadConfig(jobs=10_000, scaling="none", pretrain_share=0.02, finetune_share=0.18)
    w = synthetic_workload(cfg, make_cluster(make_pool(nodes=512)), 10 * DAY, np.random.default_rng(2))
    gs = w.gpus * w.duration_s
    pre = w.kind == KINDS.index("pretrain")
    assert pre.sum() == 200
    assert gs[pre].min() >= gs[~pre].max()
    assert (w.kind == KINDS.index("finetune")).sum() == 1800


def test_same_seed_same_workload(make_pool, make_cluster):
    cfg = SyntheticWorkloadConfig(jobs=5_000)
    cl = make_cluster(make_pool(nodes=256))
    a = synthetic_workload(cfg, cl, 10 * DAY, np.random.default_rng(11))
    b = synthetic_workload(cfg, cl, 10 * DAY, np.random.default_rng(11))
    c = synthetic_workload(cfg, cl, 10 * DAY, np.random.default_rng(12))
    for col in ("submit_s", "gpus", "duration_s", "outcome", "kind"):
        assert np.array_equal(getattr(a, col), getattr(b, col))
    assert not np.array_equal(a.duration_s, c.duration_s)
