"""Validation as a feature: every shipped run predicted within the stated quality bar, defaults named,
unrepresentable runs reported with a reason, and the fitter recovers known constants."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from colossim.validation import load_runs, predict_runs
from colossim.validation.defaults import padded_vocab, resolve
from colossim.validation.fit import batch, fit, predict_with
from colossim.validation.predict import prepare


@pytest.fixture(scope="module")
def report():
    return predict_runs(load_runs())


def test_mape_within_ten_percent_and_every_gpu_type_reported(report):
    assert report.unsupported == 0 and report.predicted == len(report.runs)
    assert report.mape_pct <= 10.0
    assert set(report.by_gpu) >= {"a100_sxm4_80gb", "h100_sxm5", "gb200", "b200", "gb300"}
    for group in report.by_gpu.values():
        assert group.mape_pct <= 20.0


def test_no_run_is_off_by_more_than_25_percent(report):
    worst = max(report.runs, key=lambda r: abs(r.error_pct))
    assert abs(worst.error_pct) <= 25.0, worst.id


def test_defaults_are_named(report):
    run = next(r for r in report.runs if r.id == "megatron_readme_h100_weak_70b")
    assert "micro_batch null -> 1" in run.defaults and "recompute null -> none" in run.defaults
    assert "gradient reduction -> bf16" in run.defaults
    assert any(d.startswith("sp null -> true") for d in run.defaults)


def test_vocabulary_is_padded_like_megatron():
    assert (
        padded_vocab(50257, 8) == 51200
        and padded_vocab(50257, 1) == 50304
        and padded_vocab(51200, 8) == 51200
    )


def test_unrepresentable_runs_are_reported_not_dropped():
    raw = yaml.safe_load(yaml.safe_dump([r.model_dump(mode="json") for r in load_runs()[:2]]))
    raw[0]["precision"] = "fp8"  # A100 has no FP8 mode
    raw[1]["hardware"]["gpu"] = "tpu_v5p"
    from colossim.validation.load import _runs

    rep = predict_runs(_runs(raw, "test"))
    assert rep.unsupported == 2 and rep.predicted == 0
    assert "no calibrated fp8 mode" in rep.runs[0].reason and "not in the catalog" in rep.runs[1].reason


def test_uneven_pipeline_split_is_a_named_default():
    run = next(r for r in load_runs() if r.id == "mbridge_2509_h100_dsv3")
    res = resolve(run)
    assert res.layout.pp_split == "uneven" and res.layout.moe_dispatcher == "deepep"


def test_fit_recovers_constants_that_generated_the_targets():
    runs = [r for r in load_runs() if r.hardware.gpu in ("h100_sxm5", "a100_sxm4_80gb")]
    b = batch(prepare(runs))
    truth = {"gemm_eff.bf16": 0.66, "gemm_eff.fp8": 0.52, "attention_eff": 0.42, "comm_contention": 0.2}
    synthetic = b.__class__(**{**b.__dict__, "target": predict_with(b, truth)})
    got = fit(synthetic, prior_weight=0.0)
    for key, value in truth.items():
        assert got[key] == pytest.approx(value, rel=0.05), key
    err = (predict_with(synthetic, got) - synthetic.target) / synthetic.target
    assert np.max(np.abs(err)) < 0.01


def test_every_published_run_fits_in_memory_after_defaults(report):
    """They all ran: with the framework defaults (FP8 primary weights, the lightest memory saving that fits
    for a null recompute) the model must find room for every one of them."""
    shared = Path(__file__).parents[2] / ".." / "shared" / "validation" / "runs.yaml"
    if shared.exists():  # the shipped copy holds every published run
        assert [r.id for r in load_runs(shared)] == [r.id for r in load_runs()]
    tight = [r.id for r in report.runs if r.fits_memory is not True]
    assert tight == []


def test_the_memory_saving_of_each_null_recompute_is_named(report):
    runs = {r.id: r for r in load_runs()}
    for res in report.runs:
        named = [d for d in res.defaults if d.startswith("recompute null -> ")]
        assert len(named) == (1 if runs[res.id].recompute is None else 0), res.id
    gb200 = next(r for r in report.runs if r.id == "mbridge_2509_gb200_llama3_70b")  # FSDP, tp1: must save
    assert any(d.startswith("recompute null -> ") and "none" not in d for d in gb200.defaults)
    assert "fp8 -> FP8 primary weights (fp8_param_gather)" in gb200.defaults


def test_recipe_switches_a_run_states_reach_the_layout():
    # Megatron-Bridge 25.09 DeepSeek-V3 configs: DeepEP and A2A overlap on H100, NCCL all-to-all on GB200
    runs = {r.id: r for r in load_runs()}
    h100, gb200 = resolve(runs["mbridge_2509_h100_dsv3"]).layout, resolve(runs["mbridge_2509_gb200_dsv3"]).layout
    assert h100.moe_dispatcher == "deepep" and h100.overlap.ep
    assert h100.recompute == "selective" and set(h100.recompute_modules) == {"mla_up_proj", "mlp"}
    assert gb200.moe_dispatcher == "alltoall" and not gb200.overlap.ep
    assert gb200.recompute_modules == ("mla_up_proj",)
