"""How numbers read in the report's tables (HTML and terminal alike); numbers in words come from colossim.words
(shared with the command line)."""

from __future__ import annotations

import math
from datetime import date

from colossim.words import duration_words, in_words, times

__all__ = ["duration_words", "fmt_value", "in_words", "times"]


def fmt_value(value: object, spec: str | None = None) -> str:
    """`spec` is a Python format spec (',.1f'); without one, a readable default by magnitude."""
    if value is None:
        return "-"
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return "-"
    if isinstance(value, date):
        return value.isoformat()
    if spec and isinstance(value, int | float) and not isinstance(value, bool):
        return format(value, spec)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        magnitude = abs(value)
        if magnitude >= 1e4:
            return f"{value:,.0f}"
        if magnitude >= 100:
            return f"{value:,.1f}"
        if magnitude >= 10:
            return f"{value:.1f}"
        if magnitude == 0:
            return "0"
        return f"{value:.3g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
