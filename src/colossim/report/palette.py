"""The report's colours, in one place: one colour per GPU type and one per quantity (cost, energy, power,
compute precision, step and memory parts, operating states), the same in every figure.

Base hues from Okabe & Ito's colour-blind-safe set and Paul Tol's "bright"/"muted" schemes
(personal.sron.nl/~pault). To colour a new GPU type, add its catalog id to GPU_COLOURS; an id missing here
still gets a stable colour (FALLBACK, chosen by its position in sorted order of the unknown ids).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from matplotlib.colors import to_hex, to_rgb

# Hopper in blues, Blackwell in oranges and reds, Ampere in green, AMD Instinct in purples.
GPU_COLOURS: dict[str, str] = {
    "a100_sxm4_80gb": "#228833",
    "a100_sxm4_40gb": "#66bb66",
    "h100_sxm5": "#0072b2",
    "h800_sxm5": "#33557f",
    "h200_sxm": "#56b4e9",
    "b200_hgx": "#f0b400",
    "gb200_nvl72_gpu": "#e69f00",
    "b300_hgx": "#ee7733",
    "gb300_nvl72_gpu": "#d55e00",
    "mi300x": "#aa3377",
    "mi325x": "#cc79a7",
    "mi355x": "#882255",
}
FALLBACK = ("#777777", "#999933", "#44aa99", "#332288", "#bbbbbb")

Quantity = Literal[
    # what a cluster draws, costs and emits
    "power_sustained", "power_nameplate", "energy", "co2", "water", "capex", "electricity",
    # peak compute by precision
    "bf16", "fp8", "fp4",
    # time to train
    "ideal", "with_failures",
    # where a training step's time goes
    "compute", "tensor_parallel", "context_parallel", "expert_parallel", "pipeline_sends", "data_parallel",
    "pipeline_bubble", "optimizer",
    # what fills a GPU's memory
    "weights", "gradients", "optimizer_state", "activations", "memory_other",
    # operating states and shares of GPU time
    "in_service", "busy", "down", "utilisation", "flagship", "queue_wait",
    # what carries a site's load, and what the turbines emit
    "grid", "battery", "turbine", "unserved", "nox",
]

QUANTITY_COLOURS: dict[Quantity, str] = {  # every quantity its own colour, none a GPU type's (tests check)
    "power_sustained": "#332288", "power_nameplate": "#9988dd", "energy": "#117733", "co2": "#4d4d4d",
    "water": "#1f9bb0", "capex": "#aa4499", "electricity": "#999933",
    "bf16": "#1b3f6b", "fp8": "#3fa27b", "fp4": "#ddcc77",
    "ideal": "#a3c9e0", "with_failures": "#2d3f8f",
    "compute": "#2e8540", "tensor_parallel": "#8fcfe8", "context_parallel": "#5aae9e", "expert_parallel": "#e3c565",
    "pipeline_sends": "#cc6677", "data_parallel": "#3d2b7a", "pipeline_bubble": "#c2c2c2", "optimizer": "#7a1f4d",
    "weights": "#283593", "gradients": "#7fb3d5", "optimizer_state": "#48a999", "activations": "#e9d58f",
    "memory_other": "#a8a8a8",
    "in_service": "#c6d7ea", "busy": "#3b5b8c", "down": "#cc3311", "utilisation": "#4a6fa5", "flagship": "#f4a259",
    "queue_wait": "#5b7db1",
    "grid": "#6c8ebf", "battery": "#b4d98b", "turbine": "#b05a2f", "unserved": "#ee3377", "nox": "#8c6d31",
}
INK = "#1d2330"  # text and reference lines
MUTED = "#6b7280"  # secondary text, grid and annotations


def quantity_colour(quantity: Quantity) -> str:
    return QUANTITY_COLOURS[quantity]


def gpu_colour(gpu_id: str, known: Iterable[str] = ()) -> str:
    """The colour of a GPU type (catalog id). `known`: the other ids in the figure, so that ids missing from
    GPU_COLOURS still get distinct colours."""
    if gpu_id in GPU_COLOURS:
        return GPU_COLOURS[gpu_id]
    unknown = sorted({g for g in (*known, gpu_id) if g not in GPU_COLOURS})
    return FALLBACK[unknown.index(gpu_id) % len(FALLBACK)]


def mix_colour(gpu_ids: Sequence[str]) -> str:
    """The colour of a group of GPU types (a partition such as H100 + H200): the mean of their colours, so it
    sits between them; one type keeps its own colour."""
    rgbs = [to_rgb(gpu_colour(g, gpu_ids)) for g in gpu_ids]
    if not rgbs:
        return FALLBACK[0]
    return to_hex(tuple(sum(c[i] for c in rgbs) / len(rgbs) for i in range(3)))


def sequence_colours(n: int) -> list[str]:
    """n ordered colours, light to dark (phases in time order): matplotlib's "Blues" map from 45 % to 95 %."""
    from matplotlib import colormaps

    ramp = colormaps["Blues"]
    return [to_hex(ramp(0.45 + 0.5 * i / max(n - 1, 1))) for i in range(n)] if n > 1 else [to_hex(ramp(0.8))]


QUALITATIVE = ("#4477aa", "#ee6677", "#228833", "#ccbb44", "#66ccee", "#aa3377", "#bbbbbb")  # Tol "bright"


def series_colours(n: int) -> list[str]:
    """n distinct colours for unordered series (failure presets): Paul Tol's "bright" scheme, repeated."""
    return [QUALITATIVE[i % len(QUALITATIVE)] for i in range(n)]


__all__ = ["FALLBACK", "GPU_COLOURS", "INK", "MUTED", "QUANTITY_COLOURS", "Quantity", "gpu_colour", "mix_colour",
           "quantity_colour", "sequence_colours", "series_colours"]
