"""run_chunk: rows with the point's columns, infeasible points recorded, failures returned (never raised)."""

import sys
from dataclasses import replace

import pytest
from sweep_helpers import spec

from colossim.sweep.grid import expand_grid
from colossim.sweep.tasks import evaluate_point, resolve_evaluator, run_chunk


def test_rows_carry_point_columns_key_and_rank_best_first():
    points = expand_grid(spec(top_k=3))[:3]
    result = run_chunk(points)
    assert result.failure is None and set(result.done) == {p.key for p in points}
    assert all(v is None for v in result.done.values())
    for p in points:
        rows = [r for r in result.rows if r["point_key"] == p.key]
        assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1)) and 1 <= len(rows) <= 3
        assert all(r["model"] == p.model and r["gpus"] == p.gpus for r in rows)
        tput = [r["tokens_per_s"] for r in rows]
        assert tput == sorted(tput, reverse=True)
        assert all(r["tp"] * r["pp"] * r["dp"] == p.gpus for r in rows)


def test_infeasible_point_is_recorded_with_its_reason_and_the_chunk_goes_on():
    points = expand_grid(spec(models=["huge", "tiny"], gpu_counts=[8]))
    result = run_chunk(points)
    huge, tiny = points[0].key, points[2].key
    assert "no layout of 8 GPUs fits huge" in result.done[huge]
    assert result.done[tiny] is None and result.failure is None
    assert {r["point_key"] for r in result.rows} == {p.key for p in points if p.model == "tiny"}


def test_bad_request_stops_the_chunk_as_an_input_failure():
    points = expand_grid(spec(models=["tiny", "gpt9"], clusters=["fast"], gpu_counts=[8]))
    result = run_chunk(points)
    assert result.failure is not None and result.failure.kind == "input"
    assert "unknown model 'gpt9'" in result.failure.message and "model=gpt9" in result.failure.point
    assert list(result.done) == [points[0].key]


def test_evaluator_bug_comes_back_with_its_traceback():
    result = run_chunk(expand_grid(spec(evaluator="buggy", models=["tiny"],
                                        clusters=["fast"])))
    assert result.failure.kind == "error" and "ZeroDivisionError" in result.failure.message
    assert "1 / 0" in result.failure.traceback
    assert len(result.done) == 1  # the 8-GPU point finished before the 16-GPU one failed


def test_dataframe_results_are_accepted_and_point_columns_win():
    result = run_chunk(expand_grid(spec(evaluator="as_frame", models=["tiny"],
                                        clusters=["fast"])))
    assert len(result.rows) == 2 * 3
    assert all(r["model"] == "tiny" for r in result.rows)


@pytest.mark.parametrize("name,words", [
    ("missing_module", "module 'no_such_module_xyz' cannot be imported"),
    ("missing_function", "module 'sweep_evaluators' has no 'missing'"),
    ("value_not_a_function", "'sweep_evaluators:VALUE', which is not a function"),
])
def test_registered_but_unloadable_evaluators_say_what_to_fix(name, words):
    with pytest.raises(ValueError, match=words):
        resolve_evaluator(name)
    result = run_chunk(expand_grid(spec(evaluator=name))[:1])
    assert result.failure.kind == "input" and words in result.failure.message


def test_a_worker_loads_only_registered_evaluators():
    point = replace(expand_grid(spec())[0], evaluator="os:system")  # as if a point were forged
    result = run_chunk([point])
    assert result.failure.kind == "input" and "'os:system' is not registered" in result.failure.message


def test_default_evaluator_says_when_the_plan_search_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "colossim.plan.search", None)  # import -> ImportError
    with pytest.raises(ValueError, match=r"colossim\.plan\.search\) is not part of this installation"):
        evaluate_point(expand_grid(spec())[0])
