"""Time, failures and footprint of one training run, end to end, against published anchors."""

import math

import pytest

from colossim.cluster import load_cluster
from colossim.models.zoo import get_model
from colossim.plan.machine import job_machine
from colossim.train import ReliabilityOptions, compare_phases, plan_training

SPEC = load_cluster("colossus")


@pytest.fixture(scope="module")
def llama3_like():
    # Llama 3 405B: 15.6T tokens on 16,384 H100 (Llama 3 paper); failures at Meta's measured production rate.
    return plan_training(get_model("llama3-405b"), SPEC, job_machine(SPEC, "h100_sxm5"), 15.6e12, gpus=16384,
                         options=ReliabilityOptions(failures="llama3_h100", monte_carlo_runs=400))


def test_llama3_setting_keeps_effective_training_time_above_90_percent(llama3_like):
    # Llama 3 paper, section 3.3.4: "higher than 90% effective training time" over the 54-day snapshot.
    assert llama3_like.monte_carlo["goodput"]["p50"] > 0.90
    assert llama3_like.checkpoint.ettr_daly > 0.90


def test_interruptions_follow_the_failure_rate(llama3_like):
    # 419 unexpected interruptions in 54 days on 2,048 nodes (Llama 3 paper Table 5): 3.88 per node-... per day
    per_day = 419 / 54
    s = llama3_like.summary()
    assert s["interruptions_per_day"] == pytest.approx(per_day * s["gpus"] / 16384, rel=0.02)
    expected = s["interruptions_per_day"] * s["wall_days_p50"]
    assert abs(s["interruptions_p50"] - expected) < 4 * math.sqrt(expected)


def test_wall_time_exceeds_ideal_and_matches_closed_form(llama3_like):
    s = llama3_like.summary()
    assert s["ideal_days"] < s["wall_days_p10"] <= s["wall_days_p50"] <= s["wall_days_p90"]
    assert s["wall_days_p50"] == pytest.approx(s["expected_days"], rel=0.01)


def test_footprint_is_consistent(llama3_like):
    s = llama3_like.summary()
    assert s["gpu_hours"] >= s["gpus"] * s["wall_days_p10"] * 24
    assert s["cost_per_million_tokens_usd"] == pytest.approx(s["total_cost_usd"] / 15.6e12 * 1e6, rel=1e-9)
    assert s["co2_t"] > 0 and s["water_m3"] > 0 and s["energy_mwh"] > s["it_energy_mwh"]
    names = {a["name"] for a in llama3_like.assumptions}
    assert {"pue", "failure_model", "storage_write_job_share"} <= names


def test_more_tokens_take_longer():
    machine = job_machine(SPEC, "h100_sxm5")
    small = plan_training(get_model("llama3-8b"), SPEC, machine, 1e12, gpus=512,
                          options=ReliabilityOptions(monte_carlo_runs=200))
    large = plan_training(get_model("llama3-8b"), SPEC, machine, 2e12, gpus=512,
                          options=ReliabilityOptions(monte_carlo_runs=200))
    assert large.ideal_days == pytest.approx(2 * small.ideal_days, rel=1e-9)
    assert large.monte_carlo["wall_days"]["p50"] > small.monte_carlo["wall_days"]["p50"]


def test_zero_tokens_is_refused():
    with pytest.raises(ValueError, match="tokens"):
        plan_training(get_model("llama3-8b"), SPEC, job_machine(SPEC, "h100_sxm5"), 0)


def test_compare_phases_gets_faster_as_the_cluster_grows():
    phases = compare_phases(get_model("llama3-70b"), SPEC, 2e12, options=ReliabilityOptions(monte_carlo_runs=100))
    assert [c.phase for c in phases] == ["phase-1", "phase-2", "phase-3"]
    assert phases[1].best.ideal_days < phases[0].best.ideal_days
    assert phases[0].best.gpu == "h100_sxm5"
    assert phases[1].cluster_gpus == 200_000
