"""Replaying a synthetic workload through its CSV trace and the simulator reproduces the workload's own
statistics: job sizes, run times and failed/cancelled shares within 5 % (with node failures on)."""

from __future__ import annotations

import numpy as np
import pytest

from colossim.ops import (
    OUTCOMES,
    STATUSES,
    OpsConfig,
    SyntheticWorkloadConfig,
    parse_trace_csv,
    simulate,
    trace_csv_text,
)
from colossim.ops.workloads.synthetic import synthetic_workload

DAY = 86_400.0


def _stats(gpus: np.ndarray, run_s: np.ndarray) -> dict[str, float]:
    return {
        "gpus_mean": gpus.mean(),
        "gpus_median": np.median(gpus),
        "gpus_p90": np.percentile(gpus, 90),
        "run_mean": run_s.mean(),
        "run_median": np.median(run_s),
        "run_p90": np.percentile(run_s, 90),
    }


@pytest.mark.parametrize("profile,nodes", [("acme_kalos", 256), ("philly", 64)])
def test_replay_reproduces_input_statistics(profile, nodes, make_pool, make_cluster):
    # trace-sized cluster (offered load ~0.35-0.4 over 60 days), jobs unscaled
    cl = make_cluster(make_pool(nodes=nodes, pod=32))
    gen = SyntheticWorkloadConfig(profile=profile, jobs=15_000, scaling="none", arrivals="uniform")
    source = synthetic_workload(gen, cl, 60 * DAY, np.random.default_rng(42))
    replay = parse_trace_csv(trace_csv_text(source), "replay.csv")
    for col in ("submit_s", "gpus", "duration_s", "outcome", "kind", "priority"):
        assert np.array_equal(getattr(replay, col), getattr(source, col)), col

    # long enough for every job to finish; cheap checkpoints every 30 min; failures at the Llama 3 rate
    cfg = OpsConfig.model_validate(
        {
            "days": 200,
            "seed": 3,
            "policy": {"kind": "backfill"},
            "recovery": {"checkpoint_interval": 1800.0, "checkpoint_write_s": 0.0},
            "sample_every_s": DAY,
        }
    )
    res = simulate(cl, replay, cfg)
    jobs = res.jobs
    ended = np.isin(jobs.status, [STATUSES.index(o) for o in OUTCOMES])
    assert ended.all(), res.status_counts()
    assert res.summary.failures_hit_jobs > 0  # failures did happen and were recovered from

    want = _stats(source.gpus, source.duration_s)
    got = _stats(jobs.gpus[ended], jobs.run_s[ended])
    for key in want:
        assert got[key] == pytest.approx(want[key], rel=0.05), key
    for i, name in enumerate(OUTCOMES):
        share_in = np.mean(source.outcome == i)
        share_out = np.mean(jobs.status == STATUSES.index(name))
        assert share_out == pytest.approx(share_in, rel=0.05), name
