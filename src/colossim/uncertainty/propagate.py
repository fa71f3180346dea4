"""Propagate uncertain inputs through a figure: a seeded Monte Carlo for the range, one-at-a-time swings
for the tornado chart.

  rows     = [every input at its mid] + [runs seeded draws of every input] + [each input at its low, then
             at its high, the others at their mids]
  figure   = evaluate(rows): one call over all rows (structure of arrays: one array per input)
  range    = the figure at the mids (today's point figure) and the interval quantiles of the draws
             (p10 / p90 by default: an 80 % range)
  tornado  = per figure, the inputs sorted by |figure(input high) - figure(input low)|
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from colossim.uncertainty.ranges import Range

# The inputs a headline figure can depend on; one name each, whatever command asks.
InputName = Literal[
    "step_time",  # measured / predicted step time of the step model on runs it was not fitted on
    "failure_rate",  # failures per node-hour, as a multiple of the preset's
    "pue",
    "turbine_co2",  # g CO2 per kWh of the on-site gas turbines
    "gas_share",  # share of the energy from the turbines
    "water",  # L per kWh of IT energy (WUE)
    "power_price",  # USD per kWh
    "capex",  # USD per GPU all-in
    "lifetime",  # years of amortisation
    "fleet_utilisation",  # share of the hours the hardware is allocated to jobs
    "train_utilisation",  # GPU power while training, 0 idle .. 1 TDP
    "gpu_idle_fraction",  # GPU power at idle, share of TDP
]

Evaluate = Callable[[Mapping[str, np.ndarray]], Mapping[str, np.ndarray]]


@dataclass(frozen=True)
class UncertainInput:
    name: InputName
    label: str  # what a reader sees: "PUE", "step-model error"
    unit: str
    range: Range


@dataclass(frozen=True)
class Spread:
    """A headline figure: its point value (every input at mid) and its range."""

    mid: float
    low: float
    high: float

    def fields(self, name: str) -> dict[str, float]:
        """`name`, `name_low`, `name_high` (units stay in `name`: energy_mwh_low)."""
        return {name: self.mid, f"{name}_low": self.low, f"{name}_high": self.high}

    @property
    def relative_width(self) -> float:
        return (self.high - self.low) / abs(self.mid) if self.mid else 0.0


@dataclass(frozen=True)
class TornadoBar:
    """How far one input moves one figure: the figure with that input at its low and at its high."""

    input: InputName
    label: str
    input_low: float
    input_high: float
    at_low: float
    at_high: float

    @property
    def swing(self) -> float:
        return abs(self.at_high - self.at_low)


@dataclass(frozen=True)
class Propagation:
    spreads: Mapping[str, Spread]
    tornado: Mapping[str, tuple[TornadoBar, ...]]  # per figure, the largest swing first
    inputs: tuple[UncertainInput, ...]
    runs: int
    seed: int
    interval: tuple[float, float]

    def fields(self) -> dict[str, float]:
        """`figure`, `figure_low`, `figure_high` for every figure (what --json prints beside a headline)."""
        out: dict[str, float] = {}
        for name, spread in self.spreads.items():
            out.update(spread.fields(name))
        return out

    def range_fields(self) -> dict[str, float]:
        """Only `figure_low` and `figure_high` (to put beside a summary that already has the point)."""
        return {k: v for k, v in self.fields().items() if k.endswith(("_low", "_high"))}

    def describe(self) -> dict:
        """How the ranges were made, for JSON and the report."""
        lo, hi = self.interval
        return {"runs": self.runs, "seed": self.seed, "interval": [lo, hi],
                "inputs": [{"name": i.name, "label": i.label, "unit": i.unit, "low": i.range.low, "mid": i.range.mid,
                            "high": i.range.high, "source": i.range.source} for i in self.inputs],
                "tornado": {fig: [{"input": b.input, "at_low": b.at_low, "at_high": b.at_high} for b in bars]
                            for fig, bars in self.tornado.items()}}


def propagate(inputs: Sequence[UncertainInput], evaluate: Evaluate, runs: int = 256, seed: int = 1,
              interval: tuple[float, float] = (0.1, 0.9)) -> Propagation:
    """Point, range and tornado of every figure `evaluate` returns (module docstring)."""
    if runs < 2:
        raise ValueError("the Monte Carlo needs runs >= 2")
    lo_q, hi_q = interval
    if not 0 <= lo_q < 0.5 < hi_q <= 1:
        raise ValueError("the interval is a pair of quantiles around the median, e.g. (0.1, 0.9)")
    names = [i.name for i in inputs]
    if len(set(names)) != len(names):
        raise ValueError(f"an input is given twice: {names}")
    rng = np.random.default_rng(seed)
    swung = [i for i in inputs if not i.range.is_fixed]
    n_rows = 1 + runs + 2 * len(swung)
    values: dict[str, np.ndarray] = {}
    for item in inputs:
        col = np.full(n_rows, item.range.mid)
        col[1:1 + runs] = item.range.sample(rng, runs)
        values[item.name] = col
    for k, item in enumerate(swung):
        row = 1 + runs + 2 * k
        values[item.name][row] = item.range.low
        values[item.name][row + 1] = item.range.high
    figures = {name: np.asarray(v, dtype=float) for name, v in evaluate(values).items()}
    spreads, tornado = {}, {}
    for name, col in figures.items():
        if col.shape != (n_rows,):
            raise ValueError(f"figure '{name}' has {col.shape} values for {n_rows} rows")
        draws = col[1:1 + runs]
        spreads[name] = Spread(float(col[0]), float(np.quantile(draws, lo_q)), float(np.quantile(draws, hi_q)))
        bars = [TornadoBar(item.name, item.label, item.range.low, item.range.high,
                           float(col[1 + runs + 2 * k]), float(col[2 + runs + 2 * k])) for k, item in enumerate(swung)]
        tornado[name] = tuple(sorted(bars, key=lambda b: b.swing, reverse=True))
    return Propagation(spreads, tornado, tuple(inputs), runs, seed, (lo_q, hi_q))


__all__ = ["Evaluate", "InputName", "Propagation", "Spread", "TornadoBar", "UncertainInput", "propagate"]
