"""Shared builders for the sweep tests."""

from __future__ import annotations

from typing import Any

from colossim.sweep.schema import SweepSpec

TOY = "toy_layouts"


def spec(**over: Any) -> SweepSpec:
    base: dict[str, Any] = {"evaluator": TOY, "models": ["tiny", "small"], "clusters": ["fast", "slow"],
                            "gpu_counts": [8, 16, 64], "global_batch_sizes": [256], "top_k": 2,
                            "options": {"samples": 2000}}
    base.update(over)
    return SweepSpec.model_validate(base)
