"""What moves a headline most: a tornado chart per headline figure (days to train, CO2, cost) of one training
run, each input's bar spanning the figure at that input's low and at its high, the others at mid
(colossim.uncertainty), with the Monte Carlo's p10-p90 range of all inputs together drawn behind."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from colossim.report.document import Figure, Panel
from colossim.report.figures.base import new_panel, styled, to_panel
from colossim.report.palette import INK, MUTED, Quantity, quantity_colour


@dataclass(frozen=True)
class TornadoInput:
    label: str  # "PUE", "step-model error"
    input_low: str  # "1.1", as read
    input_high: str
    at_low: float  # the figure with this input at its low
    at_high: float


@dataclass(frozen=True)
class TornadoPanel:
    name: str  # panel name, unique in the report
    figure: str  # "days to train, with failures"
    unit: str  # "days"
    quantity: Quantity  # its colour
    mid: float
    low: float  # the Monte Carlo range (p10 / p90)
    high: float
    inputs: tuple[TornadoInput, ...]  # largest swing first
    fmt: str = "{:,.0f}"


@styled
def _panel(t: TornadoPanel) -> Panel:
    bars = [b for b in t.inputs if b.at_low != b.at_high][:6]
    fig, ax = new_panel(size=(4.8, 0.55 * max(len(bars), 1) + 1.4))
    y = np.arange(len(bars))[::-1]
    ax.axvspan(t.low, t.high, color=MUTED, alpha=0.12, lw=0, label="p10-p90, all inputs together")
    colour = quantity_colour(t.quantity)
    for yi, b in zip(y, bars, strict=True):
        lo, hi = sorted((b.at_low, b.at_high))
        ax.barh(yi, hi - lo, left=lo, height=0.6, color=colour, alpha=0.85)
        ax.annotate(f"{b.input_low}", (b.at_low, yi), xytext=(-3 if b.at_low <= b.at_high else 3, 0),
                    textcoords="offset points", ha="right" if b.at_low <= b.at_high else "left", va="center",
                    fontsize=7, color=MUTED)
        ax.annotate(f"{b.input_high}", (b.at_high, yi), xytext=(3 if b.at_high >= b.at_low else -3, 0),
                    textcoords="offset points", ha="left" if b.at_high >= b.at_low else "right", va="center",
                    fontsize=7, color=MUTED)
    ax.axvline(t.mid, color=INK, lw=1.2)
    ax.set_yticks(y, [b.label for b in bars])
    ax.set_xlabel(t.unit)
    ax.set_title(t.figure)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color=MUTED, alpha=0.25, lw=0.6)
    ends = [t.low, t.high, t.mid, *(v for b in bars for v in (b.at_low, b.at_high))]
    lo, hi = min(ends), max(ends)
    pad = 0.22 * (hi - lo or abs(t.mid) or 1.0)  # room for the input values written at the bar ends
    ax.set_xlim(lo - pad, hi + pad)
    words = "; ".join(f"{b.label} {t.fmt.format(b.at_low)} to {t.fmt.format(b.at_high)}" for b in bars)
    alt = (f"Tornado chart of {t.figure}: point {t.fmt.format(t.mid)} {t.unit}, p10-p90 range "
           f"{t.fmt.format(t.low)} to {t.fmt.format(t.high)}; each input at its low and high: {words}.")
    return to_panel(fig, alt, t.name)


def tornado_figure(panels: Sequence[TornadoPanel], job: str) -> Figure:
    """One panel per headline; `job`: which run (phase, GPUs, partition)."""
    first = panels[0]
    top = next((b for b in first.inputs if b.at_low != b.at_high), None)
    takeaway = (f"{first.figure.capitalize()}: {first.fmt.format(first.mid)} {first.unit}, likely "
                f"{first.fmt.format(first.low)}-{first.fmt.format(first.high)}"
                + (f"; {top.label} moves it most ({first.fmt.format(top.at_low)} to {first.fmt.format(top.at_high)})"
                   if top else "") + ".")
    return Figure("uncertainty", "What moves the headline most",
                  f"The {job}: each bar spans the figure with one input at its low and at its high, the others at "
                  "their mid; the dark line is the point figure, the grey band the p10-p90 range of a seeded Monte "
                  "Carlo over all the inputs at once (the estimates' ranges and the step model's error on runs it "
                  "was not fitted on).", takeaway, tuple(_panel(p) for p in panels))


__all__ = ["TornadoInput", "TornadoPanel", "tornado_figure"]
