"""Layout checks: clear messages that say what to change, and a vectorised mask that agrees with them."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from colossim.inputs import InputError
from colossim.models import get_model
from colossim.perf import Layout, check_layout, from_layouts, layout_problems, model_arrays, valid_mask


def _problems(model_id, gpus=None, **kw):
    return layout_problems(get_model(model_id), Layout(**{"global_batch": 64, **kw}), gpus)


def test_valid_layout_has_no_problems():
    assert _problems("llama3-70b", 64, tp=8, pp=4, dp=2, vpp=5) == []


@pytest.mark.parametrize(
    "model_id, gpus, layout, field, hint",
    [
        ("llama3-70b", 64, dict(tp=8, pp=4, dp=4), "dp", "set dp = 2"),
        ("gpt3-175b", None, dict(tp=5), "tp", "use tp in 1, 2, 3, 4, 6, 8"),
        ("llama3-70b", None, dict(tp=16), "tp", "use tp in 1, 2, 4, 8"),
        ("llama3-405b", None, dict(pp=8, vpp=8), "pp", "pp_split: uneven"),
        ("llama3-70b", None, dict(vpp=2), "vpp", "pp >= 2"),
        ("llama3-70b", None, dict(dp=3), "global_batch", "multiple of dp*micro_batch"),
        ("llama3-70b", None, dict(dp=4, micro_batch=3), "global_batch", "micro_batch in 1, 2, 4, 8, 16"),
        ("deepseek-v3", None, dict(dp=8, ep=3), "ep", "use ep in 1, 2, 4, 8"),
        ("deepseek-v3", None, dict(dp=8, ep=16), "ep", "use ep in 1, 2, 4, 8"),
        ("llama3-70b", None, dict(ep=2), "ep", "set ep: 1"),
        ("llama3-8b", None, dict(cp=3), "cp", "use cp in"),
    ],
)
def test_invalid_layouts_say_what_to_change(model_id, gpus, layout, field, hint):
    problems = _problems(model_id, gpus, **layout)
    assert any(p.location == field and hint in p.hint for p in problems), [p.render() for p in problems]


def test_check_layout_raises_input_error_with_every_problem():
    with pytest.raises(InputError) as err:
        check_layout(get_model("gpt3-175b"), Layout(tp=5, dp=3, global_batch=64), 16, "run.yaml")
    text = err.value.render()
    assert "run.yaml" in text and "tp=5" in text and "dp" in text


@pytest.mark.parametrize(
    "bad",
    [
        dict(tp=0),
        dict(recompute="some"),
        dict(precision="fp16"),
        dict(zero_stage=4),
        dict(foo=1),
        dict(activation_offload=1.5),
        dict(recompute="full", recompute_layers=0),
        dict(recompute="selective", recompute_modules=["attention"]),
        dict(recompute="selective", recompute_modules=[]),
    ],
)
def test_bad_values_fail_validation(bad):
    with pytest.raises(ValidationError):
        Layout(global_batch=8, **bad)


@pytest.mark.parametrize(
    "bad, says",
    [
        (dict(recompute_layers=2), "recompute: full"),
        (dict(recompute="full", recompute_modules=["mlp"]), "recompute: selective"),
        (dict(recompute="selective", recompute_modules=["mlp", "mlp"]), "twice"),
        (dict(fp8_params=True), "precision: fp8"),
    ],
)
def test_memory_switches_need_their_mode(bad, says):
    with pytest.raises(ValidationError, match=says):
        Layout(global_batch=8, **bad)


@pytest.mark.parametrize(
    "model_id, module, hint",
    [("llama3-70b", "mla_up_proj", "drop mla_up_proj"), ("llama3-70b", "moe_act", "drop moe_act")],
)
def test_recompute_modules_must_exist_in_the_model(model_id, module, hint):
    problems = _problems(model_id, recompute="selective", recompute_modules=[module])
    assert any(p.location == "recompute_modules" and hint in p.hint for p in problems)
    assert _problems("deepseek-v3", recompute="selective", recompute_modules=[module], pp_split="uneven") == []


MODULE_SETS = [["core_attn"], ["layernorm", "mlp"], ["mla_up_proj"], ["moe_act", "layernorm"]]

layouts = st.builds(
    lambda tp, pp, dp, cp, ep, vpp, mbs, gbs, uneven, sp, modules: Layout(
        recompute="selective",
        recompute_modules=modules,
        tp=tp,
        pp=pp,
        dp=dp,
        cp=cp,
        ep=ep,
        vpp=vpp,
        micro_batch=mbs,
        global_batch=gbs,
        pp_split="uneven" if uneven else "even",
        sp=sp,
    ),
    st.sampled_from([1, 2, 3, 4, 8, 16]),
    st.sampled_from([1, 2, 3, 4, 8]),
    st.sampled_from([1, 2, 3, 8]),
    st.sampled_from([1, 2, 3]),
    st.sampled_from([1, 2, 8, 64]),
    st.sampled_from([1, 2, 3, 5]),
    st.sampled_from([1, 2, 3]),
    st.sampled_from([8, 24, 64, 96]),
    st.booleans(),
    st.booleans(),
    st.sampled_from(MODULE_SETS),
)


@settings(max_examples=150, deadline=None)
@given(
    model_id=st.sampled_from(["llama3-70b", "gpt3-175b", "deepseek-v3", "qwen3-235b-a22b", "mixtral-8x22b"]),
    layout=layouts,
)
def test_vectorised_mask_agrees_with_messages(model_id, layout):
    model = get_model(model_id)
    mask = valid_mask(model_arrays(model), from_layouts([layout]))
    assert bool(mask[0]) == (layout_problems(model, layout) == [])


def test_mask_checks_the_gpu_count():
    lay = from_layouts([Layout(tp=8, pp=2, dp=4, global_batch=64)])
    m = model_arrays(get_model("llama3-70b"))
    assert valid_mask(m, lay, 64)[0] and not valid_mask(m, lay, 128)[0]
    assert np.asarray(lay.gpus)[0] == 64
