"""Executors behind one small interface: `map_chunks(fn, chunks, executor)` yields results as they finish.

`fn` must be a picklable top-level function of one argument (a chunk). Three executors:
  - LocalExecutor: a concurrent.futures process pool (the default),
  - RayExecutor: Ray tasks, on a local instance or a cluster (`pip install 'colossim[ray]'`),
  - SerialExecutor: in this process, one chunk after another (debugging, tiny sweeps, tests).
At most `max_in_flight` chunks are submitted at once, so a sweep of a million chunks does not queue a
million futures, and an interrupted sweep has little work in flight.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Literal, Protocol, TypeVar

from colossim.inputs import input_error

C = TypeVar("C")
R = TypeVar("R")

Engine = Literal["local", "ray", "serial"]
IN_FLIGHT_PER_WORKER = 2


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
# long-lived process, later pools' workers fork from it with the first pool's setting, then _init_worker
# updates their environment for anything imported afterwards.)
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS")


def _init_worker(env: dict[str, str]) -> None:
    os.environ.update(env)


def _mp_context() -> multiprocessing.context.BaseContext:
    """forkserver where it exists (fork is unsafe once threads run, e.g. the progress bar's), else spawn."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


class LocalExecutor(_Closing):
    """A process pool on this machine (`workers` defaults to the number of CPUs)."""

    def __init__(self, workers: int | None = None, max_in_flight: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.max_in_flight = max_in_flight or IN_FLIGHT_PER_WORKER * self.workers
        self._pool: ProcessPoolExecutor | None = None
        self._set_vars: list[str] = []

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            threads = str(max(1, (os.cpu_count() or 1) // self.workers))
            self._set_vars = [v for v in THREAD_VARS if v not in os.environ]
            os.environ.update({v: threads for v in self._set_vars})
            ctx = _mp_context()
            if ctx.get_start_method() == "forkserver":  # the server (and so every worker) inherits them now
                multiprocessing.forkserver.ensure_running()
            env = {v: threads for v in self._set_vars}
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx,
                                             initializer=_init_worker, initargs=(env,))
        return self._pool

    def imap_unordered(self, fn: Callable[[C], R], chunks: Iterable[C]) -> Iterator[R]:
        pool = self._get_pool()
        todo = iter(chunks)
        pending: set[Future] = set()
        try:
            for chunk in todo:
                pending.add(pool.submit(fn, chunk))
                if len(pending) >= self.max_in_flight:
                    break
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in finished:
                    nxt = next(todo, _END)
                    if nxt is not _END:
                        pending.add(pool.submit(fn, nxt))
                    yield fut.result()
        finally:
            for fut in pending:
                fut.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            for var in self._set_vars:
                os.environ.pop(var, None)
            self._set_vars = []


_END = object()


def _ray_call(fn: Callable[[Any], Any], chunk: Any) -> Any:
    return fn(chunk)


def import_ray() -> Any:
    """Import Ray on first use, with a message that says how to get it."""
    try:
        import ray
    except ImportError:
        raise input_error("command line", "--engine ray needs Ray, which is not installed",
                          "pip install 'colossim[ray]' (or use --engine local)", "--engine") from None
    return ray


class RayExecutor(_Closing):
    """Ray tasks (one CPU each). Uses the running Ray session if there is one; otherwise starts one
    (`address=None`: a local instance with `workers` CPUs, default all; "auto" or "ray://host:10001": a
    cluster) and stops it on close."""

    def __init__(self, workers: int | None = None, address: str | None = None,
                 max_in_flight: int | None = None) -> None:
        self._ray = import_ray()
        self._owned = False
        if not self._ray.is_initialized():
            local = {"num_cpus": workers} if address is None and workers else {}
            self._ray.init(address=address, include_dashboard=False, log_to_driver=False,
                           configure_logging=False, **local)
            self._owned = True
        cpus = int(self._ray.cluster_resources().get("CPU", 1))
        self.workers = max(1, workers or cpus)
        self.max_in_flight = max_in_flight or IN_FLIGHT_PER_WORKER * self.workers
        # Ray retries a task whose worker or node died (3 times by default); the journal records each point
        # once, so a retried chunk never duplicates rows. run_chunk itself never raises.
        self._remote = self._ray.remote(num_cpus=1)(_ray_call)

    def imap_unordered(self, fn: Callable[[C], R], chunks: Iterable[C]) -> Iterator[R]:
        ray = self._ray
        fn_ref = ray.put(fn)
        todo = iter(chunks)
        pending: list = []
        try:
            for chunk in todo:
                pending.append(self._remote.remote(fn_ref, chunk))
                if len(pending) >= self.max_in_flight:
                    break
            while pending:
                finished, pending = ray.wait(pending, num_returns=1)
                nxt = next(todo, _END)
                if nxt is not _END:
                    pending.append(self._remote.remote(fn_ref, nxt))
                yield ray.get(finished[0])
        finally:
            for ref in pending:
                ray.cancel(ref, force=True)

    def close(self) -> None:
        if self._owned and self._ray.is_initialized():
            self._ray.shutdown()
            self._owned = False


def make_executor(engine: Engine, workers: int | None = None, address: str | None = None) -> Executor:
    """The executor for an engine name (the CLI's --engine)."""
    if address is not None and engine != "ray":
        raise input_error("command line", f"--address is for --engine ray (got --engine {engine})",
                          "drop --address or add --engine ray", "--address")
    factories: dict[str, Callable[[], Executor]] = {
        "local": lambda: LocalExecutor(workers),
        "serial": SerialExecutor,
        "ray": lambda: RayExecutor(workers, address),
    }
    return factories[engine]()


__all__ = ["Engine", "Executor", "LocalExecutor", "RayExecutor", "SerialExecutor", "import_ray",
           "make_executor", "map_chunks"]
