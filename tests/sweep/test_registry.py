"""Evaluators are named, never imported from a sweep file: built-ins plus the entry-point group
`colossim.evaluators` (the test evaluators are registered by tests/sweep/*.dist-info, as a package would)."""

from importlib import metadata

import pytest

from colossim.sweep.registry import (
    BUILT_IN,
    DEFAULT_EVALUATOR,
    ENTRY_POINT_GROUP,
    SweepEvaluator,
    canonical_name,
    load_evaluator,
    registered,
)
from colossim.sweep.tasks import evaluate_point, plan_inputs


def test_the_plan_search_is_built_in_and_the_default():
    assert DEFAULT_EVALUATOR == "plan" and registered()["plan"] == BUILT_IN["plan"]
    plan = load_evaluator("plan")
    assert plan.evaluate is evaluate_point and plan.resolve is plan_inputs


def test_entry_points_of_installed_packages_are_registered():
    names = {ep.name for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}
    assert {"toy_layouts", "sleepy", "dies_once"} <= names <= set(registered())
    toy = load_evaluator("toy_layouts")
    assert isinstance(toy, SweepEvaluator) and toy.resolve is not None
    noop = load_evaluator("noop")  # a plain function is wrapped
    assert noop.resolve is None and noop.evaluate.__name__ == "noop"


def test_an_entry_point_cannot_take_a_built_in_name(monkeypatch):
    fake = metadata.EntryPoint(name="plan", value="os:system", group=ENTRY_POINT_GROUP)
    real = metadata.entry_points
    monkeypatch.setattr(metadata, "entry_points",
                        lambda **kw: [*real(**kw), fake] if kw.get("group") == ENTRY_POINT_GROUP else real(**kw))
    assert registered()["plan"] == BUILT_IN["plan"]


@pytest.mark.parametrize("name", ["os:system", "builtins:eval", "colossim.sweep.tasks:run_chunk", "", "plan2"])
def test_anything_else_is_refused_with_how_to_register(name):
    with pytest.raises(ValueError, match=f"evaluator {name!r} is not registered.*'colossim.evaluators'"):
        canonical_name(name)
    with pytest.raises(ValueError, match="is not registered"):
        load_evaluator(name)


def test_a_registered_target_and_the_legacy_default_path_map_to_their_names():
    assert canonical_name("sweep_evaluators:toy") == "toy_layouts"
    assert canonical_name(BUILT_IN["plan"]) == canonical_name("colossim.sweep.tasks:evaluate_point") == "plan"
