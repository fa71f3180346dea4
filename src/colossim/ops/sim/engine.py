"""Run the compiled kernel on a laid-out run: grow a buffer when the kernel asks, stop at the event
budget, and hand back the arrays (`RunArrays`) for colossim.ops.exports to read.

Random numbers come from independent numpy generators spawned from one SeedSequence (one per purpose,
so adding draws in one place does not shift the others); the kernel draws from them directly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from colossim.ops.config import OpsConfig
from colossim.ops.pools import OpsCluster
from colossim.ops.sim import kernel
from colossim.ops.sim import layout as L
from colossim.ops.sim.resolve import RunReliability, run_reliability
from colossim.ops.sim.setup import build_core, build_jobs, build_output, build_pools, delivery_arrays
from colossim.ops.workloads.workload import Workload

STREAMS = ("workload", "failures", "victims", "repairs", "flagship", "groups")


def spawn_streams(seed: int) -> dict[str, np.random.Generator]:
    """One independent generator per purpose, all from SeedSequence(seed)."""
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {name: np.random.default_rng(child) for name, child in zip(STREAMS, children, strict=True)}


class EventBudgetExceeded(ValueError):
    """The run needed far more events than its estimate (a runaway configuration)."""


@dataclass(frozen=True)
class RunArrays:
    """Everything a finished run leaves behind."""

    pools: L.Pools
    jobs: L.Jobs
    core: L.Core
    out: L.Output
    reliability: RunReliability
    groups: tuple[str, ...]
    kernel_s: float  # wall time inside the compiled event loop (a measurement, not part of the results)


def _grown(arr: np.ndarray) -> np.ndarray:
    new = np.zeros((2 * arr.shape[0],) + arr.shape[1:], arr.dtype)
    new[: arr.shape[0]] = arr
    return new


def _grow(core: L.Core, out: L.Output, rc: int) -> tuple[L.Core, L.Output]:
    if rc == L.RC_GROW_HEAP:
        return core._replace(h_t=_grown(core.h_t), h_i=_grown(core.h_i)), out
    field = {L.RC_GROW_SEG: "seg", L.RC_GROW_FAIL: "fail", L.RC_GROW_DELIV: "deliv"}[rc]
    return core, out._replace(**{field: _grown(getattr(out, field))})


def group_setup(config: OpsConfig, workload: Workload) -> tuple[tuple[str, ...], np.ndarray, Workload]:
    """Quota groups and their shares, with the workload's jobs mapped onto them."""
    quotas = config.policy.quotas
    if quotas is None:
        return (), np.zeros(0), workload
    shares = quotas.shares()
    names = tuple(shares)
    if workload.group is None:
        return names, np.array([shares[g] for g in names]), workload
    unknown = sorted(set(workload.groups) - set(names))
    if unknown:
        raise ValueError(f"job group {unknown[0]!r} has no quota: use one of {', '.join(names)}")
    lut = np.array([names.index(g) for g in workload.groups] + [-1], np.int64)
    return names, np.array([shares[g] for g in names]), workload.with_groups(lut[workload.group], names)


def check_gpu_types(cluster: OpsCluster, workload: Workload) -> None:
    """Every GPU type a job asks for must be one of the cluster's pools (a typo must not drop jobs)."""
    have = sorted({p.gpu for p in cluster.pools})
    used = set(np.unique(workload.gpu_type[workload.gpu_type >= 0]).tolist())
    for code in sorted(used):
        name = workload.gpu_types[code]
        if name not in have:
            raise ValueError(f"{workload.source}: gpu_type {name!r} matches no pool of cluster "
                             f"{cluster.name}: use one of {', '.join(have)} (or leave it empty for any)")


def execute(cluster: OpsCluster, workload: Workload, config: OpsConfig, event_limit: int) -> RunArrays:
    """Run `workload` on `cluster` to the horizon (deterministic per config.seed)."""
    check_gpu_types(cluster, workload)
    names, shares, workload = group_setup(config, workload)
    rel = run_reliability(config)
    jobs = build_jobs(cluster, workload, config, rel, names, shares)
    pools = build_pools(cluster, config, rel, len(workload), int(jobs.ji[L.PRANK].max(initial=0)) + 1)
    core, margin = build_core(cluster, config, rel, len(workload), shares, event_limit)
    out = build_output(config, len(cluster.pools), margin)
    streams = spawn_streams(config.seed)
    kernel.init_events(pools, core, *delivery_arrays(cluster))
    kernel_s = 0.0
    while True:
        t0 = time.perf_counter()
        rc = kernel.run(pools, jobs, core, out, streams["failures"], streams["victims"], streams["repairs"],
                        margin)
        kernel_s += time.perf_counter() - t0
        if rc == L.RC_DONE:
            break
        if rc == L.RC_EVENT_LIMIT:
            raise EventBudgetExceeded(
                f"the run passed {core.cnt[L.C_EVENTS]:,} events, the budget set from its work estimate: "
                "lower the failure rate, the number of jobs or the simulated days")
        core, out = _grow(core, out, rc)
    kernel.finalize(pools, jobs, core, out)
    return RunArrays(pools, jobs, core, out, rel, names, kernel_s)
