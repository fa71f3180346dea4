"""What each process-pool worker does first: take its share of native threads, and tie its life to the
sweep that started it, so a sweep killed with SIGKILL leaves no worker behind.

A killed driver cannot clean up, so each worker watches for it itself, three ways (any one suffices):
  - Linux: prctl(PR_SET_PDEATHSIG, SIGKILL), so the kernel kills the worker when its parent dies (the
    parent is the fork server, which itself exits when the driver's end of its pipe closes);
  - a daemon thread that waits on a pidfd of the driver (Linux >= 5.3) and ends the worker when it exits;
  - elsewhere, the same thread polls the worker's parent id, which changes when the parent dies.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import select
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
POLL_S = 0.5
EXIT_ORPHANED = 70  # the worker's exit status when its sweep has died


def _set_parent_death_signal() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch(driver_pid: int, parent_pid: int) -> None:
    """Return when the driver has exited (pidfd) or the worker's parent has changed (polling)."""
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is not None:
        try:
            fd = pidfd_open(driver_pid)
        except OSError:  # already gone, or pidfds not supported by this kernel
            fd = None
            if not _alive(driver_pid):
                return
        if fd is not None:
            select.select([fd], [], [])  # readable once the driver has terminated (zombie or reaped)
            return
    while os.getppid() == parent_pid and _alive(driver_pid):
        time.sleep(POLL_S)


def _end_when_driver_dies(driver_pid: int, parent_pid: int) -> None:
    _watch(driver_pid, parent_pid)
    os._exit(EXIT_ORPHANED)


def die_with_driver(driver_pid: int) -> None:
    """Make this process end when `driver_pid` (the sweep) dies, however it dies."""
    parent = os.getppid()
    _set_parent_death_signal()
    if parent == 1 or not _alive(driver_pid):  # the parent died before the death signal was armed
        os._exit(EXIT_ORPHANED)
    threading.Thread(target=_end_when_driver_dies, args=(driver_pid, parent), daemon=True,
                     name="colossim-sweep-watch").start()


def init_worker(env: dict[str, str], driver_pid: int) -> None:
    """The pool initializer: native thread settings, then die_with_driver."""
    os.environ.update(env)
    die_with_driver(driver_pid)


__all__ = ["die_with_driver", "init_worker"]
