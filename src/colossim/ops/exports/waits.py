"""Queue waits in bins, with a bin of its own for the jobs that did not wait at all.

One place for the binning that `colossim simulate --plot` (ops_job_times.png) and the report's queue figure
both draw: a log axis has no room for a zero wait, so without the "no wait" bin those jobs would vanish.
"""

from __future__ import annotations

import numpy as np

# (upper edge in seconds, label): each bin holds the waits in (previous edge, this edge]
WAIT_BINS = (
    (60.0, "under 1 min"),
    (600.0, "1-10 min"),
    (3600.0, "10 min-1 h"),
    (21_600.0, "1-6 h"),
    (86_400.0, "6-24 h"),
    (604_800.0, "1-7 days"),
    (np.inf, "over 7 days"),
)
ZERO_WAIT_S = 1e-6  # a wait this short is no wait (event times are floats)
NO_WAIT = "no wait"


def wait_counts(waits_s: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Jobs per wait bin, the "no wait" bin first. Waits that are not finite (jobs that never started) are
    left out; every other wait lands in exactly one bin, so the counts add up to the jobs that started."""
    w = np.asarray(waits_s, dtype=float)
    w = w[np.isfinite(w)]
    labels = [NO_WAIT, *(label for _, label in WAIT_BINS)]
    edges = np.array([ZERO_WAIT_S, *(edge for edge, _ in WAIT_BINS)])
    index = np.searchsorted(edges, w, side="left")  # 0: no wait, i: (edges[i-1], edges[i]]
    return labels, np.bincount(index, minlength=len(labels))[: len(labels)]


__all__ = ["NO_WAIT", "WAIT_BINS", "ZERO_WAIT_S", "wait_counts"]
