"""The Ray engine: one Ray task (one CPU) per chunk, on a local instance or a cluster (`colossim[ray]`).

Ray is imported only here, on first use. Before connecting to a cluster, its address is probed (TCP, then
the HTTP/2 greeting every gRPC server, Ray's included, answers with) for at most a few seconds, because
Ray itself retries an address where nothing answers for minutes.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from colossim.inputs import input_error
from colossim.sweep.executors import IN_FLIGHT_PER_WORKER, MAX_RETRIES, EngineError, WorkerLost, _Closing

C = TypeVar("C")
R = TypeVar("R")

PROBE_TIMEOUT_S = 5.0
# HTTP/2 client connection preface followed by an empty SETTINGS frame (RFC 9113 sec. 3.4 and 6.5); a gRPC
# server answers with a SETTINGS frame (type 0x4 in the fourth byte of its 9-byte frame header).
_H2_GREETING = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
_H2_SETTINGS = 4
_END = object()


def import_ray() -> Any:
    """Import Ray on first use, with a message that says how to get it."""
    try:
        import ray
    except ImportError:
        raise input_error("command line", "--engine ray needs Ray, which is not installed",
                          "pip install 'colossim[ray]' (or use --engine local)", "--engine") from None
    return ray


def _host_port(address: str) -> tuple[str, int]:
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise input_error("command line", f"--address {address!r} is not host:port",
                          "write it as host:port, ray://host:port or auto", "--address")
    return host.strip("[]"), int(port)


def _resolve_auto() -> str | None:
    """The address `ray.init(address="auto")` would use (RAY_ADDRESS, or the latest local cluster)."""
    try:
        from ray._private.services import canonicalize_bootstrap_address
    except ImportError:  # a Ray without this helper: let ray.init find it
        return None
    try:
        return canonicalize_bootstrap_address("auto")
    except (ConnectionError, ValueError) as exc:
        raise input_error("command line", f"--address auto found no running Ray cluster ({exc})",
                          "start one (`ray start --head`), give its host:port, or drop --address to start "
                          "a local instance", "--address") from None


def check_ray_address(address: str | None, timeout_s: float = PROBE_TIMEOUT_S) -> None:
    """Refuse, within about `timeout_s`, a cluster address where no Ray (gRPC) server answers."""
    target = address if address is not None else os.environ.get("RAY_ADDRESS") or None
    if target in (None, "local"):
        return
    if target == "auto":
        target = _resolve_auto()
        if target is None:
            return
    host, port = _host_port(target)
    shown = f"{host}:{port}"
    try:
        with socket.create_connection((host, port), timeout=timeout_s) as conn:
            conn.settimeout(timeout_s)
            conn.sendall(_H2_GREETING)
            header = conn.recv(9)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise input_error("command line", f"no Ray cluster answers at {shown} ({reason})",
                          "start the cluster or check the address (head node host and its GCS or Ray Client "
                          "port), or drop --address to start a local instance", "--address") from None
    if len(header) < 4 or header[3] != _H2_SETTINGS:
        raise input_error("command line", f"the service at {shown} is not a Ray cluster (it gives no gRPC "
                          "answer)", "give the address of the Ray head node", "--address")


def _ray_call(fn: Callable[[Any], Any], chunk: Any) -> Any:
    return fn(chunk)


class RayExecutor(_Closing):
    """Ray tasks (one CPU each). Uses the running Ray session if there is one; otherwise starts one
    (`address=None`: a local instance with `workers` CPUs, default all; "auto" or "ray://host:10001": a
    cluster, probed first) and stops it on close. A task whose worker or node died runs again, up to
    MAX_RETRIES times (Ray's own retries); after that the sweep stops with WorkerLost."""

    def __init__(self, workers: int | None = None, address: str | None = None,
                 max_in_flight: int | None = None) -> None:
        self._ray = import_ray()
        self._owned = False
        if not self._ray.is_initialized():
            check_ray_address(address)
            local = {"num_cpus": workers} if address is None and workers else {}
            try:
                self._ray.init(address=address, include_dashboard=False, log_to_driver=False,
                               configure_logging=False, **local)
            except (ConnectionError, TimeoutError, ValueError) as exc:
                raise input_error("command line", f"cannot start or join Ray ({exc})",
                                  "check --address, or drop it to start a local instance", "--address") from None
            self._owned = True
        cpus = int(self._ray.cluster_resources().get("CPU", 1))
        self.workers = max(1, workers or cpus)
        self.max_in_flight = max_in_flight or IN_FLIGHT_PER_WORKER * self.workers
        # The journal records each point once, so a retried chunk never duplicates rows. run_chunk itself
        # never raises.
        self._remote = self._ray.remote(num_cpus=1, max_retries=MAX_RETRIES)(_ray_call)

    def imap_unordered(self, fn: Callable[[C], R], chunks: Iterable[C]) -> Iterator[R]:
        ray = self._ray
        fn_ref = ray.put(fn)
        todo = iter(chunks)
        pending: dict[Any, Any] = {}  # object ref -> its chunk
        try:
            for chunk in todo:
                pending[self._remote.remote(fn_ref, chunk)] = chunk
                if len(pending) >= self.max_in_flight:
                    break
            while pending:
                finished, _ = ray.wait(list(pending), num_returns=1)
                chunk = pending.pop(finished[0])
                nxt = next(todo, _END)
                if nxt is not _END:
                    pending[self._remote.remote(fn_ref, nxt)] = nxt
                yield self._get(finished[0], chunk)
        finally:
            for ref in pending:
                ray.cancel(ref, force=True)

    def _get(self, ref: Any, chunk: Any) -> Any:
        errors = self._ray.exceptions
        died = tuple(getattr(errors, name) for name in ("WorkerCrashedError", "NodeDiedError", "OutOfMemoryError",
                                                        "LocalRayletDiedError") if hasattr(errors, name))
        try:
            return self._ray.get(ref)
        except died as exc:
            raise WorkerLost(chunk, MAX_RETRIES + 1, type(exc).__name__) from None
        except errors.RayError as exc:
            raise EngineError(f"Ray could not run a chunk: {type(exc).__name__}: {str(exc)[:2000]}") from None

    def close(self) -> None:
        if self._owned and self._ray.is_initialized():
            self._ray.shutdown()
            self._owned = False


__all__ = ["RayExecutor", "check_ray_address", "import_ray"]
