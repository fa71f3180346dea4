"""Plan-search speed and memory: full searches on 200,000 GPUs, and where published layouts rank.

Goals (issue 4): >= 1,000,000 layout evaluations per second on one core; a full search for a 1-trillion-
parameter dense model and for a 600B+ MoE on 200,000 GPUs in under 5 s; peak memory under 2 GB.
Run: .venv/bin/python benchmarks/bench_plan.py
"""

from __future__ import annotations

import resource
import time

from colossim.models.schema import ModelSpec
from colossim.models.zoo import get_model
from colossim.perf import hardware_for
from colossim.plan.published import rank_published
from colossim.plan.search import search
from colossim.validation.defaults import Unrepresentable
from colossim.validation.load import load_runs

# Megatron-LM's 1T configuration (Narayanan et al. 2021, Table 1: 128 layers, hidden 25,600, 160 heads).
ONE_T = ModelSpec(id="gpt-1t", name="GPT 1T (Megatron)", source="Narayanan et al. 2021 Table 1", layers=128,
                  hidden=25600, heads=160, kv_heads=160, attention="mha", ffn=102400, mlp="plain", vocab=51200,
                  seq_len=2048)


def main() -> None:
    # Each case runs twice: any GPU count (the time objective's default), and at least 90% of the GPUs.
    cases = [(ONE_T, "h100_sxm5", 200_000, ("bf16",)), (ONE_T, "h100_sxm5", 200_000, ("bf16", "fp8")),
             (get_model("deepseek-v3"), "h100_sxm5", 200_000, ("bf16",)),
             (get_model("deepseek-v3"), "gb200_nvl72_gpu", 200_000, ("bf16", "fp8")),
             (get_model("grok-3-class"), "h100_sxm5", 200_000, ("bf16",))]
    for (model, gpu, gpus, precisions), fraction in [(c, f) for f in (0.0, 0.9) for c in cases]:
        started = time.perf_counter()
        r = search(model, hardware_for(gpu), gpus, precisions=precisions, min_gpu_fraction=fraction)
        wall = time.perf_counter() - started
        b = r.best
        print(f"{model.id:12s} {gpus:,} {gpu:15s} {'+'.join(precisions):8s} >={fraction:.0%} GPUs: "
              f"{r.candidates:>9,} candidates, "
              f"{r.fitting:>8,} fit, {wall:5.2f} s ({r.candidates / wall:,.0f} layouts/s incl. setup); best "
              f"tp{b['tp']} pp{b['pp']}x{b['vpp']} dp{b['dp']} cp{b['cp']} ep{b['ep']} on {b['gpus_used']:,} GPUs,"
              f" {b['step_time_s']:.2f} s/step, MFU {100 * b['mfu']:.1f}%")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak_mb:,.0f} MB (goal < 2,048 MB)")

    print("\nPublished layouts ranked among all layouts the search considers (same GPUs, batch, precision):")
    for run in load_runs():
        try:
            p = rank_published(run)
        except (Unrepresentable, ValueError) as exc:
            print(f"  {run.id:42s} not ranked: {exc}")
            continue
        fits = "" if p.published_fits else "  (published layout predicted not to fit in memory)"
        print(f"  {p.run_id:42s} rank {p.rank:5,} of {p.fitting_layouts:6,}; "
              f"model step {p.published_step_time_s:7.2f} s"
              f" vs best {p.best_step_time_s:7.2f} s ({p.best_layout}){fits}")


if __name__ == "__main__":
    main()
