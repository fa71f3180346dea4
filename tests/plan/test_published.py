"""For every published run in the shipped validation file, the search's best layout is never slower, by the
model, than the layout the authors used (on the same GPUs, global batch, precision and switches)."""

import pytest

from colossim.plan.published import rank_published
from colossim.validation.defaults import Unrepresentable
from colossim.validation.load import load_runs


def _rankings():
    out = []
    for run in load_runs():
        try:
            out.append(rank_published(run))
        except Unrepresentable:
            continue
    return out


@pytest.fixture(scope="module")
def rankings():
    return _rankings()


def test_most_runs_are_ranked(rankings):
    assert len(rankings) >= 50


def test_search_is_never_slower_than_a_published_layout_that_fits(rankings):
    for r in rankings:
        if r.published_fits:
            assert r.best_step_time_s <= r.published_step_time_s * (1 + 1e-9), r.run_id
            assert r.rank >= 1


def test_rank_one_means_nothing_faster(rankings):
    for r in rankings:
        if r.published_fits and r.rank == 1:
            assert r.best_step_time_s == pytest.approx(r.published_step_time_s, rel=1e-9), r.run_id
