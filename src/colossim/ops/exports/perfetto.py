"""Export a simulation's event timeline as a Chrome / Perfetto trace (JSON trace event format).

Open the file in https://ui.perfetto.dev or chrome://tracing. Layout: one process per pool; its threads
are lanes of job segments (a segment = a job holding nodes from a start or restart to its end, stop or the
horizon), assigned greedily so segments on a lane never overlap; failures and deliveries are instant
events; a "cluster" process carries counters (GPUs busy / idle / spare / down / burn-in / serving, queued jobs).
Timestamps are microseconds of simulated time.
"""

from __future__ import annotations

import heapq
import json
from pathlib import Path
from typing import Any

import numpy as np

from colossim.ops.exports.results import SEGMENT_ENDS, OpsResult
from colossim.ops.workloads.workload import KINDS

US = 1e6


def _us(t_s: float) -> int:
    """Whole microseconds (monotonic rounding keeps lane segments from overlapping)."""
    return round(t_s * US)


def _lanes(segments: np.ndarray) -> list[int]:
    """Greedy interval colouring per pool: reuse the lane that freed earliest (no overlaps on a lane).
    segments: rows of (job, pool, start_s, end_s, gpus, how it ended)."""
    order = np.lexsort((segments[:, 3], segments[:, 2], segments[:, 1])).tolist() if len(segments) else []
    lanes = [0] * len(segments)
    free: dict[int, list[tuple[float, int]]] = {}
    count: dict[int, int] = {}
    for i in order:
        _, pool, start, end = segments[i, :4].tolist()
        heap = free.setdefault(pool, [])
        if heap and heap[0][0] <= start:
            _, lane = heapq.heappop(heap)
        else:
            lane = count.get(pool, 0)
            count[pool] = lane + 1
        lanes[i] = lane
        heapq.heappush(heap, (end, lane))
    return lanes


def perfetto_trace(result: OpsResult, max_segments: int = 200_000) -> dict[str, Any]:
    """The trace as a JSON-ready dict. Needs a result run with record_timeline=True. If there are more
    than `max_segments` job segments, the ones with the most GPU-time are kept (noted in otherData)."""
    tl = result.timeline
    if tl is None:
        raise ValueError("this result has no timeline: run with record_timeline=True (CLI: --trace FILE)")
    segments = tl.segments
    dropped = 0
    if len(segments) > max_segments:
        weight = (segments[:, 3] - segments[:, 2]) * segments[:, 4]
        keep = np.sort(np.argsort(-weight, kind="stable")[:max_segments])
        dropped = len(segments) - max_segments
        segments = segments[keep]
    events: list[dict[str, Any]] = []
    cluster_pid = len(result.pool_names)
    for pid, name in enumerate(result.pool_names):
        events.append(
            {"ph": "M", "name": "process_name", "pid": pid, "tid": 0, "args": {"name": f"pool {name}"}}
        )
    events.append(
        {"ph": "M", "name": "process_name", "pid": cluster_pid, "tid": 0, "args": {"name": "cluster"}}
    )
    ids = result.job_ids
    kinds = result.jobs.kind
    for row, lane in zip(segments.tolist(), _lanes(segments), strict=True):
        job, pool, start, end, gpus, why = int(row[0]), int(row[1]), row[2], row[3], int(row[4]), int(row[5])
        label = ids[job] if ids is not None else f"job {job}"
        events.append(
            {
                "ph": "X",
                "name": label,
                "cat": KINDS[int(kinds[job])],
                "pid": pool,
                "tid": lane,
                "ts": _us(start),
                "dur": max(0, _us(end) - _us(start)),
                "args": {"gpus": gpus, "ended_by": SEGMENT_ENDS[why]},
            }
        )
    for t, pool, repair in tl.failures.tolist():
        events.append(
            {
                "ph": "i",
                "s": "p",
                "name": "node failure" if repair else "software failure",
                "cat": "failure",
                "pid": int(pool),
                "tid": 0,
                "ts": _us(t),
            }
        )
    for t, pool, nodes in tl.deliveries.tolist():
        events.append(
            {
                "ph": "i",
                "s": "p",
                "name": "delivery" if nodes > 0 else "removal",
                "cat": "capacity",
                "pid": int(pool),
                "tid": 0,
                "ts": _us(t),
                "args": {"nodes": int(nodes)},
            }
        )
    s = result.series
    for i, t in enumerate(s.t_s):
        events.append(
            {
                "ph": "C",
                "name": "GPUs",
                "pid": cluster_pid,
                "tid": 0,
                "ts": _us(float(t)),
                "args": {k: float(getattr(s, f"{k}_gpus")[i])
                         for k in ("busy", "idle", "spare", "down", "burn_in", "serving")},
            }
        )
        events.append(
            {
                "ph": "C",
                "name": "jobs",
                "pid": cluster_pid,
                "tid": 0,
                "ts": _us(float(t)),
                "args": {"queued": float(s.queued_jobs[i]), "running": float(s.running_jobs[i])},
            }
        )
    return {
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {
            "generator": "colossim.ops",
            "segments_dropped": dropped,
            "summary": {k: v for k, v in result.summary.to_dict().items() if isinstance(v, int | float | str)},
        },
    }


def write_perfetto_trace(result: OpsResult, path: str | Path, max_segments: int = 200_000) -> Path:
    """Write the trace JSON (the folder must exist: the CLI checks before the run)."""
    path = Path(path)
    path.write_text(json.dumps(perfetto_trace(result, max_segments), separators=(",", ":")), encoding="utf-8")
    return path
