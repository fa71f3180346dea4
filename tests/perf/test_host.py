"""The host side: launch-bound layers take the host's time, CUDA graphs remove it, MoE host syncs cost."""

from __future__ import annotations

import pytest

from colossim.models import ModelSpec, get_model
from colossim.perf import Layout, hardware_for, step_breakdown
from colossim.perf.host import FUSED_LAYER, host_costs
from colossim.perf.layout import from_layouts
from colossim.perf.shapes import model_arrays
from colossim.perf.software import Software, load_software_defaults


def _tiny() -> ModelSpec:
    return ModelSpec(id="tiny", name="tiny", source="test", layers=8, hidden=512, heads=8, kv_heads=8,
                     attention="mha", ffn=2048, mlp="gated", vocab=32000, seq_len=1024)


def test_kernel_counts_follow_the_stack():
    m = model_arrays(_tiny())
    fused = host_costs(m, from_layouts([Layout(global_batch=8)]), hardware_for("b200").arrays())
    eager = host_costs(m, from_layouts([Layout(global_batch=8, software=Software(fused_kernels=False))]),
                       hardware_for("b200").arrays())
    assert float(fused.kernels_fwd[0]) == FUSED_LAYER
    assert float(eager.kernels_fwd[0]) > float(fused.kernels_fwd[0])


def test_a_tiny_model_on_a_fast_gpu_is_launch_bound_and_cuda_graphs_fix_it():
    # 512-wide layers on a B200: ~11 kernels of a few microseconds of GPU work each, each costing the host
    # ~6 us to launch (PyTorch eager dispatch + cudaLaunchKernel): the step follows the host, not the GPU
    model, hw = _tiny(), hardware_for("b200")
    d = load_software_defaults()
    m, hwa = model_arrays(model), hw.arrays()
    lay = from_layouts([Layout(global_batch=8)])
    costs = host_costs(m, lay, hwa)
    from colossim.perf.layer import layer_times

    gpu_fwd = float(layer_times(m, lay, hwa).fwd[0] + costs.gaps_fwd[0])
    assert float(costs.host_fwd[0]) == pytest.approx(FUSED_LAYER * d.host_us_per_kernel * 1e-6)
    assert float(costs.host_fwd[0]) > gpu_fwd  # launching takes longer than running: launch-bound
    eager = step_breakdown(model, Layout(global_batch=8), hw)
    graphs = step_breakdown(model, Layout(global_batch=8, software=Software(cuda_graphs="layer")), hw)
    assert eager.host_s > d.step_host_s  # the GPU waits on the host inside the layers
    assert graphs.host_s == pytest.approx(d.step_host_s)  # one replay per layer: the GPU never waits
    assert graphs.step_time_s < eager.step_time_s


def test_a_large_model_is_not_launch_bound():
    r = step_breakdown(get_model("llama3-70b"), Layout(tp=8, pp=4, dp=1, global_batch=32), hardware_for("h100_sxm5"))
    assert r.host_s == pytest.approx(load_software_defaults().step_host_s, abs=1e-3)


def test_moe_host_syncs_cost_time_unless_graphed():
    model, hw = get_model("deepseek-v3"), hardware_for("gb200")
    base = dict(tp=1, pp=4, dp=64, ep=64, vpp=4, global_batch=256, precision="fp8", pp_split="uneven")
    synced = step_breakdown(model, Layout(**base, software=Software(moe_host_sync=True)), hw)
    free = step_breakdown(model, Layout(**base, software=Software(moe_host_sync=False)), hw)
    assert synced.host_s > free.host_s
