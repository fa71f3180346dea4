"""Training on each phase: days to train, where a step's time goes, what fills a GPU's memory, and the tokens a
day when every partition trains at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from colossim.report.document import Figure, Panel
from colossim.report.figures.base import grouped, legend_above, new_panel, stacked, styled, title_with_legend, to_panel
from colossim.report.format import in_words
from colossim.report.palette import INK, Quantity, mix_colour, quantity_colour

STEP_PARTS: dict[Quantity, str] = {
    "compute": "compute", "tensor_parallel": "tensor parallel", "context_parallel": "context parallel",
    "expert_parallel": "expert parallel", "pipeline_sends": "pipeline sends", "data_parallel": "data-parallel sync",
    "pipeline_bubble": "pipeline bubble", "optimizer": "optimizer",
}
MEMORY_PARTS: dict[Quantity, str] = {
    "weights": "weights", "gradients": "gradients", "optimizer_state": "optimizer state",
    "activations": "activations", "memory_other": "other",
}


@dataclass(frozen=True)
class PartitionRate:
    """One partition's own run when every partition trains at once."""

    name: str  # human name (colossim.report.names.gpus_name)
    gpu_types: tuple[str, ...]  # catalog ids: the colour
    tokens_per_day_bn: float


@dataclass(frozen=True)
class TrainingBar:
    """One phase's best plan (numbers from colossim.plan)."""

    phase: str
    label: str  # the x-axis label: phase, GPUs, partition
    ideal_days: float
    with_failures_days: float | None
    step_parts_s: dict[Quantity, float]  # exposed step time by part, seconds (they add up to the step time)
    memory_parts_gb: dict[Quantity, float]  # per GPU, GB
    usable_gb: float
    partitions: tuple[PartitionRate, ...]  # every partition at once


def _parts_alt(bars: Sequence[TrainingBar], what: str, names: dict[Quantity, str], attr: str, fmt: str) -> str:
    def one(b: TrainingBar) -> str:
        parts = getattr(b, attr)
        return f"{b.phase} " + ", ".join(f"{names[k]} {fmt.format(v)}" for k, v in parts.items() if v > 0)

    return f"Stacked bars of {what} on each phase: " + "; ".join(one(b) for b in bars) + "."


@styled
def training_figure(bars: Sequence[TrainingBar], model: str, tokens: float) -> Figure:
    labels = [b.label for b in bars]
    panels: list[Panel] = []

    fig, ax = new_panel()
    series = {"ideal (no failures)": [b.ideal_days for b in bars]}
    with_failures = all(b.with_failures_days is not None for b in bars)
    if with_failures:
        series["with failures and restarts"] = [float(b.with_failures_days or 0.0) for b in bars]
    grouped(ax, labels, series, [quantity_colour("ideal"), quantity_colour("with_failures")], fmt="{:,.0f}")
    title_with_legend(ax, "Time to train", 1)
    ax.set_ylabel("days")
    ax.tick_params(axis="x", labelsize=8)
    panels.append(to_panel(fig, "Days to train on each phase, ideal and with failures: " + "; ".join(
        f"{b.phase} {b.ideal_days:,.0f}" + (f" and {b.with_failures_days:,.0f}" if with_failures else "")
        for b in bars) + ".", "training-days"))

    for name, title, ylabel, attr, names, fmt, unit in (
        ("training-step", "One training step, by part", "seconds per step", "step_parts_s", STEP_PARTS,
         "{:.2f} s", "seconds"),
        ("training-memory", "Memory per GPU (dashed: usable HBM)", "GB per GPU", "memory_parts_gb", MEMORY_PARTS,
         "{:.0f} GB", "GB"),
    ):
        fig, ax = new_panel()
        keys = [k for k in names if any(getattr(b, attr).get(k, 0.0) > 0 for b in bars)]
        stacked(ax, labels, {names[k]: [getattr(b, attr).get(k, 0.0) for b in bars] for k in keys},
                {names[k]: quantity_colour(k) for k in keys}, fmt)
        if attr == "memory_parts_gb":
            for i, b in enumerate(bars):
                ax.plot([i - 0.36, i + 0.36], [b.usable_gb] * 2, color=INK, ls="--", lw=1)
        legend_above(ax, ncol=2)
        title_with_legend(ax, title, -(-len(keys) // 2))
        ax.set_ylabel(ylabel)
        ax.tick_params(axis="x", labelsize=8)
        alt = _parts_alt(bars, f"{title.split(' (')[0].lower()} in {unit}", names, attr, "{:,.3g}")
        if attr == "memory_parts_gb":
            alt += " Usable HBM per GPU: " + "; ".join(f"{b.phase} {b.usable_gb:,.0f} GB" for b in bars) + "."
        panels.append(to_panel(fig, alt, name))

    fig, ax = new_panel()
    names = list(dict.fromkeys(p.name for b in bars for p in b.partitions))
    types = {p.name: p.gpu_types for b in bars for p in b.partitions}
    stacked(ax, labels, {n: [sum(p.tokens_per_day_bn for p in b.partitions if p.name == n) for b in bars]
                         for n in names}, {n: mix_colour(types[n]) for n in names}, "{:,.0f}")
    legend_above(ax, ncol=1)
    title_with_legend(ax, "Every partition at once", len(names))
    ax.set_ylabel("billion tokens a day")
    ax.tick_params(axis="x", labelsize=8)
    panels.append(to_panel(fig, "Stacked bars of the billion tokens a day each partition trains, with failures, "
                           "when every partition trains at once: " + "; ".join(
                               f"{b.phase} " + ", ".join(f"{p.name} {p.tokens_per_day_bn:,.0f}" for p in b.partitions)
                               for b in bars) + ".", "training-partitions"))
    return Figure("training", f"Training {model} on {in_words(tokens, 'tokens')}",
                  "The best single job on each phase: days to train (ideal and with failures), where a step's time "
                  "goes, what fills each GPU's memory; and the tokens a day when every partition trains at once.",
                  _takeaway(bars, model), tuple(panels))


def _takeaway(bars: Sequence[TrainingBar], model: str) -> str:
    first, last = bars[0], bars[-1]
    days = lambda b: b.with_failures_days if b.with_failures_days is not None else b.ideal_days  # noqa: E731
    daily = lambda b: sum(p.tokens_per_day_bn for p in b.partitions)  # noqa: E731
    if first is last:
        return (f"The best single job trains {model} in {days(last):,.0f} days; every partition at once trains "
                f"{daily(last):,.0f} billion tokens a day.")
    return (f"The best single job trains {model} in {days(first):,.0f} days on {first.phase} and {days(last):,.0f} "
            f"on {last.phase}; with every partition busy, {last.phase} trains {daily(last):,.0f} billion tokens a day "
            f"against {daily(first):,.0f} on {first.phase}.")


__all__ = ["MEMORY_PARTS", "STEP_PARTS", "PartitionRate", "TrainingBar", "training_figure"]
