"""Many seeds (and optionally a policy grid) of one operations run, as chunks through colossim.sweep's
executors (local process pool, Ray, or serial), streamed to a crash-safe Parquet journal and resumed
after a kill; the result is each headline's median with its 5th-95th percentile band (exports.bands).

A point is one (policy, seed). Its key is a digest of everything that decides its result (the cluster,
the config with that seed and policy, the trace), so an edited input never reuses an old row, and a
rerun after a kill only computes the points the journal does not hold. Rows are sorted by (policy, seed)
before the table is written, so the local and the Ray engine write the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from colossim.ops.config import OpsConfig
from colossim.ops.exports.bands import Band, bands, seed_row
from colossim.ops.pools import OpsCluster
from colossim.ops.workloads.workload import Workload

KILL_MARK_ENV = "COLOSSIM_OPS_CHUNK_MARK"  # tests: a folder where each chunk leaves its worker's PID


@dataclass(frozen=True)
class SeedPoint:
    key: str
    policy: dict[str, Any]
    seed: int


@dataclass(frozen=True)
class SeedChunk:
    """What a worker needs: the cluster, the base config, the trace (if any) and its points."""

    cluster: OpsCluster
    config: dict[str, Any]
    trace: Workload | None
    points: tuple[SeedPoint, ...]


@dataclass
class SeedsResult:
    rows: list[dict[str, Any]]
    bands: dict[str, dict[str, Band]]
    computed: int  # points run now (the rest came from the journal)
    out: Path | None
    workers: int
    elapsed_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seeds": len({r["seed"] for r in self.rows}), "points": len(self.rows), "computed": self.computed,
            "policies": list(self.bands), "workers": self.workers, "out": None if self.out is None else str(self.out),
            "bands": {p: {h: vars(b) for h, b in hs.items()} for p, hs in self.bands.items()},
        }


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()[:24]


def plan_points(cluster: OpsCluster, config: OpsConfig, seeds: int, policies: list[dict[str, Any]] | None,
                trace: Workload | None) -> list[SeedPoint]:
    """(policy, seed) points, keyed by the content that decides each result."""
    base = config.model_dump(mode="json")
    grid = policies or [base["policy"]]
    cluster_bytes = pickle.dumps(cluster)
    trace_bytes = b"" if trace is None else pickle.dumps(trace)
    points = []
    for policy in grid:
        for seed in range(config.seed, config.seed + seeds):
            cfg = OpsConfig.model_validate({**base, "policy": policy, "seed": seed}).model_dump(mode="json")
            text = json.dumps(cfg, sort_keys=True).encode()
            points.append(SeedPoint(_digest(cluster_bytes, text, trace_bytes), cfg["policy"], seed))
    return points


def run_seed_chunk(chunk: SeedChunk) -> Any:
    """Simulate each point of the chunk (a top-level function: process pools and Ray ship it by name)."""
    from colossim.ops.scenario import build_workload, simulate
    from colossim.sweep.tasks import ChunkResult

    mark = os.environ.get(KILL_MARK_ENV)
    if mark:
        Path(mark, f"{os.getpid()}-{chunk.points[0].key}").touch()
    start = time.perf_counter()
    result = ChunkResult(worker=str(os.getpid()))
    for point in chunk.points:
        config = OpsConfig.model_validate({**chunk.config, "policy": point.policy, "seed": point.seed})
        out = simulate(chunk.cluster, build_workload(chunk.cluster, config, chunk.trace), config)
        result.rows.append({"point_key": point.key, **seed_row(out)})
        result.done[point.key] = None
    result.elapsed_s = time.perf_counter() - start
    return result


def _chunks(cluster, config, trace, points, per_chunk):
    base = config.model_dump(mode="json")
    for i in range(0, len(points), per_chunk):
        yield SeedChunk(cluster, base, trace, tuple(points[i : i + per_chunk]))


def run_seeds(cluster: OpsCluster, config: OpsConfig, seeds: int, executor: Any, *,
              policies: list[dict[str, Any]] | None = None, trace: Workload | None = None,
              out: Path | None = None, per_chunk: int = 1) -> SeedsResult:
    """Run `seeds` seeds from config.seed on (each policy of) the grid through `executor`
    (colossim.sweep.executors); with `out`, results stream to its journal and a rerun resumes."""
    from colossim.sweep.executors import map_chunks

    start = time.perf_counter()
    points = plan_points(cluster, config, seeds, policies, trace)
    keys = [p.key for p in points]
    journal = None
    if out is not None:
        from colossim.sweep.store import Journal

        journal = Journal(out).open()
    try:
        todo = [p for p in points if journal is None or p.key not in journal.done]
        rows: list[dict[str, Any]] = []
        for res in map_chunks(run_seed_chunk, _chunks(cluster, config, trace, todo, per_chunk), executor):
            if journal is not None:
                journal.commit([res])
            else:
                rows += res.rows
        if journal is not None:
            frame = journal.read_rows(keys)
            rows = frame.to_dict("records")
    finally:
        if journal is not None:
            journal.close()
    order = {k: i for i, k in enumerate(keys)}
    rows.sort(key=lambda r: order[r["point_key"]])
    if out is not None:
        _write(rows, out)
    return SeedsResult(rows, bands(rows), len(todo), out, executor.workers, time.perf_counter() - start)


def _write(rows: list[dict[str, Any]], out: Path) -> None:
    import pandas as pd

    from colossim.sweep.store import write_table

    write_table(pd.DataFrame(rows), out)
