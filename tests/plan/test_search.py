"""The plan search finds the same best layout as a brute-force scalar enumeration, and its numbers are the
single-layout step model's numbers."""

from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colossim.models.schema import ModelSpec, MoeSpec
from colossim.perf import hardware_for, step_breakdown
from colossim.perf.layout import Layout, layout_problems
from colossim.plan.search import layout_of, search

DENSE = ModelSpec(id="tiny-dense", name="tiny dense", source="test model", layers=8, hidden=2048, heads=16,
                  kv_heads=8, attention="gqa", ffn=5632, mlp="gated", vocab=32000, seq_len=4096)
MOE = ModelSpec(id="tiny-moe", name="tiny moe", source="test model", layers=6, hidden=1024, heads=16,
                kv_heads=16, attention="mha", ffn=2816, mlp="gated", vocab=32000, seq_len=2048,
                moe=MoeSpec(experts=8, top_k=2, expert_ffn=1408))


def _brute_force(model: ModelSpec, gpus: int, gbs: int, hw) -> tuple[float, Layout]:
    """Scalar enumeration of the documented search space (colossim.plan.candidates), one Layout at a time: of
    each layout's recompute variants (lightest first), the two lightest that fit are evaluated."""
    from colossim.perf.layout import MODULE_BIT
    from colossim.plan.candidates import recompute_variants

    experts = model.moe.experts if model.moe else 1
    names = ("none", "selective", "full")
    variants = recompute_variants(model.attention, model.dense_layers, model.moe is not None)
    best = (np.inf, None)
    for tp, cp, pp, vpp, dp, ep, mbs, zero in product(
            (1, 2, 4, 8), (1, 2, 4), range(1, model.layers + 1), (1, 2, 3, 4), range(1, gpus + 1),
            [e for e in range(1, experts + 1) if experts % e == 0], (1, 2, 4, 8), (0, 1, 2, 3)):
        if tp * cp * pp * dp > gpus or tp * cp * pp * dp < 0.5 * gpus:
            continue
        if gbs % (dp * mbs) or (vpp > 1 and pp == 1) or pp * vpp > model.layers:
            continue
        if not (model.layers % pp == 0 or pp & (pp - 1) == 0):  # divisor of the layers or a power of two
            continue
        if zero == 2 and pp > 1:  # ZeRO-2 without pipeline parallelism
            continue
        if cp > 1 and model.seq_len // cp < 2048:
            continue
        tried = 0
        for code, bits, layers in variants:
            rec = names[code]
            mods = tuple(n for n, b in MODULE_BIT.items() if bits & b) if rec == "selective" else ("core_attn",)
            lay = Layout(tp=tp, pp=pp, dp=dp, cp=cp, ep=ep, vpp=vpp, micro_batch=mbs, global_batch=gbs,
                         zero_stage=zero, recompute=rec, sp=tp > 1, recompute_modules=mods,
                         recompute_layers=int(layers) if rec == "full" and np.isfinite(layers) else None,
                         pp_split="uneven" if model.layers % (pp * vpp) else "even")
            if layout_problems(model, lay):
                break
            r = step_breakdown(model, lay, hw)
            if not r.memory.fits:
                continue
            tried += 1
            if 1e6 / r.tokens_per_s < best[0]:
                best = (1e6 / r.tokens_per_s, lay)
            if tried == 2:
                break
    return best


@pytest.mark.parametrize("model,gpus,gbs", [(DENSE, 8, 16), (MOE, 8, 8)])
def test_search_matches_brute_force(model, gpus, gbs):
    hw = hardware_for("h100_sxm5")
    # the brute force builds plain Layouts: search with the plain Layout's switches as the template
    result = search(model, hw, gpus, global_batch=gbs, top_k=3, template=Layout(global_batch=1))
    brute_value, brute_layout = _brute_force(model, gpus, gbs, hw)
    assert brute_layout is not None
    assert result.best["objective_value"] == pytest.approx(brute_value, rel=1e-9)


def test_small_memory_forces_sharding():
    """On a 40 GB GPU the 8-GPU dense search must pick layouts that fit in 40 GB."""
    result = search(DENSE, hardware_for("a100_sxm4_40gb"), 8, global_batch=16, top_k=5)
    assert (result.top["mem_total_gb"] <= result.top["mem_usable_gb"] + 1e-9).all()


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=0, max_value=4))
def test_search_rows_agree_with_single_layout_model(pick):
    hw = hardware_for("h100_sxm5")
    result = search(DENSE, hw, 16, global_batch=32, top_k=5)
    row = result.top.iloc[min(pick, len(result.top) - 1)]
    one = step_breakdown(DENSE, layout_of(row, DENSE.layers, result.template), hw)
    assert one.step_time_s == pytest.approx(row["step_time_s"], rel=1e-12)
    assert one.memory.total_gb == pytest.approx(row["mem_total_gb"], rel=1e-12)
    assert one.mfu == pytest.approx(row["mfu"], rel=1e-12)


def test_objectives_rank_by_their_own_value():
    hw = hardware_for("h100_sxm5")
    for objective in ("time", "cost", "energy"):
        top = search(DENSE, hw, 16, global_batch=32, objective=objective, top_k=5).top
        assert top["objective_value"].is_monotonic_increasing
        column = {"time": None, "cost": "cost_usd_per_mtok", "energy": "energy_kwh_per_mtok"}[objective]
        if column:
            assert np.allclose(top["objective_value"], top[column])


def test_runner_up_reason_names_the_differences():
    result = search(DENSE, hardware_for("h100_sxm5"), 16, global_batch=32, top_k=2)
    assert "worse on time" in result.runner_up_reason


def test_model_that_cannot_fit_fails_with_a_clear_message():
    from colossim.models.zoo import get_model

    with pytest.raises(ValueError, match="fits in 80 GB"):
        search(get_model("grok-3-class"), hardware_for("h100_sxm5"), 8)


def test_unsupported_precision_is_refused():
    with pytest.raises(ValueError, match="cannot train in fp4"):
        search(DENSE, hardware_for("h100_sxm5"), 8, precisions=("fp4",))


def test_reference_ranking_counts_better_layouts():
    hw = hardware_for("h100_sxm5")
    result = search(DENSE, hw, 16, global_batch=32, top_k=5, reference_value=np.inf)
    assert result.better_than_reference == result.fitting
    result = search(DENSE, hw, 16, global_batch=32, top_k=5,
                    reference_value=float(search(DENSE, hw, 16, global_batch=32).best["objective_value"]))
    assert result.better_than_reference == 0
