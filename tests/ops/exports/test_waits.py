"""Wait bins: zero waits have a bin of their own, every started job lands in exactly one bin."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from colossim.ops.exports.waits import NO_WAIT, WAIT_BINS, wait_counts


def test_each_wait_lands_in_the_bin_its_edges_say():
    # by hand: 0 and 1e-9 s are no wait; 1 s and exactly 60 s are under a minute (edges are inclusive above);
    # 61 s is 1-10 min; 3600 s is 10 min-1 h; a day is 6-24 h; 30 days is over 7 days; nan never started
    waits = [0.0, 1e-9, 1.0, 60.0, 61.0, 3600.0, 86_400.0, 30 * 86_400.0, np.nan, np.inf]
    labels, counts = wait_counts(np.array(waits))
    assert labels == [NO_WAIT, *(label for _, label in WAIT_BINS)]
    assert dict(zip(labels, counts.tolist(), strict=True)) == {
        "no wait": 2, "under 1 min": 2, "1-10 min": 1, "10 min-1 h": 1, "1-6 h": 0, "6-24 h": 1, "1-7 days": 0,
        "over 7 days": 1}


def test_no_waits_at_all_and_no_jobs():
    assert wait_counts(np.zeros(5))[1].tolist() == [5, 0, 0, 0, 0, 0, 0, 0]
    assert wait_counts(np.array([]))[1].sum() == 0


@given(st.lists(st.one_of(st.just(0.0), st.floats(0.0, 1e9), st.just(np.nan)), max_size=50))
def test_counts_add_up_to_the_started_jobs(waits):
    w = np.array(waits, dtype=float)
    _, counts = wait_counts(w)
    assert counts.sum() == np.isfinite(w).sum()
    assert counts[0] == np.count_nonzero(w <= 1e-6)
