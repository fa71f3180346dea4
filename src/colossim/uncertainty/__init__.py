"""Ranges on headline figures: uncertain inputs (low / mid / high), a seeded Monte Carlo over them plus the
step model's measured error on unseen runs, and the tornado of the inputs that move each figure most."""

from colossim.uncertainty.propagate import (
    Evaluate,
    InputName,
    Propagation,
    Spread,
    TornadoBar,
    UncertainInput,
    propagate,
)
from colossim.uncertainty.ranges import Range

__all__ = ["Evaluate", "InputName", "Propagation", "Range", "Spread", "TornadoBar", "UncertainInput", "propagate"]
