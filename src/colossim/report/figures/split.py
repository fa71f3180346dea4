"""Training against serving on each phase: days to train as GPUs move to serving, and what they serve."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from colossim.report.document import Figure, Panel
from colossim.report.figures.base import (
    as_drawn,
    draw_once,
    legend_above,
    new_panel,
    styled,
    title_with_legend,
    to_panel,
)
from colossim.report.palette import mix_colour


@dataclass(frozen=True)
class SplitLine:
    phase: str
    gpu_types: tuple[str, ...]  # the partition's GPU types: its colour
    label: str  # "phase-2: H100 SXM5 80GB + H200 SXM 141GB"
    shares: tuple[float, ...]
    training_days: tuple[float | None, ...]
    requests_per_s: tuple[float, ...]


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


@styled
def _days_panel(lines: Sequence[SplitLine]) -> Panel:
    fig, ax = new_panel()
    for line in lines:
        pts = [(100 * s, d) for s, d in zip(line.shares, line.training_days, strict=True) if d is not None]
        ax.plot([x for x, _ in pts], [d for _, d in pts], "o-", color=mix_colour(line.gpu_types), lw=1.8, ms=4,
                label=line.phase)
    ax.set(xlabel="share of the partition's GPUs serving (%)", ylabel="days to train (Daly, with failures)")
    legend_above(ax, ncol=min(len(lines), 3))
    title_with_legend(ax, "Days to train as GPUs move to serving", 1)
    alt = "Days to train against the share of GPUs serving: " + "; ".join(
        line.phase + " " + ", ".join(f"{_pct(s)} {d:,.0f} days" for s, d in zip(line.shares, line.training_days,
                                                                                  strict=True) if d is not None)
        for line in lines) + "."
    return to_panel(fig, alt, "fleet-split-days")


@styled
def _serving_panel(lines: Sequence[SplitLine]) -> Panel:
    fig, ax = new_panel()
    for line in lines:
        ax.plot([100 * s for s in line.shares], [r / 1e3 for r in line.requests_per_s], "o-",
                color=mix_colour(line.gpu_types), lw=1.8, ms=4, label=line.phase)
    ax.set(xlabel="share of the partition's GPUs serving (%)", ylabel="thousand requests/s within the target")
    legend_above(ax, ncol=min(len(lines), 3))
    title_with_legend(ax, "What the serving GPUs serve", 1)
    alt = "Requests per second served against the share of GPUs serving: " + "; ".join(
        line.phase + " " + ", ".join(f"{_pct(s)} {r:,.0f}" for s, r in zip(line.shares, line.requests_per_s,
                                                                            strict=True)) for line in lines) + "."
    return to_panel(fig, alt, "fleet-split-serving")


def _same_line(line: SplitLine) -> tuple:
    days = [float("nan") if d is None else d for d in line.training_days]
    return line.gpu_types, as_drawn(line.shares), as_drawn(days), as_drawn(line.requests_per_s)


def split_figure(lines: Sequence[SplitLine], model: str) -> Figure:
    last = lines[-1]
    lines = draw_once(lines, _same_line, lambda same: replace(same[0], phase=" and ".join(x.phase for x in same)))
    base = last.training_days[0] or 0.0
    free = [s for s, d in zip(last.shares, last.training_days, strict=True) if d is not None and d <= base * (1 + 1e-9)]
    half = dict(zip(last.shares, last.training_days, strict=True)).get(0.5)
    takeaway = (f"On {last.phase}, up to {_pct(max(free))} of the partition can serve {model} without slowing the "
                "training job" + (f"; with half of it serving, training takes {half:,.0f} days instead of "
                                  f"{base:,.0f}" if half else "") + ".")
    return Figure("fleet_split", "Training against serving",
                  f"Each phase's headline partition: the share of its GPUs moved to serving {model} (its best "
                  "serving replica, p99 TTFT 2 s and TPOT 50 ms) against the days the training job then takes "
                  "(the same layout with fewer data-parallel replicas, re-planned where that no longer fits).",
                  takeaway, (_days_panel(lines), _serving_panel(lines)))


__all__ = ["SplitLine", "split_figure"]
