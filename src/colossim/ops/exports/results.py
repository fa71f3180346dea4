"""What a simulation returns, as typed values: the summary (units in the names), the time series, the
jobs table, the flagship's outcome and optionally the event timeline. Each table has `to_frame()`;
`OpsResult.to_dict()` is the JSON form (`colossim simulate --json`).

GPU-time identities (checked by the tests):
- capacity_gpu_h = busy_gpu_h + idle_gpu_h + spare_gpu_h + down_gpu_h + serving_gpu_h (in-service GPUs x
  time; burn_in_gpu_h is reported apart: delivered, not yet in service)
- busy_gpu_h = useful_gpu_h + checkpoint_gpu_h + lost_gpu_h + fragmentation_gpu_h
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from colossim.ops.workloads.workload import OUTCOMES

if TYPE_CHECKING:  # pandas is imported when a frame is asked for (it is slow to import)
    import pandas as pd

STATUSES: tuple[str, ...] = (*OUTCOMES, "rejected", "running", "queued", "not_submitted")
SEGMENT_ENDS: tuple[str, ...] = ("end", "stop", "horizon")


def _frame(obj: Any, skip: tuple[str, ...] = ()) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({f.name: getattr(obj, f.name) for f in fields(obj)
                         if f.name not in skip and np.ndim(getattr(obj, f.name)) == 1})


@dataclass(frozen=True, eq=False)
class Timeline:
    """Raw event timeline (only with record_timeline): job segments (job, pool, start_s, end_s, gpus, how it
    ended: an index into SEGMENT_ENDS), failures (t_s, pool, needed repair) and deliveries (t_s, pool, nodes)."""

    segments: np.ndarray  # [M, 6]
    failures: np.ndarray  # [F, 3]
    deliveries: np.ndarray  # [D, 3]

    def segments_frame(self) -> pd.DataFrame:
        import pandas as pd

        s = self.segments
        return pd.DataFrame({"job": s[:, 0].astype(np.int64), "pool": s[:, 1].astype(np.int64),
                             "start_s": s[:, 2], "end_s": s[:, 3], "gpus": s[:, 4].astype(np.int64),
                             "ended_by": np.array(SEGMENT_ENDS)[s[:, 5].astype(np.int64)]})


@dataclass(frozen=True, eq=False)
class TimeSeries:
    """One entry per sample (every sample_every_s): counts at the sample, integrals so far, interval means."""

    t_s: np.ndarray
    capacity_gpus: np.ndarray
    busy_gpus: np.ndarray
    idle_gpus: np.ndarray
    spare_gpus: np.ndarray
    down_gpus: np.ndarray
    burn_in_gpus: np.ndarray
    removal_pending_gpus: np.ndarray
    serving_gpus: np.ndarray
    queued_jobs: np.ndarray
    running_jobs: np.ndarray
    acc_busy_gpu_s: np.ndarray
    acc_capacity_gpu_s: np.ndarray
    acc_serving_gpu_s: np.ndarray
    failures: np.ndarray
    utilisation: np.ndarray  # busy / (in service - serving), interval means
    it_power_mw: np.ndarray  # interval means (NaN when a GPU's TDP is unknown)
    power_mw: np.ndarray  # facility power: IT x PUE (NaN when unknown)
    pool_capacity_gpus: np.ndarray  # [samples, pools]

    def to_frame(self) -> pd.DataFrame:
        return _frame(self)


@dataclass(frozen=True, eq=False)
class JobsTable:
    """One entry per job, in submit order."""

    submit_s: np.ndarray
    gpus: np.ndarray
    duration_s: np.ndarray
    kind: np.ndarray  # index into workloads.workload.KINDS
    outcome: np.ndarray  # index into OUTCOMES
    status: np.ndarray  # index into STATUSES
    first_start_s: np.ndarray
    end_s: np.ndarray
    queue_s: np.ndarray
    run_s: np.ndarray
    interruptions: np.ndarray
    preemptions: np.ndarray
    lost_gpu_h: np.ndarray
    pool: np.ndarray
    pods: np.ndarray
    group: np.ndarray  # quota group (-1: none)

    def __len__(self) -> int:
        return len(self.submit_s)

    def status_counts(self) -> dict[str, int]:
        return {name: int(np.sum(self.status == i)) for i, name in enumerate(STATUSES)}

    def to_frame(self) -> pd.DataFrame:
        out = _frame(self)
        out["status"] = np.array(STATUSES)[self.status]
        return out


@dataclass(frozen=True)
class FlagshipOutcome:
    gpus: int
    status: str
    submit_day: float
    start_day: float | None
    end_day: float | None
    wall_days: float  # first start to end (or the horizon)
    compute_done_days: float
    interruptions: int
    preemptions: int
    goodput: float | None  # compute done / wall since first start
    lost_gpu_h: float
    checkpoint_interval_s: float
    checkpoint_write_s: float
    restart_s: float
    mttf_h: float | None  # 1 / (N r)
    expected_goodput_daly: float | None
    expected_goodput_meta: float | None
    expected_interruptions_per_day: float | None


@dataclass(frozen=True)
class OpsSummary:
    days: float
    seed: int
    policy: str
    placement: str
    spares: str
    pools: int
    workload: str
    jobs_total: int
    jobs_submitted: int
    jobs_completed: int
    jobs_failed: int
    jobs_cancelled: int
    jobs_rejected: int
    jobs_running_at_end: int
    jobs_queued_at_end: int
    capacity_gpu_h: float
    training_capacity_gpu_h: float
    busy_gpu_h: float
    idle_gpu_h: float
    spare_gpu_h: float
    down_gpu_h: float
    serving_gpu_h: float
    serving_unmet_gpu_h: float
    burn_in_gpu_h: float
    useful_gpu_h: float
    checkpoint_gpu_h: float
    lost_gpu_h: float
    fragmentation_gpu_h: float
    utilisation: float | None
    goodput: float | None
    queue_time_s_mean: float | None
    queue_time_s_median: float | None
    queue_time_s_p95: float | None
    jct_s_mean: float | None
    jct_s_median: float | None
    jct_s_p95: float | None
    failures: int
    failures_hit_jobs: int
    failures_software: int
    repairs: int
    preemptions: int
    spare_swaps: int
    pods_per_job_mean: float | None
    multi_pod_job_share: float | None
    it_energy_mwh: float | None
    energy_mwh: float | None
    peak_capacity_gpus: int
    final_capacity_gpus: int
    events: int
    stale_events: int
    thinned_failure_events: int
    failures_per_1000_node_days: tuple[float, ...]
    quota_groups: tuple[str, ...]
    notes: tuple[str, ...] = ()  # what the run takes from the cluster: the delivery ramp, a lease of the site

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["failures_per_1000_node_days"] = list(self.failures_per_1000_node_days)
        out["quota_groups"] = list(self.quota_groups)
        out["notes"] = list(self.notes)
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row; per-pool and per-group lists as text."""
        import pandas as pd

        return pd.DataFrame([{k: (", ".join(map(str, v)) if isinstance(v, list) else v)
                              for k, v in self.to_dict().items()}])


@dataclass(frozen=True, eq=False)
class OpsResult:
    summary: OpsSummary
    series: TimeSeries
    jobs: JobsTable
    pool_names: tuple[str, ...]
    flagship: FlagshipOutcome | None = None
    timeline: Timeline | None = None
    job_ids: tuple[str, ...] | None = None

    def status_counts(self) -> dict[str, int]:
        return self.jobs.status_counts()

    def to_dict(self, with_series: bool = False) -> dict[str, Any]:
        """The summary (with the flagship under `flagship` when there is one), JSON-ready."""
        summary = self.summary.to_dict()
        if self.flagship is not None:
            summary["flagship"] = asdict(self.flagship)
        out: dict[str, Any] = {"summary": summary}
        if with_series:
            out["series"] = {k: v.tolist() for k, v in self.series.to_frame().items()}
        return out

    def to_frame(self) -> pd.DataFrame:
        """The summary as a one-row frame (see also series.to_frame() and jobs.to_frame())."""
        return self.summary.to_frame()
