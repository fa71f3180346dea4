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
    return plan_training(get_model("llama3-405b"), SPEC, job_machine(SPEC, "h100"), 15.6e12, gpus=16384,
                         options=ReliabilityOptions(failures="llama3_h100", monte_carlo_runs=400))


def test_llama3_setting_keeps_effective_training_time_above_90_percent(llama3_like):
    # Llama 3 paper, section 3.3.4: "higher than 90% effective training time" over the 54-day snapshot.
    assert llama3_like.monte_carlo.goodput.p50 > 0.90
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
    names = {a.name for a in llama3_like.assumptions}
    assert {"pue", "failure_model", "storage_write_job_share"} <= names


def test_more_tokens_take_longer():
    machine = job_machine(SPEC, "h100_sxm5")
    small = plan_training(get_model("llama3-8b"), SPEC, machine, 1e12, gpus=512,
                          options=ReliabilityOptions(monte_carlo_runs=200))
    large = plan_training(get_model("llama3-8b"), SPEC, machine, 2e12, gpus=512,
                          options=ReliabilityOptions(monte_carlo_runs=200))
    assert large.ideal_days == pytest.approx(2 * small.ideal_days, rel=1e-9)
    assert large.wall_days > small.wall_days


def test_zero_tokens_is_refused():
    with pytest.raises(ValueError, match="tokens"):
        plan_training(get_model("llama3-8b"), SPEC, job_machine(SPEC, "h100_sxm5"), 0)


@pytest.fixture(scope="module")
def phases():
    return compare_phases(get_model("llama3-70b"), SPEC, 2e12, options=ReliabilityOptions(monte_carlo_runs=100))


def test_compare_phases_gets_faster_as_the_cluster_grows(phases):
    assert [c.phase for c in phases] == ["phase-1", "phase-2", "phase-3"]
    assert phases[1].best.ideal_days < phases[0].best.ideal_days
    assert phases[0].best.gpu == "h100_sxm5" and phases[0].best.partition == "h100"
    assert phases[1].cluster_gpus == 200_000
    # H100 and H200 train as one partition, bounded by the H100's 80 GB
    assert phases[1].best.gpu_types == ("h100_sxm5", "h200_sxm") and phases[1].best.gpu == "h100_sxm5"


def test_the_gb200_phase_trains_more_tokens_a_day(phases):
    # issue 11: the phase that adds 30k GB200 must show more trainable tokens a day than the one before, with
    # the GB200 partition's own best job listed
    before, after = phases[1], phases[2]
    gb200 = [p for p in after.by_partition if p.partition == "gb200"]
    assert gb200 and gb200[0].gpus <= 30_024 and gb200[0].effective_tokens_per_day > 0
    assert after.concurrent.effective_tokens_per_day > before.concurrent.effective_tokens_per_day
    # every partition at once = the sum of their own jobs
    assert after.concurrent.tokens_per_day == pytest.approx(sum(p.tokens_per_day for p in after.by_partition))
    assert after.concurrent.jobs[0].partition == "h100+h200"  # the flagship on the largest partition


def test_busy_power_of_a_whole_machine_job_matches_the_cluster_sustained_power():
    # issue 11: `cluster`'s sustained facility power and `train`'s energy per day of the same fully busy machine
    # agree within 2%. Phase 1 (100k H100): the job's draw while computing, scaled to the whole machine.
    from datetime import date

    from colossim.catalog import load_catalog
    from colossim.cluster import cluster_figures

    at = date(2024, 9, 2)
    plan = plan_training(get_model("llama3-8b"), SPEC, job_machine(SPEC, at=at), 1e12,
                         options=ReliabilityOptions(monte_carlo_runs=50))
    cluster_mw = cluster_figures(SPEC, load_catalog(), at).facility_power_mw
    whole_machine_mw = plan.footprint.busy_facility_power_mw * 100_000 / plan.gpus
    assert whole_machine_mw == pytest.approx(cluster_mw, rel=0.02)
    per_day_mwh = plan.footprint.busy_facility_power_mw * 24
    assert per_day_mwh * 100_000 / plan.gpus == pytest.approx(cluster_mw * 24, rel=0.02)


def test_hardware_is_priced_from_the_catalog_systems():
    # issue 11: GB200 racks were costed at an H100's USD 35k per GPU; now each partition at its systems' catalog
    # mid price per GPU plus the network per GPU
    from colossim.catalog import load_catalog

    catalog = load_catalog()
    machine = job_machine(SPEC, "gb200")
    # the phase-3 racks are generic NVL72: no source names their vendor (colossus_record_2026.md sec. 1a, 5a)
    rack = catalog.systems["gb200_nvl72"]
    expected = rack.price.usd_mid / rack.gpus + machine.cluster.network_usd_per_gpu
    assert machine.economics.hardware.capex_usd_per_gpu == pytest.approx(expected)
    assert "gb200_nvl72" in machine.capex_source


def test_a_chosen_partition_heads_each_phase(phases):
    from colossim.train import with_headline

    chosen = with_headline(phases, "gb200")
    assert chosen[2].best.partition == "gb200" and chosen[2].fastest.partition == "h100+h200"
    assert chosen[0].best is phases[0].best  # a phase without GB200 keeps its fastest job
    assert with_headline(phases, None) == phases
    assert with_headline(phases[1:2], "h200")[0].best.partition == "h100+h200"  # a GPU type names its partition
    with pytest.raises(ValueError, match="no phase has a partition 'gb200'"):
        with_headline(phases[:1], "gb200")


def test_the_job_across_generations_is_planned_where_a_phase_has_two_partitions(phases):
    assert phases[0].cross_generation is None and "one partition" in phases[0].cross_generation_note
    last = phases[2]
    cross = last.cross_generation
    assert cross is not None and {g.partition for g in cross.groups} == {"h100+h200", "gb200"}
    # its goodput comes from the same checkpoint chain as every job's: a bigger job is interrupted more often
    hopper = next(p for p in last.by_partition if p.partition == "h100+h200")
    chain = last.cross_generation_chain
    assert chain.gpus == cross.gpus
    if cross.gpus > hopper.gpus:
        assert chain.plan.job_mttf_h < hopper.checkpoint.job_mttf_h
    assert last.cross_generation_tokens_per_day == pytest.approx(cross.tokens_per_s * 86_400 * chain.plan.ettr_daly)
