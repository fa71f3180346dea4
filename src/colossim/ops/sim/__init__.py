"""The simulation room: the event engine compiled with numba (heap, queue, pool state, jobs table and
ledger, placement, failures, policies, kernel) over structure-of-arrays state (layout), laid out by
setup from the cluster, workload and config, and run by engine.

Compiled code is cached on disk so later processes start at once. numba checks a cached function only
against its own source file, not the files of the functions it calls, so the cache lives in a folder
named by a digest of every compiled source file here (and the layout): editing one starts a fresh cache (inside the
package's __pycache__, or the user's cache folder when the package is read-only; NUMBA_CACHE_DIR, when
set, is used as it is).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba

_HERE = Path(__file__).resolve().parent


def _cache_dir() -> str:
    digest = hashlib.sha256()
    for path in sorted(_HERE.rglob("*.py")):
        text = path.read_bytes()
        if b"@njit" in text:  # the compiled modules (and the layout they read)
            digest.update(path.relative_to(_HERE).as_posix().encode())
            digest.update(text)
    digest.update((_HERE / "layout.py").read_bytes())
    name = f"numba-{digest.hexdigest()[:16]}"
    if os.access(_HERE, os.W_OK):
        return str(_HERE / "__pycache__" / name)
    return str(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "colossim" / name)


_saved = numba.config.CACHE_DIR
if not os.environ.get("NUMBA_CACHE_DIR"):
    numba.config.CACHE_DIR = _cache_dir()
try:  # every compiled function picks its cache folder when it is defined, here
    from colossim.ops.sim import (  # noqa: F401
        actions,
        borrow,
        failures,
        heap,
        jobs,
        kernel,
        placement,
        poolstate,
        queue,
        running,
    )
    from colossim.ops.sim.policies import backfill, dispatch, fifo, order, priority  # noqa: F401
finally:
    numba.config.CACHE_DIR = _saved
