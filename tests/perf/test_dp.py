"""Data-parallel and FSDP costs: per-layer gathers, prefetch, reshard, the scaling wall at fixed batch."""

from __future__ import annotations

import numpy as np

from colossim.models import get_model
from colossim.perf import Layout, hardware_for, step_breakdown
from colossim.perf.software import Software


def _fsdp(gpus: int, **software) -> float:
    # Llama 3 8B at 2,048 tokens, a fixed batch of 256 sequences in one micro-batch per rank
    model = get_model("llama3-8b").model_copy(update={"seq_len": 2048})
    lay = Layout(tp=1, pp=1, dp=gpus, global_batch=256, micro_batch=256 // gpus, zero_stage=3, recompute="full",
                 software=Software(framework="torchtitan", **software))
    return step_breakdown(model, lay, hardware_for("h100_sxm5")).tokens_per_s


def test_fsdp_at_fixed_global_batch_stops_scaling():
    # more ranks shrink each rank's compute while each layer's all-gather keeps its size and its latency grows
    # with the group: throughput per GPU falls, and the last doublings add little or nothing
    counts = [32, 64, 128, 256]
    tps = np.array([_fsdp(n) for n in counts])
    per_gpu = tps / np.array(counts)
    assert np.all(np.diff(per_gpu) < 0)
    gains = tps[1:] / tps[:-1]
    assert gains[0] > gains[-1] and gains[-1] < 1.5


def test_prefetch_hides_the_gathers():
    assert _fsdp(128, fsdp_prefetch=1) > _fsdp(128, fsdp_prefetch=0)


def test_keeping_weights_skips_the_backward_gather_but_costs_memory():
    model, hw = get_model("llama3-70b"), hardware_for("h100_sxm5")
    base = dict(tp=8, pp=1, dp=32, global_batch=256, zero_stage=3, recompute="full")
    reshard = step_breakdown(model, Layout(**base, software=Software(fsdp_reshard="always")), hw)
    keep = step_breakdown(model, Layout(**base, software=Software(fsdp_reshard="never")), hw)
    assert keep.dp_s < reshard.dp_s
    assert keep.memory.weights_gb > reshard.memory.weights_gb


def test_metas_published_llama3_405b_layout_fits_and_runs_near_its_measured_mfu():
    # Llama 3 paper Table 4: 16,384 H100, TP8 CP1 PP16 DP128 (FSDP), 16M-token batch, BF16: 400 TFLOP/s/GPU,
    # 38-43% MFU across the table
    lay = Layout(tp=8, pp=16, dp=128, vpp=4, pp_split="uneven", zero_stage=3, global_batch=2048,
                 recompute="selective", recompute_modules=("mlp",), grad_reduce_fp32=False,
                 software=Software(framework="meta_llama3", fsdp_reshard="never", cp_comm="all_gather"))
    r = step_breakdown(get_model("llama3-405b"), lay, hardware_for("h100_sxm5", fabric="roce"))
    assert r.memory.fits
    assert 0.36 <= r.mfu <= 0.45
