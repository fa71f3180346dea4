"""A run on colossus that crosses the inference lease (2026-05-06): no job starts on the leased GPUs, the
capacity after the date is gone from training, and the summary says why."""

from __future__ import annotations

from datetime import date

import numpy as np

from colossim.cluster import load_cluster
from colossim.ops import OpsConfig, build_workload, pools_from_cluster, simulate

DAY = 86_400.0


def test_a_run_across_the_lease_date_stops_training_on_the_leased_site():
    spec = load_cluster("colossus")
    lease = next(ph for ph in spec.phases if ph.use == "inference_lease").start
    start = date(2026, 4, 16)  # 20 days before the lease; the run lasts 40 days
    cl = pools_from_cluster(spec, start=start)
    cfg = OpsConfig.model_validate({"days": 40, "workload": {"jobs": 3000}})
    res = simulate(cl, build_workload(cl, cfg), cfg)
    lease_s = (lease - start).days * DAY
    started = res.jobs.first_start_s[np.isfinite(res.jobs.first_start_s)]
    assert started.size > 0 and started.max() < lease_s  # nothing starts on the leased GPUs
    s = res.series
    after = s.t_s > lease_s
    assert np.all(s.busy_gpus[after] <= s.busy_gpus[~after][-1])  # only jobs running at the handover go on
    # training capacity: the whole site for the 20 days before (closed form from the delivery plan), then
    # only the nodes still held by their jobs
    full = cl.capacity_gpus_at(0) * lease_s / 3600.0
    assert full <= res.summary.training_capacity_gpu_h < full * 1.5
    assert any(f"leased out for inference from {lease}" in note for note in res.summary.notes)
    assert res.to_dict()["summary"]["notes"] == list(res.summary.notes)
