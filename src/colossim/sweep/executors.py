"""Executors behind one small interface: `map_chunks(fn, chunks, executor)` yields results as they finish.

`fn` must be a picklable top-level function of one argument (a chunk). Three executors:
  - LocalExecutor: a concurrent.futures process pool (the default),
  - RayExecutor: Ray tasks, on a local instance or a cluster (`pip install 'colossim[ray]'`; in
    colossim.sweep.ray_engine, imported on use),
  - SerialExecutor: in this process, one chunk after another (debugging, tiny sweeps, tests).
At most `max_in_flight` chunks are submitted at once, so a sweep of a million chunks does not queue a
million futures, and an interrupted sweep has little work in flight.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Literal, Protocol, TypeVar

from colossim.inputs import input_error
from colossim.sweep.pool_workers import init_worker

C = TypeVar("C")
R = TypeVar("R")

Engine = Literal["local", "ray", "serial"]
IN_FLIGHT_PER_WORKER = 2
MAX_RETRIES = 3  # runs of a chunk after the first whose worker died (Ray's default for a task, max_retries=3)


class EngineError(RuntimeError):
    """The engine could not run a chunk (not a bad request, not an evaluator's exception)."""


class WorkerLost(EngineError):
    """Worker processes died while running `chunk`, on every one of its `attempts`."""

    def __init__(self, chunk: Any, attempts: int, detail: str = "") -> None:
        self.chunk, self.attempts = chunk, attempts
        super().__init__(f"a worker process died on each of {attempts} attempts to run a chunk"
                         + (f" ({detail})" if detail else ""))


class Executor(Protocol):
    """Runs fn over chunks on `workers` workers, yielding results in completion order."""

    workers: int

    def imap_unordered(self, fn: Callable[[C], R], chunks: Iterable[C]) -> Iterator[R]: ...

    def close(self) -> None: ...


def map_chunks(fn: Callable[[C], R], chunks: Iterable[C], executor: Executor | None = None) -> Iterator[R]:
    """Results of fn(chunk) for every chunk, as they complete (not in input order). With no executor, a
    local process pool is made for the call and closed afterwards."""
    if executor is not None:
        yield from executor.imap_unordered(fn, chunks)
        return
    with LocalExecutor() as own:
        yield from own.imap_unordered(fn, chunks)


class _Closing:
    def close(self) -> None:  # pragma: no cover - overridden
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SerialExecutor(_Closing):
    """Runs every chunk in the calling process, in order."""

    workers = 1

    def imap_unordered(self, fn: Callable[[C], R], chunks: Iterable[C]) -> Iterator[R]:
        for chunk in chunks:
            yield fn(chunk)


# Native thread pools (OpenBLAS, MKL, OpenMP) in every worker would oversubscribe the CPUs: each worker gets
# cpus // workers threads unless the user set these variables (Ray does the same: OMP_NUM_THREADS=1 per task).
# They must be in the environment when a worker process starts (numpy reads them once, at import, and the
# worker imports the __main__ module, hence often numpy, before any initializer runs), so the pool sets
# them in os.environ while it lives and restores them on close. (A fork server outlives the pool: in a
# long-lived process, later pools' workers fork from it with the first pool's setting, then init_worker
# updates their environment for anything imported afterwards.)
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS")


def _mp_context() -> multiprocessing.context.BaseContext:
    """forkserver where it exists (fork is unsafe once threads run, e.g. the progress bar's), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class LocalExecutor(_Closing):
    """A process pool on this machine (`workers` defaults to the number of CPUs).

    A chunk whose worker died (killed by the system, e.g. out of memory, or by a user's `kill -9`) runs
    again on a fresh pool, up to MAX_RETRIES more times, as Ray retries a task whose worker died; the
    results are the same because a chunk's result depends only on its points. Workers end with the sweep
    that started them, even if it is killed with SIGKILL (colossim.sweep.pool_workers)."""

    def __init__(self, workers: int | None = None, max_in_flight: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.max_in_flight = max_in_flight or IN_FLIGHT_PER_WORKER * self.workers
        self.restarts = 0  # pools replaced because a worker died
        self._pool: ProcessPoolExecutor | None = None
        self._set_vars: list[str] | None = None
        self._threads = "1"

    def _apply_thread_vars(self) -> dict[str, str]:
        if self._set_vars is None:  # once per executor, so close() restores exactly what it set
            self._threads = str(max(1, (os.cpu_count() or 1) // self.workers))
            self._set_vars = [v for v in THREAD_VARS if v not in os.environ]
            os.environ.update({v: self._threads for v in self._set_vars})
        return {v: self._threads for v in self._set_vars}

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            env = self._apply_thread_vars()
            ctx = _mp_context()
            if ctx.get_start_method() == "forkserver":  # the server (and so every worker) inherits them now
                multiprocessing.forkserver.ensure_running()
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx,
                                             initializer=init_worker, initargs=(env, os.getpid()))
        return self._pool

    def _replace_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self.restarts += 1

    def imap_unordered(self, fn: Callable[[C], R], chunks: Iterable[C]) -> Iterator[R]:
        todo = iter(chunks)
        again: deque[tuple[Any, int]] = deque()  # (chunk, times lost with a dead worker), run before new ones
        pending: dict[Future, tuple[Any, int]] = {}
        try:
            while True:
                broken = False
                while len(pending) < self.max_in_flight and not broken:
                    item = again.popleft() if again else (next(todo, _END), 0)
                    if item[0] is _END:
                        break
                    try:
                        pending[self._get_pool().submit(fn, item[0])] = item
                    except BrokenProcessPool:  # it broke since the last wait
                        again.appendleft(item)
                        broken = True
                if not pending and not broken:
                    return
                if not broken:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    broken = any(isinstance(f.exception(), BrokenProcessPool) for f in finished)
                    if not broken:
                        for fut in finished:
                            pending.pop(fut)
                            yield fut.result()
                        continue
                # A worker died: the pool is broken as a whole and every chunk in flight fails with it.
                # Keep the results that came back; run the lost chunks again on a fresh pool.
                wait(pending)
                for fut, (chunk, lost) in list(pending.items()):
                    del pending[fut]
                    if not isinstance(fut.exception(), BrokenProcessPool):
                        yield fut.result()
                    elif lost >= MAX_RETRIES:
                        raise WorkerLost(chunk, lost + 1, "killed by the system or by a signal")
                    else:
                        again.append((chunk, lost + 1))
                self._replace_pool()
        finally:
            for fut in pending:
                fut.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        for var in self._set_vars or ():
            os.environ.pop(var, None)
        self._set_vars = None


_END = object()


def make_executor(engine: Engine, workers: int | None = None, address: str | None = None) -> Executor:
    """The executor for an engine name (the CLI's --engine)."""
    if address is not None and engine != "ray":
        raise input_error("command line", f"--address is for --engine ray (got --engine {engine})",
                          "drop --address or add --engine ray", "--address")
    factories: dict[str, Callable[[], Executor]] = {
        "local": lambda: LocalExecutor(workers),
        "serial": SerialExecutor,
        "ray": lambda: _ray_executor(workers, address),
    }
    return factories[engine]()


def _ray_executor(workers: int | None, address: str | None) -> Executor:
    from colossim.sweep.ray_engine import RayExecutor

    return RayExecutor(workers, address)


__all__ = ["MAX_RETRIES", "Engine", "EngineError", "Executor", "LocalExecutor", "SerialExecutor", "WorkerLost",
           "make_executor", "map_chunks"]
