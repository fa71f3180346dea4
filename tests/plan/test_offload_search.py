"""On GPUs with a fast host link (Grace NVLink-C2C) the search offloads activations of layouts that would not
fit, with the smallest share that fits; over PCIe it does not."""

import pytest

from colossim.models import get_model
from colossim.perf import hardware_for, step_breakdown
from colossim.plan.search import layout_of, search

FSDP_ONLY = dict(tp_options=(1,), cp_options=(1,), vpp_options=(1,), mbs_options=(2,), zero_options=(3,),
                 recompute_codes=(0,), max_pp=1)


def test_gb200_search_offloads_what_does_not_fit():
    model, hw = get_model("llama3-70b"), hardware_for("gb200")
    result = search(model, hw, 64, global_batch=128, precisions=("fp8",), space_overrides=FSDP_ONLY,
                    min_gpu_fraction=1.0)
    best = result.best
    assert 0 < best["offload"] < 1 and best["fp8_params"]
    assert best["mem_total_gb"] <= best["mem_usable_gb"]
    one = step_breakdown(model, layout_of(best, model.layers, result.template), hw)  # the single-layout model
    assert one.memory.fits and one.step_time_s == pytest.approx(best["step_time_s"], rel=1e-12)
    assert one.offload_s == pytest.approx(best["offload_s"], rel=1e-12)


def test_pcie_machines_are_not_offered_offload():
    with pytest.raises(ValueError, match="fits"):
        search(get_model("llama3-70b"), hardware_for("b200"), 64, global_batch=128, precisions=("fp8",),
               space_overrides=FSDP_ONLY, min_gpu_fraction=1.0)
