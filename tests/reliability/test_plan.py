"""Choosing the checkpoint interval for a job and its goodput (the call a train/compare command makes)."""

import numpy as np
import pytest

from colossim.reliability import (
    CheckpointCost,
    daly_interval_s,
    ettr_daly,
    failure_model,
    goodput_vs_interval,
    optimal_interval_s,
    plan_checkpoints,
    young_interval_s,
)

FM = failure_model("meta_rsc1_a100")


def test_rules_pick_their_formula():
    cost = CheckpointCost(
        mode="blocking", size_bytes=1e12, blocking_s=60.0, background_s=0.0, restart_s=600.0
    )
    mttf_s = FM.job_mttf_h(16_384) * 3600
    for rule, formula in (
        ("exact", optimal_interval_s),
        ("daly", daly_interval_s),
        ("young", young_interval_s),
    ):
        plan = plan_checkpoints(16_384, FM, cost, rule=rule)
        assert plan.interval_s == pytest.approx(float(formula(60.0, mttf_s)))
        assert plan.ettr_daly == pytest.approx(float(ettr_daly(plan.interval_s, 60.0, 600.0, mttf_s)))
    assert plan.job_mttf_h == pytest.approx(1.8, abs=0.05)  # Kokolis et al. HPCA'25


def test_async_interval_is_clamped_to_the_persist_time_and_that_is_optimal():
    # a 2,000 s background persist is longer than the unconstrained optimum (~100 s for a 1 s stop)
    cost = CheckpointCost(mode="async", size_bytes=4e12, blocking_s=1.0, background_s=2000.0, restart_s=300.0)
    plan = plan_checkpoints(16_384, FM, cost)
    assert plan.interval_s == pytest.approx(2000.0)
    assert plan.blocking_s == pytest.approx(1.0)
    grid = np.linspace(10.0, 20_000.0, 200_000)
    curve = goodput_vs_interval(grid, 16_384, FM, cost)
    assert plan.ettr_daly >= curve.max() - 1e-12


def test_wall_time_when_compute_is_given():
    cost = CheckpointCost(
        mode="in_memory", size_bytes=1e12, blocking_s=5.0, background_s=0.0, restart_s=120.0
    )
    plan = plan_checkpoints(100_000, FM, cost, compute_h=1000.0)
    assert plan.wall_h == pytest.approx(1000.0 / plan.ettr_daly, rel=1e-9)
    assert set(plan.to_dict()) >= {"interval_s", "ettr_daly", "ettr_meta", "job_mttf_h", "wall_h"}


def test_a_practice_interval_is_used_as_given_with_the_optimum_beside_it():
    # colossus_record_2026.md sec. 7: large runs checkpoint every 15-30 minutes (NVIDIA, M; Check-N-Run, M);
    # with M ~ 30 min at 100k GPUs that is far from the Young/Daly optimum of a 5-30 s save (2-5.5 min [d])
    cost = CheckpointCost(mode="blocking", size_bytes=1e12, blocking_s=5.0, background_s=0.0, restart_s=150.0)
    plan = plan_checkpoints(100_000, FM, cost, rule="practice", interval_s=1800.0)
    assert plan.interval_s == 1800.0 and plan.interval_rule == "practice"
    assert plan.optimal_interval_s == pytest.approx(plan_checkpoints(100_000, FM, cost).interval_s)
    assert plan.ettr_optimal >= plan.ettr_daly  # the optimum is never worse
    with pytest.raises(ValueError, match="interval_s"):
        plan_checkpoints(100_000, FM, cost, rule="practice")


def test_the_practice_default_keeps_llama3_scale_above_90_percent():
    # Llama 3 405B: 16,384 H100, ">90 % effective training time" (paper sec. 3.3.4) at Meta's failure rate;
    # a 30-minute persistent checkpoint of a few seconds' stall gives about that, the optimum a little more
    cost = CheckpointCost(mode="blocking", size_bytes=5.7e12, blocking_s=2.8, background_s=0.0, restart_s=153.0)
    plan = plan_checkpoints(16_384, failure_model("llama3_h100"), cost, rule="practice", interval_s=1800.0)
    assert 0.90 < plan.ettr_daly < plan.ettr_optimal < 0.98
