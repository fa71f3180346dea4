"""Failure rates per node-time and job MTTF for a job on N nodes (series system, exponential)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from colossim.reliability import custom_failure_model, failure_model, job_mttf_h, per_node_hour


def test_llama3_expects_419_unexpected_interruptions_in_54_days():
    # Llama 3 paper (arXiv 2407.21783) Table 5: 419 unexpected interruptions, 54 days, 16,384 H100.
    fm = failure_model("llama3_h100")
    assert fm.expected_failures(gpus=16_384, hours=54 * 24) == pytest.approx(419, abs=0.5)
    # ...and 47 planned ones (same section).
    assert fm.planned_per_node_hour * 2048 * 54 * 24 == pytest.approx(47, abs=0.5)
    # reliability.md sec. 1: job MTTF 3.09 h (54 d x 24 / 419).
    assert fm.job_mttf_h(16_384) == pytest.approx(54 * 24 / 419, rel=1e-4)


def test_rsc1_job_mttf_at_16k_and_131k_gpus():
    # Kokolis et al. HPCA'25 (arXiv 2410.21680): 6.50 / 1,000 node-days -> 1.8 h at 16,384 GPUs,
    # 0.23 h at 131,072 GPUs (both printed to 2 significant digits).
    fm = failure_model("meta_rsc1_a100")
    assert fm.job_mttf_h(16_384) == pytest.approx(1.8, abs=0.05)
    assert fm.job_mttf_h(131_072) == pytest.approx(0.23, abs=0.005)


@pytest.mark.parametrize(
    ("gpus", "rate", "minutes"),
    [
        # reliability.md sec. 3 table (printed to 0.1 min)
        (100_000, 3.79, 30.4),
        (131_072, 3.79, 23.2),
        (200_000, 3.79, 15.2),
        (100_000, 6.50, 17.7),
        (131_072, 6.50, 13.5),
        (200_000, 6.50, 8.9),
    ],
)
def test_reference_mttf_table(gpus, rate, minutes):
    assert job_mttf_h(gpus / 8, per_node_hour(rate)) * 60 == pytest.approx(minutes, abs=0.05)


def test_databricks_one_percent_afr_probabilities():
    # Databricks blog (reliability.md sec. 2.13): 30-day job, 57 % chance of >= 1 failure at 1,024 GPUs,
    # 19 % at 256 GPUs.
    fm = failure_model("databricks_1pct_afr")
    for gpus, p in ((1024, 0.57), (256, 0.19)):
        assert 1 - math.exp(-fm.expected_failures(gpus, 30 * 24)) == pytest.approx(p, abs=0.005)


def test_lablup_rate_reproduces_its_count():
    # Lablup B200 (arXiv 2605.09370): 10 GPU failures on 63 nodes over 55 days.
    fm = failure_model("lablup_b200")
    assert fm.expected_failures(63 * 8, 55 * 24) == pytest.approx(10, abs=0.01)


def test_class_shares_are_normalised_and_split_the_rate():
    for name in ("llama3_h100", "meta_rsc1_a100", "crusoe_h200", "lablup_b200"):
        fm = failure_model(name)
        assert sum(fm.class_shares.values()) == pytest.approx(1.0, abs=1e-12)
        assert sum(fm.class_rates_per_node_hour().values()) == pytest.approx(
            fm.failures_per_node_hour, rel=1e-12
        )
        assert 0 < fm.repair_share <= 1


def test_llama3_normalised_faulty_gpu_share():
    # 30.1 % printed, normalised by the printed total 94.9 % (reliability.md sec. 2.1 recommendation).
    fm = failure_model("llama3_h100")
    share = next(c.share for c in fm.components if c.component == "Faulty GPU")
    assert share == pytest.approx(30.1 / 94.9, rel=1e-12)


@given(nodes=st.floats(1, 1e6), rate=st.floats(1e-3, 50))
def test_mttf_halves_when_nodes_double(nodes, rate):
    r = per_node_hour(rate)
    assert job_mttf_h(2 * nodes, r) == pytest.approx(job_mttf_h(nodes, r) / 2, rel=1e-12)


def test_vectorised_mttf_and_scaling():
    r = per_node_hour(6.5)
    out = job_mttf_h(np.array([2048, 16384]), r)
    assert out.shape == (2,)
    fm = failure_model("llama3_h100")
    assert fm.scaled(2.0).job_mttf_h(1000) == pytest.approx(fm.job_mttf_h(1000) / 2, rel=1e-12)


def test_custom_model_uses_given_rate_and_preset_mix():
    fm = custom_failure_model(6.5, gpus_per_node=4)
    assert fm.failures_per_1000_node_days == pytest.approx(6.5)
    assert fm.job_mttf_h(16_384) == pytest.approx(1 / (4096 * per_node_hour(6.5)))
    assert fm.class_shares == failure_model("llama3_h100").class_shares
    with pytest.raises(ValueError):
        custom_failure_model(0.0)
