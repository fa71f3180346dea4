"""Run a sweep: expand the grid, skip what the journal already holds, evaluate the rest in chunks on an
executor, record each finished chunk, and write the final table (see docs/sweep.md)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colossim.inputs import InputError, InputProblem
from colossim.sweep.chunking import make_chunks, points_per_chunk
from colossim.sweep.digests import resolved_grid
from colossim.sweep.executors import EngineError, Executor, WorkerLost, map_chunks
from colossim.sweep.grid import POINT_COLUMNS, SweepPoint
from colossim.sweep.schema import SweepSpec
from colossim.sweep.store import Journal, check_output_path, write_table
from colossim.sweep.tasks import ChunkResult, PointFailure, run_chunk

if TYPE_CHECKING:
    import pandas as pd

Progress = Callable[[int, int], None]  # (points done, points in the grid)

CALIBRATION_POINTS = 3
CALIBRATION_S = 0.2
SHOWN_INFEASIBLE = 20


class SweepError(RuntimeError):
    """The evaluator failed with a bug (not a bad request); carries the worker's traceback."""


@dataclass
class SweepSummary:
    out: str
    points_total: int
    points_done_before: int
    points_run: int
    points_infeasible: int
    rows: int
    chunks: int
    points_per_chunk: int
    workers: int
    elapsed_s: float
    task_compute_s: float
    infeasible: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _engine_failure(exc: EngineError) -> SweepError:
    if not isinstance(exc, WorkerLost):
        return SweepError(f"{exc}; finished points are kept, rerun to resume")
    chunk = list(exc.chunk or [])
    first = f" of {len(chunk)} points from {chunk[0].describe()}" if chunk else ""
    return SweepError(f"{exc}{first}. The system may have run out of memory (try fewer --workers) or the "
                      "evaluator crashes the interpreter on one of these points; finished points are kept, rerun "
                      "to resume")


def _raise_failure(failure: PointFailure, source: str) -> None:
    if failure.kind == "input":
        hint = "fix the sweep file; finished points are kept, rerun to resume"
        raise InputError(source, [InputProblem(f"point {failure.point}", failure.message, hint)])
    raise SweepError(f"the evaluator failed on point {failure.point}: {failure.message}\n{failure.traceback}")


class _Saver:
    """Buffers finished chunks and saves them to the journal as one group every `every_s` seconds."""

    def __init__(self, journal: Journal, every_s: float) -> None:
        self.journal, self.every_s = journal, every_s
        self.pending: list[ChunkResult] = []
        self.last = time.monotonic()
        self.failed = False  # a save failed (disk full...): stop saving, keep what is saved

    def add(self, result: ChunkResult) -> None:
        self.pending.append(result)
        if result.failure is not None or time.monotonic() - self.last >= self.every_s:
            self.save()

    def save(self) -> None:
        if self.pending and not self.failed:
            try:
                self.journal.commit(self.pending)
            except InputError:
                self.failed = True
                raise
            self.pending = []
        self.last = time.monotonic()


def _calibrate(todo: list[SweepPoint], saver: _Saver, source: str) -> tuple[list[ChunkResult], float]:
    """Evaluate up to CALIBRATION_POINTS points here (results kept) and estimate seconds per point. The
    first point pays one-off costs (imports, caches), so it is left out of both the estimate and the
    CALIBRATION_S budget whenever a second point exists."""
    results: list[ChunkResult] = []
    for point in todo[:CALIBRATION_POINTS]:
        result = run_chunk([point])
        saver.add(result)
        if result.failure is not None:
            _raise_failure(result.failure, source)
        results.append(result)
        if sum(r.elapsed_s for r in results[1:]) > CALIBRATION_S:
            break
    times = [r.elapsed_s for r in results]
    return results, statistics.median(times[1:] if len(times) > 1 else times)


