"""Plots are written only when asked, as PNG files."""

from __future__ import annotations

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
