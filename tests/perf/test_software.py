"""Software stacks: defaults by framework and release date, and what they change in the step."""

from __future__ import annotations

from datetime import date

import pytest

from colossim.inputs import InputError
from colossim.models import get_model
from colossim.perf import Layout, hardware_for, step_breakdown
from colossim.perf.software import FRAMEWORKS, Software, load_software_defaults, software_defaults


def test_every_framework_has_sourced_releases():
    d = load_software_defaults()
    assert set(d.frameworks) == set(FRAMEWORKS)
    for name, fw in d.frameworks.items():
        for r in fw.releases:
            assert len(r.source) > 20, name


def test_defaults_change_with_the_release_date():
    old, _ = software_defaults("megatron_lm", date(2021, 4, 1))
    new, _ = software_defaults("megatron_lm", date(2025, 1, 1))
    assert not old.flash_attention and new.flash_attention  # TE fused attention the default from 2024
    bw_old, _ = software_defaults("megatron_bridge", date(2025, 9, 1), blackwell=True)
    bw_new, _ = software_defaults("megatron_bridge", date(2026, 6, 1), blackwell=True)
    assert (bw_old.fp8_recipe, bw_new.fp8_recipe) == ("current", "mxfp8")
    assert bw_old.cuda_graphs == "none" and bw_new.cuda_graphs == "layer"
    assert software_defaults("torchtitan")[0].fsdp_reshard == "auto"


def test_unknown_framework_is_refused():
    with pytest.raises(InputError, match="unknown framework"):
        software_defaults("jax")  # type: ignore[arg-type]


def test_fp8_recipes_cost_what_their_extra_passes_cost():
    model, hw = get_model("llama3-70b"), hardware_for("h100_sxm5")
    base = dict(tp=4, pp=4, dp=4, global_batch=64, precision="fp8")
    t = {r: step_breakdown(model, Layout(**base, software=Software(fp8_recipe=r)), hw).step_time_s
         for r in ("delayed", "current", "blockwise")}
    assert t["delayed"] < t["current"]  # current scaling adds an amax pass over every cast
    assert t["delayed"] < t["blockwise"]  # block-scaled GEMMs run below per-tensor FP8 on Hopper
    bf16 = step_breakdown(model, Layout(**base), hw).step_time_s
    assert bf16 / t["delayed"] < 1.8  # FP8's 2x peak does not reach the step: casts and BF16 attention


def test_unfused_kernels_and_attention_slow_the_step():
    model, hw = get_model("llama3-8b"), hardware_for("a100")
    lay = dict(tp=1, pp=1, dp=8, global_batch=64, recompute="full")
    fused = step_breakdown(model, Layout(**lay), hw).step_time_s
    eager = step_breakdown(model, Layout(**lay, software=Software(fused_kernels=False)), hw).step_time_s
    plain = step_breakdown(model, Layout(**lay, software=Software(flash_attention=False)), hw).step_time_s
    assert fused < eager and fused < plain
