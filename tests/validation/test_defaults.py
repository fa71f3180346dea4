"""Defaults the validation fills where a published run is silent."""

from __future__ import annotations


def test_a_run_that_does_not_state_router_groups_gets_its_models_published_routing():
    # DeepSeek-V3 routes each token to experts of at most 4 of its 8 groups (DeepSeek-V3 report 2.1.2,
    # config.json n_group 8 / topk_group 4): a published run in the shared schema does not carry those fields
    from colossim.validation.defaults import resolve
    from colossim.validation.load import load_runs

    run = next(r for r in load_runs() if r.id == "mbridge_2509_h100_dsv3")
    bare = run.model_copy(update={"model": run.model.model_copy(update={
        "moe": run.model.moe.model_copy(update={"router_groups": None, "router_group_topk": None})})})
    resolved = resolve(bare)
    assert (resolved.model.moe.router_groups, resolved.model.moe.router_group_topk) == (8, 4)
    assert any("router groups null -> 8, top 4" in note for note in resolved.defaults)
    # a model of another architecture (Mixtral-like: 8 experts, top 2) keeps routing without a group limit
    other = bare.model_copy(update={"model": bare.model.model_copy(update={
        "moe": bare.model.moe.model_copy(update={"experts": 8, "top_k": 2})})})
    assert _moe_groups(other) is None


def _moe_groups(run):
    from colossim.models.schema import MoeSpec
    from colossim.validation.defaults import _with_published_routing

    return _with_published_routing(MoeSpec(**run.model.moe.model_dump()), run.model.layers, run.model.hidden,
                                   []).router_groups
