"""Distributed sweeps: a grid of (model, cluster, GPU count, global batch, objective) evaluated in chunks
on a local process pool or Ray, streamed to a crash-safe, resumable Parquet/CSV table (docs/sweep.md).

Nothing runs at import time; Ray and matplotlib are imported only when used.
"""

from colossim.sweep.chunking import make_chunks, points_per_chunk
from colossim.sweep.digests import input_digests, resolved_grid
from colossim.sweep.executors import (
    Engine,
    EngineError,
    Executor,
    LocalExecutor,
    SerialExecutor,
    WorkerLost,
    make_executor,
    map_chunks,
)
from colossim.sweep.grid import SweepPoint, expand_grid, point_key
from colossim.sweep.ray_engine import RayExecutor
from colossim.sweep.registry import ENTRY_POINT_GROUP, SweepEvaluator, load_evaluator, registered
from colossim.sweep.runner import SweepError, SweepSummary, run_sweep
from colossim.sweep.schema import DEFAULT_EVALUATOR, Chunking, SweepSpec, load_sweep
from colossim.sweep.tasks import ChunkResult, InfeasiblePoint, evaluate_point, resolve_evaluator, run_chunk

__all__ = ["DEFAULT_EVALUATOR", "ENTRY_POINT_GROUP", "ChunkResult", "Chunking", "Engine", "EngineError", "Executor",
           "InfeasiblePoint", "LocalExecutor", "RayExecutor", "SerialExecutor", "SweepError", "SweepEvaluator",
           "SweepPoint", "SweepSpec", "SweepSummary", "WorkerLost", "evaluate_point", "expand_grid",
           "input_digests", "load_evaluator", "load_sweep", "make_chunks", "make_executor", "map_chunks",
           "point_key", "points_per_chunk", "registered", "resolve_evaluator", "resolved_grid", "run_chunk",
           "run_sweep"]
