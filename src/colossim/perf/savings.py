"""Memory savings a framework can turn on for a layout that does not fit, and the lightest one that fits.

Options (Megatron-Core / Megatron-Bridge switches): selective recomputation of modules (recompute_modules),
full recomputation of some or all layers of each model chunk (recompute_method block,
recompute_num_layers), and activation offloading to host memory (cpu_offloading_num_layers).
`lightest_fitting` evaluates every option of one layout in one vectorised call and keeps the fastest that
fits: a framework user's choice, the same rule for every layout. `offload_to_fit` gives, for many layouts
at once, the smallest share of layers to offload that makes each fit (for plan searches).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from colossim.models.schema import ModelSpec
from colossim.perf.hardware import Hardware, HardwareArrays
from colossim.perf.layout import DEFAULT_MODULES, Layout, LayoutArrays, RecomputeModule, from_layouts
from colossim.perf.memory import activation_memory, memory_per_gpu, stage_layers

# Activation offload is offered where the GPU reaches host memory over NVLink-C2C (Grace: ~190 GB/s per GPU),
# as NVIDIA's GB200/GB300 recipes do (cpu_offloading_num_layers); over PCIe (~55 GB/s) the copies of a
# layer's activations rarely hide behind its compute and the recipes recompute instead.
FAST_HOST_LINK_GB_S = 100.0


def offload_offered(hardware: Hardware) -> bool:
    return hardware.host_link_gb_s >= FAST_HOST_LINK_GB_S


def _modules(model: ModelSpec) -> tuple[RecomputeModule, ...]:
    """Recompute modules that free memory in this model (core_attn frees nothing with fused attention)."""
    mods: list[RecomputeModule] = ["layernorm"]
    if model.attention == "mla":
        mods.append("mla_up_proj")
    if model.dense_layers:
        mods.append("mlp")
    if model.moe is not None:
        mods.append("moe_act")
    return tuple(mods)


def _rank_layers(model: ModelSpec, layout: Layout) -> int:
    return -(-model.layers // layout.pp)


def saving_options(model: ModelSpec, layout: Layout, offload: bool = True) -> list[Layout]:
    """`layout` without memory savings, then with each option, lightest kinds first: activation offload of
    1..n-1 of the rank's n layers (when `offload`); selective recompute of every non-empty set of the
    model's modules (fewest first); full recompute of 1..c-1 layers per model chunk of c layers; full
    recompute of all."""
    base = layout.model_copy(
        update=dict(recompute="none", recompute_modules=DEFAULT_MODULES, recompute_layers=None,
                    activation_offload=0.0)
    )
    out = [base]
    n = _rank_layers(model, layout)
    if offload:
        out += [base.model_copy(update=dict(activation_offload=j / n)) for j in range(1, n)]
    mods = _modules(model)
    for size in range(1, len(mods) + 1):
        out += [base.model_copy(update=dict(recompute="selective", recompute_modules=c))
                for c in combinations(mods, size)]
    chunk = -(-model.layers // (layout.pp * layout.vpp))
    out += [base.model_copy(update=dict(recompute="full", recompute_layers=k)) for k in range(1, chunk)]
    out.append(base.model_copy(update=dict(recompute="full")))
    return out


def describe_saving(layout: Layout) -> str:
    """A short name of a layout's memory saving (for reports and the validation defaults list)."""
    parts = []
    if layout.recompute == "selective":
        parts.append(f"selective recompute of {', '.join(layout.recompute_modules)}")
    elif layout.recompute == "full":
        parts.append("full recompute" if layout.recompute_layers is None
                     else f"full recompute of {layout.recompute_layers} layer(s) per model chunk")
    if layout.activation_offload > 0:
        parts.append(f"activation offload of {100 * layout.activation_offload:.0f}% of layers")
    return " + ".join(parts) or "none"


@dataclass(frozen=True)
class Saving:
    layout: Layout
    fits: bool
    step_time_s: float
    options: int  # how many options were compared


def lightest_fitting(model: ModelSpec, layout: Layout, hardware: Hardware) -> Saving:
    """The option of `saving_options` with the shortest predicted step that fits in memory (earlier options
    win ties, so `none` when it fits); when none fits, the one that needs the least memory. Offload is an
    option only on GPUs with a fast host link (`offload_offered`)."""
    from colossim.perf.step import evaluate  # local: step imports this module's neighbours

    options = saving_options(model, layout, offload_offered(hardware))
    r = evaluate(model, from_layouts(options), hardware)
    fits = np.asarray(r.memory.fits, dtype=bool) & np.asarray(r.valid, dtype=bool)
    if fits.any():
        k = int(np.argmin(np.where(fits, r.step_time_s, np.inf)))
    else:
        k = int(np.argmin(r.memory.total_bytes - r.memory.usable_bytes))
    return Saving(options[k], bool(fits[k]), float(r.step_time_s[k]), len(options))


def offload_to_fit(m, lay: LayoutArrays, hw: HardwareArrays) -> np.ndarray:
    """Smallest share of each rank's layers (a whole number of them, below all) whose activations, offloaded
    to host memory, make the layout fit; 0 where it fits already, NaN where no offload makes it fit (GPU or
    host memory). Memory with offload f is the memory without it less f x the kept activations plus the
    layer in transit (memory.activation_memory)."""
    base = lay._replace(offload=np.zeros_like(lay.offload))
    mem = memory_per_gpu(m, base, hw)
    act = activation_memory(m, base)
    layers = np.ceil(stage_layers(m, base))
    with np.errstate(divide="ignore", invalid="ignore"):
        need = (mem.total_bytes + act.per_layer - mem.usable_bytes) / act.stored
    f = np.ceil(np.maximum(need, 0.0) * layers - 1e-9) / layers
    possible = (f < 1.0) & (f * act.stored <= hw.host_mem_usable_bytes)
    return np.where(mem.fits, 0.0, np.where(possible & (act.stored > 0), np.maximum(f, 1.0 / layers), np.nan))


__all__ = [
    "FAST_HOST_LINK_GB_S",
    "Saving",
    "describe_saving",
    "lightest_fitting",
    "offload_offered",
    "offload_to_fit",
    "saving_options",
]
