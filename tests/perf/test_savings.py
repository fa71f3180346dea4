"""Memory savings: the lightest one that fits is chosen by one rule for every layout, and the offload a plan
search adds is the smallest that fits."""

from __future__ import annotations

import numpy as np
import pytest

from colossim.models import get_model
from colossim.perf import evaluate, from_layouts, hardware_for, layout_arrays, model_arrays
from colossim.perf.layout import Layout
from colossim.perf.savings import (
    describe_saving,
    lightest_fitting,
    offload_offered,
    offload_to_fit,
    saving_options,
)


def test_a_layout_that_fits_keeps_no_saving():
    lay = Layout(tp=4, pp=8, vpp=5, dp=2, global_batch=128, precision="fp8", fp8_params=True,
                 grad_reduce_fp32=False)
    s = lightest_fitting(get_model("llama3-70b"), lay, hardware_for("h100_sxm5"))
    assert s.fits and describe_saving(s.layout) == "none" and s.layout == lay


@pytest.mark.parametrize(
    "model_id, gpu, layout",
    [
        ("llama3-70b", "gb200", Layout(dp=64, zero_stage=3, micro_batch=2, global_batch=128, precision="fp8",
                                       fp8_params=True)),
        ("deepseek-v3", "h100_sxm5", Layout(tp=2, pp=8, vpp=4, dp=64, ep=64, global_batch=8192,
                                            pp_split="uneven", precision="fp8", fp8_params=True)),
    ],
)
def test_the_chosen_saving_fits_and_nothing_faster_does(model_id, gpu, layout):
    model, hw = get_model(model_id), hardware_for(gpu)
    s = lightest_fitting(model, layout, hw)
    options = saving_options(model, layout, offload_offered(hw))
    r = evaluate(model, from_layouts(options), hw)
    assert not bool(r.memory.fits[0])  # the layout without savings does not fit
    assert s.fits and describe_saving(s.layout) != "none"
    faster = np.asarray(r.step_time_s) < s.step_time_s * (1 - 1e-12)
    assert not np.any(faster & np.asarray(r.memory.fits)), "a faster option fits"
    assert s.options == len(options)


def test_offload_is_offered_over_nvlink_c2c_only():
    assert offload_offered(hardware_for("gb200")) and offload_offered(hardware_for("gb300"))
    assert not any(offload_offered(hardware_for(g)) for g in ("h100_sxm5", "b200", "a100_sxm4_80gb"))
    lay = Layout(tp=8, pp=8, vpp=12, dp=2, global_batch=32)
    assert all(o.activation_offload == 0 for o in saving_options(get_model("nemotron-4-340b"), lay, False))


def test_options_differ_only_in_memory_savings():
    model = get_model("deepseek-v3")
    lay = Layout(tp=1, pp=4, vpp=4, dp=64, ep=64, global_batch=2048, pp_split="uneven")
    options = saving_options(model, lay)
    keep = ("tp", "pp", "vpp", "dp", "ep", "micro_batch", "global_batch", "precision", "zero_stage")
    assert all(all(getattr(o, k) == getattr(lay, k) for k in keep) for o in options)
    names = {describe_saving(o) for o in options}
    assert "none" in names and "full recompute" in names
    assert "selective recompute of mla_up_proj" in names and "activation offload of 50% of layers" in names
    assert len(names) == len(options)  # no option twice


def test_offload_to_fit_is_the_smallest_whole_number_of_layers():
    model = get_model("llama3-70b")
    m, hw = model_arrays(model), hardware_for("gb200").arrays()
    lay = layout_arrays(dp=64, zero=3, mbs=np.array([1, 2, 4]), recompute=np.array([2, 0, 0]), gbs=256,
                        precision=1, fp8_params=True)
    share = offload_to_fit(m, lay, hw)
    assert share[0] == 0.0  # fits without offload (full recompute)
    assert 0 < share[1] < 1 and np.isnan(share[2])  # mbs 4 needs more host memory than there is
    fits = evaluate(m, lay._replace(offload=np.nan_to_num(share)), hw).memory.fits
    assert bool(fits[1])
    one_less = evaluate(m, lay._replace(offload=share - 1 / model.layers), hw).memory.fits
    assert not bool(one_less[1])
    assert share[1] * model.layers == pytest.approx(round(share[1] * model.layers))
