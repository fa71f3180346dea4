"""How many layouts per second the vectorised step model evaluates on one core.

Evaluates chunks of random candidate layouts (valid or not, as a plan search would) of Llama 3 405B on
16,384 H100 and of DeepSeek-V3 on GB200 NVL72, and prints layouts/s per chunk size.
Run: .venv/bin/python benchmarks/bench_step.py
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from colossim.models import get_model  # noqa: E402
from colossim.perf import evaluate, hardware_for, layout_arrays, model_arrays  # noqa: E402

GOAL = 1_000_000  # layouts per second on one core (plan-search requirement)


def random_layouts(n: int, gpus: int, rng: np.random.Generator, moe: bool, savings: bool = False):
    """Random candidates; with `savings`, also random memory savings (recompute modules, partial full
    recompute, activation offload, FP8 primary weights), which take the model's slower paths."""
    pow2 = np.array([1, 2, 4, 8, 16, 32, 64])
    tp = rng.choice(pow2[:5], n)
    pp = rng.choice(pow2, n)
    cp = rng.choice(pow2[:3], n)
    dp = np.maximum(gpus // (tp * pp * cp), 1)
    precision = rng.integers(0, 2, n)
    extra = {}
    if savings:
        extra = dict(rc_modules=rng.integers(1, 32, n), rc_layers=rng.choice([1.0, 2.0, np.inf], n),
                     offload=rng.choice([0.0, 0.25, 0.5], n), fp8_params=(precision == 1) & rng.integers(0, 2, n))
    return layout_arrays(
        tp=tp, pp=pp, dp=dp, cp=cp, ep=rng.choice(pow2, n) if moe else 1, vpp=rng.choice([1, 2, 4], n),
        mbs=rng.choice([1, 2, 4], n), gbs=2048, zero=rng.integers(0, 4, n), recompute=rng.integers(0, 3, n),
        precision=precision, uneven=True, sp=True, ep_dedup=moe, **extra)


def bench(name: str, model_id: str, gpu: str, gpus: int, chunk: int, repeats: int = 5,
          savings: bool = False) -> float:
    rng = np.random.default_rng(0)
    m = model_arrays(get_model(model_id))
    hw = hardware_for(gpu).arrays()
    lay = random_layouts(chunk, gpus, rng, moe=get_model(model_id).moe is not None, savings=savings)
    evaluate(m, lay, hw)  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t0 = time.process_time()  # CPU time of this process: less sensitive to other load on the machine
        out = evaluate(m, lay, hw)
        best = min(best, time.process_time() - t0)
    rate = chunk / best
    valid = out.valid & (lay.gpus == gpus)
    fits = int((valid & out.memory.fits).sum())
    print(f"{name:32s} chunk {chunk:>9,d}: {best * 1e3:8.1f} ms  {rate:>12,.0f} layouts/s"
          f"  (valid for the job: {int(valid.sum()):,}, fitting memory: {fits:,})")
    return rate


def main() -> None:
    rates = []
    for chunk in (100_000, 1_000_000):
        rates.append(bench("llama3-405b on 16,384 H100", "llama3-405b", "h100_sxm5", 16384, chunk))
        rates.append(bench("deepseek-v3 on 4,096 GB200", "deepseek-v3", "gb200", 4096, chunk))
    # the same with random memory savings on every row (offload, recompute modules, partial recompute)
    rates.append(bench("deepseek-v3 GB200, with savings", "deepseek-v3", "gb200", 4096, 100_000, savings=True))
    worst = min(rates)
    verdict = "OK" if worst >= GOAL else "BELOW GOAL"
    print(f"slowest: {worst:,.0f} layouts/s on one core (goal {GOAL:,}): {verdict}")


if __name__ == "__main__":
    main()
