"""The work of a run, estimated before it starts, and the limits it must stay within.

Events ~ 3 per job (arrival, start/end, one restart on average at most), 3 per node failure (the
failure, its repair, a thinned firing), one per sample and serving step, two per delivery. Memory ~ the
jobs table and victim trees (per job), the time series (per sample), the heap, arena and reservation
lists (per node) and the timeline (per job segment). A run over a limit is refused with both figures,
before any array is made; a run that passes its estimate tenfold is stopped by the event budget.
"""

from __future__ import annotations

from dataclasses import dataclass

from colossim.ops.config import OpsConfig
from colossim.ops.pools import OpsCluster
from colossim.ops.sim.layout import N_JF, N_JI, N_SERIES
from colossim.ops.sim.resolve import run_reliability

MAX_EVENTS = 300_000_000  # ~10 minutes at the kernel's speed
MAX_MEMORY_BYTES = 6 * 2**30
DAY_S = 86_400.0


class WorkTooLarge(ValueError):
    """A run whose estimated work is over a limit."""


@dataclass(frozen=True)
class WorkEstimate:
    jobs: int
    failures: float
    samples: float
    events: float
    memory_bytes: float

    @property
    def event_budget(self) -> int:
        """The kernel stops a run that passes ten times its estimate (a runaway configuration)."""
        return int(min(10 * self.events + 1_000_000, 2**62))


def estimate_work(cluster: OpsCluster, config: OpsConfig, n_jobs: int) -> WorkEstimate:
    rel = run_reliability(config)
    horizon = config.horizon_s
    failures = sum(rel.rate_per_node_day(p) / DAY_S * p.max_nodes * horizon for p in cluster.pools)
    samples = horizon / config.sample_every_s + 2
    serving = horizon / (DAY_S / len(config.serving.curve)) if config.serving is not None else 0.0
    deliveries = sum(len(p.deliveries) for p in cluster.pools)
    nodes = sum(p.max_nodes for p in cluster.pools)
    P = len(cluster.pools)
    events = 3.0 * n_jobs + 3.0 * failures + samples + serving + 2.0 * deliveries
    per_job = 8.0 * (N_JF + N_JI + P + 2 * P + 4) + 120.0  # table, needs, trees, queue, the workload itself
    segments = (n_jobs + failures) * 48.0 if config.record_timeline else 0.0
    buckets = 16.0 * P * min(2**18, horizon / 60.0)  # the reservation tree (reservation policies)
    memory = (n_jobs * per_job + samples * 8.0 * (N_SERIES + 4 * P) + nodes * 8.0 * (3 * 5 + 4 + 2 * P) + segments
              + buckets)
    return WorkEstimate(n_jobs, failures, samples, events, memory)


def check_work(estimate: WorkEstimate) -> WorkEstimate:
    """Refuse a run over a limit, naming the figure, the limit and what drives it."""
    if estimate.events > MAX_EVENTS:
        raise WorkTooLarge(
            f"the run would take about {estimate.events:,.0f} events ({estimate.jobs:,} jobs, "
            f"{estimate.failures:,.0f} node failures, {estimate.samples:,.0f} samples), over the limit of "
            f"{MAX_EVENTS:,}: use fewer jobs or days, a lower failure rate or a longer sample_every_s")
    if estimate.memory_bytes > MAX_MEMORY_BYTES:
        raise WorkTooLarge(
            f"the run would need about {estimate.memory_bytes / 2**30:,.1f} GiB of memory ({estimate.jobs:,} jobs, "
            f"{estimate.samples:,.0f} samples), over the limit of {MAX_MEMORY_BYTES / 2**30:.0f} GiB: use fewer "
            "jobs, fewer days or a longer sample_every_s")
    return estimate
