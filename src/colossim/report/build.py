"""Assemble the report: each section calls the core's public functions; this module only orders them,
times them and merges their numbers (the JSON behind the report)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import date
from typing import Any

from colossim import __version__
from colossim.report.context import Context, ReportOptions, build_context
from colossim.report.document import Provenance, Report
from colossim.report.sections import (
    SectionOutput,
    assumptions,
    buy,
    claims,
    environment,
    growth,
    operations,
    overview,
    reliability,
    serving,
    training,
)

# (id, what the progress bar says, builder), in the order they run: the training section's jobs feed the
# failures section (their checkpoint chain) and the operations section's flagship.
STEPS: tuple[tuple[str, str, Callable[[Context], SectionOutput]], ...] = (
    ("overview", "the machine at a glance", overview.build),
    ("growth", "growth by phase", growth.build),
    ("environment", "power supply and emissions by date", environment.build),
    ("claims", "claims against independent estimates", claims.build),
    ("buy", "what the budget buys", buy.build),
    ("training", "what it can train (plan search)", training.build),
    ("failures", "failures and goodput", reliability.build),
    ("serving", "what it can serve (serving model)", serving.build),
    ("operations", "simulating operations", operations.build),
)
ORDER = ("overview", "growth", "environment", "claims", "buy", "training", "serving", "failures", "operations",
         "assumptions")

Progress = Callable[[str], None]


def clean(value: Any) -> Any:
    """JSON-ready: dict keys as strings, numpy scalars as Python numbers, NaN/inf as None, dates ISO."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        return clean(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, date):
        return value.isoformat()
    return value


def with_command(report: Report, command: str) -> Report:
    """The report with the command line that asked for it (the page's footer quotes it)."""
    made = report.provenance or Provenance(__version__, date.today().isoformat())
    return replace(report, provenance=replace(made, command=command))


def build_report(options: ReportOptions | None = None, progress: Progress | None = None) -> Report:
    """The whole report for `options` (default: the built-in Colossus scenario, the real thing).
    `progress(label)` is called before each step. Its provenance says it was built through the Python API;
    the CLI adds its command line (`with_command`)."""
    options = options or ReportOptions()
    say = progress or (lambda _label: None)
    started = time.perf_counter()
    say("loading the cluster")
    ctx = build_context(options)
    outputs: dict[str, SectionOutput] = {}
    seconds: dict[str, float] = {}
    for sid, label, builder in STEPS:
        say(label)
        t = time.perf_counter()
        outputs[sid] = builder(ctx)
        seconds[sid] = time.perf_counter() - t
    say("assumptions and sources")
    t = time.perf_counter()
    collected = [row for out in outputs.values() for row in out.assumptions]
    bought = [o["system"] for o in (outputs["buy"].numbers["buy"]["option"],
                                    *outputs["buy"].numbers["buy"]["comparisons"])]
    outputs["assumptions"] = assumptions.build(ctx, collected, bought)
    seconds["assumptions"] = time.perf_counter() - t
    numbers: dict[str, Any] = {"scenario": ctx.spec.name, "options": asdict(options)}
    for sid in ORDER:
        numbers.update(outputs[sid].numbers)
    numbers["sections"] = list(ORDER)
    numbers["build_s"] = time.perf_counter() - started
    numbers["section_build_s"] = seconds
    f = ctx.final
    return Report(
        title=f"{ctx.spec.name}: what it is, what it can train, what it costs",
        subtitle=(f"A colossim report on {f.gpus:,} GPUs as of {f.at} (scenario '{ctx.spec.name}'). Every number "
                  "comes from colossim's models and sourced data; the last section lists each input and where "
                  "it comes from."),
        sections=tuple(outputs[sid].section for sid in ORDER),
        numbers=clean(numbers),
        provenance=Provenance(__version__, date.today().isoformat()),
    )


__all__ = ["ORDER", "STEPS", "ReportOptions", "build_report", "clean", "with_command"]
