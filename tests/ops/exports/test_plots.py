"""Plots are written only when asked, as PNG files."""

from __future__ import annotations

import numpy as np

from colossim.ops import OpsConfig, build_workload, simulate
from colossim.ops.exports.plots import plot_result


def test_plot_result_writes_four_pngs(make_pool, make_cluster, tmp_path):
    cl = make_cluster(make_pool(nodes=32, rate=0.05))
    cfg = OpsConfig.model_validate({"days": 5, "workload": {"jobs": 300}})
    res = simulate(cl, build_workload(cl, cfg), cfg)
    paths = plot_result(res, tmp_path / "plots")
    assert [p.name for p in paths] == ["ops_capacity.png", "ops_utilisation.png", "ops_queue.png",
                                       "ops_job_times.png"]
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_job_times_chart_keeps_the_jobs_that_did_not_wait(make_pool, make_cluster):
    from colossim.ops.exports.plots import job_times_figure

    cl = make_cluster(make_pool(nodes=32, rate=0.05))
    cfg = OpsConfig.model_validate({"days": 5, "workload": {"jobs": 300}})
    res = simulate(cl, build_workload(cl, cfg), cfg)
    waits = res.jobs.queue_s
    started = np.isfinite(waits)
    no_wait = int(np.count_nonzero(waits[started] <= 1e-6))
    assert 0 < no_wait < started.sum()  # this run has both: jobs that started at once and jobs that queued
    bars = job_times_figure(res).axes[0]
    heights = [p.get_height() for p in bars.patches]
    labels = [t.get_text() for t in bars.get_xticklabels()]
    assert labels[0] == "no wait" and heights[0] == no_wait
    assert sum(heights) == started.sum()
