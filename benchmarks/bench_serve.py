"""How many serving layouts per second the vectorised serving model evaluates on one core.

Evaluates chunks of random candidate replica layouts (valid or not, as the serving search would) at maximum
load (serve.evaluate_serving: memory, batching, one iteration of the busiest stage, disaggregation), and
separately the latency-constrained search (each layout's load curve at 32 batch sizes), for a dense model on
H100 and for DeepSeek-V3 on GB200 NVL72. Prints layouts/s per chunk size; timings are CPU time of this
process (the best of 5), so other load on the machine affects them less, but they remain noisy.
Run: .venv/bin/python benchmarks/bench_serve.py
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from colossim.models import get_model  # noqa: E402
from colossim.perf.hardware import hardware_for  # noqa: E402
from colossim.serve.latency import CURVE_POINTS, LatencyTarget, load_curve, served_rate  # noqa: E402
from colossim.serve.layout import serve_layout_arrays  # noqa: E402
from colossim.serve.shapes import serve_model  # noqa: E402
from colossim.serve.throughput import evaluate_serving  # noqa: E402
from colossim.serve.workload import default_mix  # noqa: E402

GOAL = 1_000_000  # serving-layout evaluations per second on one core (issue 15 quality bar)
BLOCK = 16_384  # rows per evaluation call, as the training model blocks its rows


def random_layouts(n: int, rng: np.random.Generator, moe: bool):
    pow2 = np.array([1, 2, 4, 8, 16, 32, 64])
    tp = rng.choice(pow2[:5], n)
    atp = np.where(moe & (rng.random(n) < 0.5), 1, tp)
    return serve_layout_arrays(tp=tp, pp=rng.choice(pow2[:4], n), ep=np.minimum(rng.choice(pow2, n), tp) if moe else 1,
                               atp=atp, wprec=rng.integers(0, 3, n), kvprec=rng.integers(0, 2, n),
                               disagg=rng.integers(0, 2, n), budget=rng.choice([0, 2048, 8192], n))


def _blocks(lay, n):
    for start in range(0, n, BLOCK):
        stop = min(start + BLOCK, n)
        yield type(lay)(*(v[start:stop] for v in lay))


def bench(name: str, model_id: str, gpu: str, chunk: int, repeats: int = 5) -> float:
    rng = np.random.default_rng(0)
    spec = get_model(model_id)
    m, hw, work = serve_model(spec), hardware_for(gpu).arrays(), default_mix().workload()
    lay = random_layouts(chunk, rng, spec.moe is not None)
    parts = list(_blocks(lay, chunk))
    best = float("inf")
    for _ in range(repeats + 1):  # the first pass warms up
        t0 = time.process_time()
        fits = sum(int(evaluate_serving(m, p, hw, work).valid.sum()) for p in parts)
        best = min(best, time.process_time() - t0)
    rate = chunk / best
    print(f"{name:34s} chunk {chunk:>9,d}: {best * 1e3:8.1f} ms  {rate:>12,.0f} layouts/s  (fitting: {fits:,})")
    return rate


def bench_latency(name: str, model_id: str, gpu: str, chunk: int) -> float:
    rng = np.random.default_rng(1)
    spec = get_model(model_id)
    m, hw, mix = serve_model(spec), hardware_for(gpu).arrays(), default_mix()
    lay = random_layouts(chunk, rng, spec.moe is not None)
    res = evaluate_serving(m, lay, hw, mix.workload())
    t0 = time.process_time()
    served_rate(load_curve(m, lay, hw, mix.workload(), res, mix.quantile_prompt(0.99)), LatencyTarget())
    dt = time.process_time() - t0
    print(f"{name:34s} chunk {chunk:>9,d}: {dt * 1e3:8.1f} ms  {chunk / dt:>12,.0f} layouts/s with their "
          f"{CURVE_POINTS}-point load curves")
    return chunk / dt


def main() -> None:
    rates = []
    for chunk in (100_000, 1_000_000):  # the chunk sizes of benchmarks/bench_step.py
        rates.append(bench("llama3-70b on h100_sxm5", "llama3-70b", "h100_sxm5", chunk))
        rates.append(bench("deepseek-v3 on gb200_nvl72_gpu", "deepseek-v3", "gb200_nvl72_gpu", chunk))
    bench_latency("llama3-70b latency search", "llama3-70b", "h100_sxm5", 16_384)
    bench_latency("deepseek-v3 latency search", "deepseek-v3", "gb200_nvl72_gpu", 16_384)
    worst = min(rates)
    print(f"slowest max-load evaluation: {worst:,.0f} layouts/s per core; goal {GOAL:,} "
          f"({'met' if worst >= GOAL else 'NOT met'})")


if __name__ == "__main__":
    main()
