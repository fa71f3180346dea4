"""Small real evaluators for the sweep tests (module-level, so process pools and Ray can import them).

They are registered under the entry-point group `colossim.evaluators` by the metadata in
colossim_sweep_test_evaluators-1.0.dist-info/ next to this file (tests/sweep is on sys.path and PYTHONPATH,
see conftest.py), exactly as an installed package registers its own evaluators.

`toy_layouts` is a miniature plan search: it enumerates (tp, pp, dp) layouts of the GPUs, drops those whose
weights do not fit in memory or whose global batch does not split over dp, scores the rest with a simple
analytic step time (compute + tensor-parallel comm + pipeline bubble + a Monte-Carlo straggler factor
whose sample count sets the work per point), and returns the top-k by tokens per second.
"""

from __future__ import annotations

import hashlib
import os
import signal
from pathlib import Path

import numpy as np
import yaml

from colossim.sweep.grid import SweepPoint
from colossim.sweep.registry import SweepEvaluator
from colossim.sweep.tasks import InfeasiblePoint

MODEL_PARAMS = {"tiny": 1e9, "small": 7e9, "large": 70e9, "huge": 2e12}
CLUSTER_LINK_GB_S = {"fast": 450.0, "slow": 50.0}
PEAK_TFLOPS = 989.0
HBM_GB = 80.0
SEQ_LEN = 4096


def _seed(point: SweepPoint) -> int:
    return int.from_bytes(hashlib.sha256(point.describe().encode()).digest()[:8], "little")


def _link_gb_s(cluster: str) -> float:
    """A named cluster, or a YAML file `{link_gb_s: 450}` (edited between runs by the resume test)."""
    if cluster in CLUSTER_LINK_GB_S:
        return CLUSTER_LINK_GB_S[cluster]
    if cluster.endswith(".yaml") and Path(cluster).is_file():
        return float(yaml.safe_load(Path(cluster).read_text())["link_gb_s"])
    raise KeyError(f"unknown cluster '{cluster}': use one of {', '.join(CLUSTER_LINK_GB_S)} or a YAML file")


def toy_inputs(kind: str, name: str) -> object:
    """What a name means to toy_layouts (hashed into the point keys): the cluster's link speed."""
    return {"link_gb_s": _link_gb_s(name)} if kind == "cluster" else {"model": name}


def toy_layouts(point: SweepPoint) -> list[dict]:
    if point.model not in MODEL_PARAMS:
        raise KeyError(f"unknown model '{point.model}': use one of {', '.join(MODEL_PARAMS)}")
    params = MODEL_PARAMS[point.model]
    link = _link_gb_s(point.cluster)
    g = point.gpus
    tp = np.array([t for t in (1, 2, 4, 8) for p in range(1, g + 1) if g % (t * p) == 0])
    pp = np.array([p for t in (1, 2, 4, 8) for p in range(1, g + 1) if g % (t * p) == 0])
    if tp.size == 0:
        raise InfeasiblePoint(f"{g} GPUs do not split into tensor x pipeline groups")
    dp = g // (tp * pp)
    weights_gb = 16.0 * params / (tp * pp) / 1e9  # 16 bytes/param: bf16 weights+grads, fp32 Adam states
    fits = (weights_gb <= HBM_GB) & (point.global_batch % dp == 0)
    if not fits.any():
        state_gb = 16 * params / 1e9
        raise InfeasiblePoint(f"no layout of {g} GPUs fits {point.model} ({state_gb:.0f} GB of state)")
    tp, pp, dp = tp[fits], pp[fits], dp[fits]
    tokens = point.global_batch * SEQ_LEN
    flops = 6.0 * params * tokens  # 6*N*T training FLOPs (Kaplan et al. 2020)
    compute_s = flops / (g * PEAK_TFLOPS * 1e12 * 0.5)
    comm_s = np.where(tp > 1, 4.0 * params * tokens / dp / (link * 1e9) * 1e-3 * (tp - 1) / tp, 0.0)
    micro = point.global_batch / dp
    bubble = (pp - 1) / (micro + pp - 1)  # 1F1B pipeline bubble fraction
    samples = int(point.opts.get("samples", 20_000))
    rng = np.random.default_rng(_seed(point))
    straggler = float(np.mean(np.max(rng.lognormal(0.0, 0.05, size=(samples, 8)), axis=1)))
    step_s = (compute_s + comm_s) / (1.0 - bubble) * straggler
    order = np.lexsort((pp, tp, step_s))[: point.top_k]
    return [{"tp": int(tp[i]), "pp": int(pp[i]), "dp": int(dp[i]), "step_time_s": float(step_s[i]),
             "tokens_per_s": float(tokens / step_s[i]), "straggler_factor": straggler} for i in order]


toy = SweepEvaluator(toy_layouts, resolve=toy_inputs)  # registered as "toy_layouts"


def sleepy(point: SweepPoint) -> list[dict]:
    """Busy-waits `work_ms` milliseconds of numpy work, then returns one row (for timing tests)."""
    import time

    end = time.perf_counter() + float(point.opts.get("work_ms", 10)) / 1000.0
    acc = np.zeros(64)
    while time.perf_counter() < end:
        acc += np.sin(np.arange(64.0) + acc[0])
    return [{"value": float(acc.sum()), "tokens_per_s": float(point.gpus * point.global_batch)}]


def noop(point: SweepPoint) -> list[dict]:
    return [{"tokens_per_s": float(point.gpus)}]


def no_throughput(point: SweepPoint) -> list[dict]:
    return [{"loss": 1.0 / point.gpus}]


def buggy(point: SweepPoint) -> list[dict]:
    if point.gpus == 16:
        return [{"x": 1 / 0}]
    return [{"tokens_per_s": float(point.gpus)}]


def as_frame(point: SweepPoint):
    import pandas as pd

    tput = [float(point.gpus), float(point.gpus) / 2]
    return pd.DataFrame({"tokens_per_s": tput, "model": ["ignored"] * 2})


def not_a_function_but_data():  # resolves, but is called with the wrong arguments
    return None


VALUE = 3


def worker_env(point: SweepPoint) -> list[dict]:
    """Reports the worker's native thread settings (for the oversubscription test)."""
    import os

    return [{"omp": os.environ.get("OMP_NUM_THREADS", ""),
             "openblas": os.environ.get("OPENBLAS_NUM_THREADS", "")}]


_WARM = {"done": False}


def slow_first_call(point: SweepPoint) -> list[dict]:
    """0.5 s on its first call in a process (imports, caches), 20 ms after that."""
    import time

    time.sleep(0.02 if _WARM["done"] else 0.5)
    _WARM["done"] = True
    return [{"tokens_per_s": float(point.gpus)}]


def dies_once(point: SweepPoint) -> list[dict]:
    """SIGKILLs its own worker process the first time it meets the point whose gpus equal option `die_at`
    (a marker file, option `marker`, records that it did), then behaves like toy_layouts: a `kill -9` of a
    worker in the middle of a sweep."""
    marker = Path(str(point.opts["marker"]))
    if point.gpus == point.opts.get("die_at") and not marker.exists():
        marker.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return toy_layouts(point)


def always_dies(point: SweepPoint) -> list[dict]:
    """SIGKILLs its worker every time (a point that always crashes the interpreter, e.g. out of memory)."""
    os.kill(os.getpid(), signal.SIGKILL)
    return []
