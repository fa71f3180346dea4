"""Distributed sweeps: a grid of (model, cluster, GPU count, global batch, objective) evaluated in chunks
on a local process pool or Ray, streamed to a crash-safe, resumable Parquet/CSV table (docs/sweep.md).

Nothing runs at import time; Ray and matplotlib are imported only when used.
"""

from colossim.sweep.chunking import make_chunks, points_per_chunk
from colossim.sweep.executors import (
                                      Engine,
                                      Executor,
                                      LocalExecutor,
                                      RayExecutor,
                                      SerialExecutor,
                                      make_executor,
                                      map_chunks,
)
from colossim.sweep.grid import SweepPoint, expand_grid, point_key
from colossim.sweep.runner import SweepError, SweepSummary, run_sweep
from colossim.sweep.schema import DEFAULT_EVALUATOR, Chunking, SweepSpec, load_sweep
from colossim.sweep.tasks import ChunkResult, InfeasiblePoint, evaluate_point, resolve_evaluator, run_chunk

__all__ = ["DEFAULT_EVALUATOR", "ChunkResult", "Chunking", "Engine", "Executor", "InfeasiblePoint",
           "LocalExecutor", "RayExecutor", "SerialExecutor", "SweepError", "SweepPoint", "SweepSpec",
           "SweepSummary", "evaluate_point", "expand_grid", "load_sweep", "make_chunks", "make_executor",
           "map_chunks", "point_key", "points_per_chunk", "resolve_evaluator", "run_chunk", "run_sweep"]
