"""Failures and goodput: interruptions a day against job size, and goodput against the checkpoint interval."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from colossim.report.document import Figure
from colossim.report.figures.base import as_drawn, draw_once, legend_above, new_panel, styled, to_panel
from colossim.report.format import duration_words, in_words
from colossim.report.palette import MUTED, sequence_colours, series_colours

TIME_TICKS = ((1, "1 s"), (10, "10 s"), (60, "1 min"), (600, "10 min"), (3600, "1 h"), (36_000, "10 h"))


@dataclass(frozen=True)
class GoodputCurve:
    label: str
    interval_s: np.ndarray
    goodput: np.ndarray
    best_interval_s: float
    best_goodput: float
    used_interval_s: float  # the interval the plans use (a lab's practice, or the optimum)
    used_goodput: float


@styled
def _same_curve(c: GoodputCurve) -> tuple:
    return (c.label.partition(":")[2], as_drawn(c.interval_s), as_drawn(c.goodput),
            as_drawn([c.best_interval_s, c.best_goodput, c.used_interval_s, c.used_goodput]))


def _together(same: list[GoodputCurve]) -> GoodputCurve:
    """'phase-2: 131,072 GPUs' and 'phase-3: 131,072 GPUs' as 'phase-2 and phase-3: 131,072 GPUs'."""
    names = " and ".join(c.label.partition(":")[0] for c in same)
    return replace(same[0], label=names + ":" + same[0].label.partition(":")[2])


def goodput_figure(curves: Sequence[GoodputCurve], model: str, mode: str) -> Figure:
    first_phase, last_phase = curves[0].label.split(":")[0], curves[-1].label.split(":")[0]
    curves = draw_once(curves, _same_curve, _together)
    fig, ax = new_panel(wide=True)
    colours = sequence_colours(len(curves))
    for c, colour in zip(curves, colours, strict=True):
        ax.plot(c.interval_s, 100 * c.goodput, color=colour, lw=1.8,
                label=f"{c.label}: best every {duration_words(c.best_interval_s)}, {100 * c.best_goodput:.1f} %")
        ax.plot([c.best_interval_s], [100 * c.best_goodput], "o", color=colour, ms=5)
        ax.plot([c.used_interval_s], [100 * c.used_goodput], "s", color=colour, ms=5, mfc="white", mew=1.5)
    ax.set_xscale("log")
    ax.set_xticks([t for t, _ in TIME_TICKS], [name for _, name in TIME_TICKS])
    ax.set(xlabel="checkpoint interval: compute time between two checkpoints (log scale)",
           ylabel="goodput (% of wall time useful)", ylim=(0, 100))
    legend_above(ax, ncol=1)  # the figure's heading is the title
    best = "; ".join(f"{c.label} best at {duration_words(c.best_interval_s)} with {c.best_goodput:.1%}, "
                     f"{c.used_goodput:.1%} at the {duration_words(c.used_interval_s)} used" for c in curves)
    alt = ("Lines of expected goodput against the checkpoint interval from 1 second to 10 hours, one per phase, "
           f"rising to a best interval and falling after it: {best}.")
    first, last = curves[0], curves[-1]
    used = duration_words(first.used_interval_s)
    if len(curves) > 1:
        takeaway = (f"Checkpointing every {used}, the job keeps {first.used_goodput:.0%} of its wall time useful on "
                    f"{first_phase} and {last.used_goodput:.0%} on {last_phase} "
                    f"({first.best_goodput:.0%} and {last.best_goodput:.0%} at the best interval): the bigger the "
                    "job, the more often it fails and the more it loses.")
    else:
        takeaway = (f"Checkpointing every {used} keeps {first.used_goodput:.0%} of the wall time useful; every "
                    f"{duration_words(first.best_interval_s)} would keep {first.best_goodput:.0%}.")
    return Figure("goodput", "Goodput against the checkpoint interval",
                  f"Expected goodput (Daly's model) of one {model} job on each phase, with {mode} checkpoints; dots "
                  "mark the best interval, open squares the interval used. Too short wastes time saving, too long "
                  "redoes lost work.",
                  takeaway, (to_panel(fig, alt, "goodput", wide=True),))


@dataclass(frozen=True)
class RateLine:
    label: str
    failures_per_gpu_day: float


@styled
def interruptions_figure(lines: Sequence[RateLine], phase_gpus: Sequence[tuple[str, int]], chosen: str) -> Figure:
    fig, ax = new_panel(wide=True, size=(6.6, 4.2))
    gpus = np.logspace(3, np.log10(max(g for _, g in phase_gpus) * 2.5), 60)
    for line, colour in zip(lines, series_colours(len(lines)), strict=True):
        used = line.label == chosen
        ax.plot(gpus, gpus * line.failures_per_gpu_day, lw=2.8 if used else 1.3, color=colour,
                label=line.label + (" (used)" if used else ""), zorder=3 if used else 2)
    jobs: dict[int, list[str]] = {}  # phases whose jobs have the same size share one marker
    for name, g in phase_gpus:
        jobs.setdefault(g, []).append(name)
    for k, (g, names) in enumerate(sorted(jobs.items())):
        ax.axvline(g, color=MUTED, ls=":", lw=1)
        ax.annotate(f"{', '.join(names)}\n{g:,} GPUs", (g, 0.03 + 0.16 * (k % 2)), xycoords=("data", "axes fraction"),
                    xytext=(3, 0), textcoords="offset points", va="bottom", fontsize=8, color=MUTED)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(xlabel="GPUs in one job (log scale)", ylabel="interruptions per day (log)")
    ax.grid(which="major", axis="both", color=MUTED, alpha=0.2, lw=0.6)
    legend_above(ax, ncol=2)  # the figure's heading is the title
    rate = next((r.failures_per_gpu_day for r in lines if r.label == chosen), lines[0].failures_per_gpu_day)
    biggest = max(jobs)
    biggest_name = " and ".join(jobs[biggest])
    per_day = rate * biggest
    alt = ("Straight lines on log-log axes of interruptions per day against the GPUs in one job, one per published "
           "failure rate: " + "; ".join(f"{r.label} {r.failures_per_gpu_day * 1e3:.3g} per 1,000 GPU-days"
                                         for r in lines)
           + ". Dotted verticals mark each phase's job: " + "; ".join(f"{n} {g:,} GPUs" for n, g in phase_gpus) + ".")
    takeaway = (f"At the rate used ({chosen}), the {in_words(biggest)}-GPU job of {biggest_name} is interrupted "
                f"{per_day:,.0f} times a day, once every {1440 / per_day:,.0f} minutes." if per_day > 0 else
                f"At the rate used ({chosen}) jobs are never interrupted.")
    return Figure("interruptions", "Interruptions per day against job size",
                  "Failures a job sees per day when any of its nodes failing stops it, for the published failure rates "
                  "in colossim's presets; dotted lines mark each phase's job.", takeaway,
                  (to_panel(fig, alt, "interruptions", wide=True),))


__all__ = ["TIME_TICKS", "GoodputCurve", "RateLine", "goodput_figure", "interruptions_figure"]