def _no_feasible_point(points: list[SweepPoint], reasons: dict[str, str | None], source: str) -> InputError:
    by_reason: dict[str, list[SweepPoint]] = {}
    for p in points:
        by_reason.setdefault(reasons[p.key] or "infeasible", []).append(p)
    problems = [InputProblem("(grid)", f"none of the {len(points)} grid points has a feasible result",
                             "change the grid (e.g. more GPUs, a larger global batch or a smaller model)")]
    for reason, pts in sorted(by_reason.items(), key=lambda kv: -len(kv[1])):
        more = f" and {len(pts) - 1} more" if len(pts) > 1 else ""
        problems.append(InputProblem(f"point {pts[0].describe()}{more}", reason))
    return InputError(source, problems)


def _final_table(journal: Journal, points: list[SweepPoint]) -> pd.DataFrame:
    order = {p.key: i for i, p in enumerate(points)}
    frame = journal.read_rows(order)
    frame = frame.assign(_order=frame["point_key"].map(order)).sort_values(["_order", "rank"], kind="stable")
    head = [*POINT_COLUMNS, "point_key", "rank"]
    return frame[head + [c for c in frame.columns if c not in head and c != "_order"]].reset_index(drop=True)


def run_sweep(spec: SweepSpec, out: str | Path, executor: Executor, *, source: str = "sweep",
              fresh: bool = False, progress: Progress | None = None) -> SweepSummary:
    """Evaluate every grid point not yet recorded for `out`, then write `out` (Parquet or CSV).

    Resumable: rerun with the same spec and `out` after an interruption and only the missing points run.
    Raises InputError for a bad request (exit code 2 in the CLI) and when no point is feasible.
    """
    out = Path(out)
    check_output_path(out)
    started = time.perf_counter()
    points = resolved_grid(spec, source)  # keys follow the content of the inputs, not their names
    total = len(points)
    with Journal(out).open(fresh=fresh) as journal:
        todo = [p for p in points if p.key not in journal.done]
        done_before = total - len(todo)
        notify = progress or (lambda done, total: None)
        notify(done_before, total)
        results: list[ChunkResult] = []
        saver = _Saver(journal, spec.save_every_s)
        try:
            size = spec.chunking.points_per_chunk
            if size is None and todo:
                calibration, point_s = _calibrate(todo, saver, source)
                results += calibration
                todo = todo[len(calibration):]
                size = points_per_chunk(len(todo), executor.workers, point_s, spec.chunking.target_chunk_s)
                notify(total - len(todo), total)
            size = size or 1
            done_now = total - len(todo)
            try:
                for result in map_chunks(run_chunk, make_chunks(todo, size), executor):
                    saver.add(result)
                    if result.failure is not None:
                        _raise_failure(result.failure, source)
                    results.append(result)
                    done_now += len(result.done)
                    notify(done_now, total)
            except EngineError as exc:
                raise _engine_failure(exc) from None
        finally:
            saver.save()  # keep what finished, also on Ctrl-C or a failure
        missing = sum(p.key not in journal.done for p in points)
        if missing:  # every chunk returned or raised, so this would be a bug in the machinery
            raise SweepError(f"{missing} grid points were neither saved nor reported as failed")
        reasons = {p.key: journal.done[p.key] for p in points}
        infeasible = [p for p in points if reasons[p.key] is not None]
        if len(infeasible) == total:
            raise _no_feasible_point(points, reasons, source)
        frame = _final_table(journal, points)
    write_table(frame, out)
    return SweepSummary(
        out=str(out), points_total=total, points_done_before=done_before, points_run=total - done_before,
        points_infeasible=len(infeasible), rows=len(frame), chunks=len(results), points_per_chunk=size,
        workers=executor.workers, elapsed_s=time.perf_counter() - started,
        task_compute_s=sum(r.elapsed_s for r in results),
        infeasible=[{"point": p.describe(), "reason": str(reasons[p.key])}
                    for p in infeasible[:SHOWN_INFEASIBLE]])
