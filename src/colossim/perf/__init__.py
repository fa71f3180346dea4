"""Training performance model: step time, memory and MFU of dense and MoE transformers on a machine.

Public API (see docs/perf_model.md):
  evaluate(model, LayoutArrays, hardware) -> StepArrays      vectorised, for plan searches
  step_breakdown(ModelSpec, Layout, Hardware) -> StepBreakdown   one typed layout
  hardware_for(gpu_id, ...) -> Hardware;  layout_arrays(...), from_layouts([...]) -> LayoutArrays
  valid_mask(ModelArrays, LayoutArrays, gpus) / layout_problems(ModelSpec, Layout, gpus)
"""

from colossim.perf.hardware import Hardware, HardwareArrays, hardware_for, load_calibration
from colossim.perf.layout import (
    Layout,
    LayoutArrays,
    Overlap,
    check_layout,
    from_layouts,
    layout_arrays,
    layout_problems,
    valid_mask,
)
from colossim.perf.shapes import ModelArrays, model_arrays
from colossim.perf.step import StepArrays, StepBreakdown, evaluate, step_breakdown

__all__ = [
    "Hardware",
    "HardwareArrays",
    "Layout",
    "LayoutArrays",
    "ModelArrays",
    "Overlap",
    "StepArrays",
    "StepBreakdown",
    "check_layout",
    "evaluate",
    "from_layouts",
    "hardware_for",
    "layout_arrays",
    "layout_problems",
    "load_calibration",
    "model_arrays",
    "step_breakdown",
    "valid_mask",
]
