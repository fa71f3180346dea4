"""Time to train the report's Grok-class model on each phase: the best layout found by the plan search,
its step-time and memory breakdowns, and the wall-clock time ideal and with failures.

Thin layer over colossim.plan (the layout search and `train`); until that package offers them the
section says so and the rest of the report is unaffected.
"""

from __future__ import annotations

import importlib

from colossim.report.context import Context
from colossim.report.document import Paragraph, Section
from colossim.report.sections import SectionOutput


def _plan_api():
    try:
        plan = importlib.import_module("colossim.plan")
    except ImportError:
        return None
    return plan if hasattr(plan, "train") else None


def build(ctx: Context) -> SectionOutput:
    api = _plan_api()
    if api is None:
        text = Paragraph(
            f"The time to train {ctx.options.model} on each phase comes from colossim.plan (layout search and "
            "training time), which this installation does not provide yet."
        )
        return SectionOutput(Section("training", "What it can train", (text,)),
                             {"training": {"available": False}})
    raise NotImplementedError("wire colossim.plan.train")  # replaced when colossim.plan lands
