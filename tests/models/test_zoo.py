"""Every zoo entry loads with a source, and parameter counts match the published sizes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from colossim.models import ModelSpec, get_model, load_zoo, param_counts

# Published totals / active parameters in billions (the model's own paper, card or release).
PUBLISHED = {
    "gpt3-175b": (175.0, None),  # Brown et al. 2020
    "llama3-8b": (8.03, None),  # Meta model card
    "llama3-70b": (70.6, None),  # Meta model card
    "llama3-405b": (405.0, None),  # Llama 3 paper
    "nemotron4-340b": (340.0, None),  # Nemotron-4 340B report
    "grok1-314b": (314.0, "25%"),  # xAI release: "25% of the weights active on a given token"
    "mixtral-8x22b": (141.0, 39.0),  # Mistral AI announcement
    "deepseek-v3": (671.0, 37.0),  # DeepSeek-V3 report (without the 14B MTP module)
    "qwen3-235b-a22b": (235.0, 22.0),  # Qwen3 report
    "grok-2": (270.0, 115.0),  # community count of the open weights (~270B / ~115B), colossus_record_2026.md sec. 6
}


def test_every_entry_has_a_source_and_valid_shape():
    zoo = load_zoo()
    assert len(zoo.ids()) >= 10
    for m in zoo:
        assert len(m.source) > 20, m.id
        assert m.layers > 0 and m.hidden > 0 and m.vocab > 0 and m.seq_len > 0


@pytest.mark.parametrize("model_id", sorted(PUBLISHED))
def test_parameter_counts_match_published_sizes(model_id):
    total, active = PUBLISHED[model_id]
    counts = param_counts(get_model(model_id))
    assert counts.total_b == pytest.approx(total, rel=0.015)
    if active is None:
        assert counts.active == counts.total
    elif active == "25%":
        assert 0.22 < counts.active / counts.total < 0.28
    else:
        assert counts.active_b == pytest.approx(active, rel=0.03)


def test_estimated_entry_states_its_reasoning():
    m = get_model("grok-3-class")
    assert m.estimate and "3" in m.estimate_reasoning and len(m.estimate_reasoning) > 200
    assert 2.5e12 < param_counts(m).total < 3.5e12


def test_grok_4_and_5_class_rest_on_the_size_claims():
    # Musk (Nov 2025, record sec. 6): Grok 3 and 4 are ~3T, Grok 5 is a 6T MoE; all estimates with reasoning
    assert get_model("grok-4-class").id == "grok-3-class"
    g5 = get_model("grok-5-class")
    assert g5.estimate and "6" in g5.estimate_reasoning and len(g5.estimate_reasoning) > 200
    assert 5.5e12 < param_counts(g5).total < 6.5e12
    assert "RL" in get_model("grok-3-class").estimate_reasoning  # Grok 4's RL share at about pretraining scale


def test_aliases_resolve_and_unknown_names_list_choices():
    assert get_model("dsv3").id == "deepseek-v3"
    with pytest.raises(KeyError, match="use one of"):
        get_model("gpt-5")


BASE = dict(
    id="x",
    name="x",
    source="test",
    layers=2,
    hidden=64,
    heads=4,
    attention="gqa",
    kv_heads=2,
    ffn=128,
    mlp="gated",
    vocab=100,
    seq_len=32,
)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"kv_heads": 3}, "kv_heads dividing"),
        ({"attention": "mha"}, "kv_heads == heads"),
        ({"attention": "mla"}, "needs an `mla` mapping"),
        ({"ffn": None}, "ffn is needed"),
        ({"moe": {"experts": 4, "top_k": 8, "expert_ffn": 16}}, "top_k=8 exceeds"),
        ({"moe": {"experts": 64, "top_k": 8, "expert_ffn": 16, "router_groups": 8}}, "set both or neither"),
        ({"moe": {"experts": 64, "top_k": 8, "expert_ffn": 16, "router_groups": 6, "router_group_topk": 2}},
         "does not divide experts=64"),
        ({"moe": {"experts": 64, "top_k": 8, "expert_ffn": 16, "router_groups": 8, "router_group_topk": 9}},
         "exceeds router_groups=8"),
        ({"estimate": True}, "estimate_reasoning"),
        ({"hidden": 66}, "give head_dim"),
        ({"unknown_field": 1}, "Extra inputs"),
    ],
)
def test_inconsistent_models_fail_with_a_message(change, message):
    with pytest.raises(ValidationError, match=message):
        ModelSpec(**{**BASE, **change})
