"""How numbers read in the report's tables (HTML and terminal alike)."""

from __future__ import annotations

import math
from datetime import date


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


def in_words(value: float, unit: str = "", digits: int = 0) -> str:
    """A large number as a reader says it: 60e12 -> '60 trillion', 1.25e9 -> '1.2 billion' (digits=1),
    230_024 -> '230,024' (below a million, digits grouped). `unit` follows after a space."""
    import humanize

    magnitude = abs(value)
    if not math.isfinite(value):
        text = "-"
    elif magnitude < 1e6:
        text = f"{value:,.{digits}f}" if digits or not float(value).is_integer() else f"{int(value):,}"
    else:
        text = humanize.intword(value, f"%.{digits}f")
    return f"{text} {unit}".strip()


def times(ratio: float) -> str:
    """A ratio as a reader says it: 2.31 -> '2.3x', 0.5 -> '0.5x'."""
    return f"{ratio:,.1f}x" if math.isfinite(ratio) else "-"


def duration_words(seconds: float) -> str:
    """A duration as a reader says it: '45.0 seconds', '2.5 minutes', '1.2 hours'."""
    if seconds < 90:
        return f"{seconds:,.1f} seconds"
    if seconds < 5400:
        return f"{seconds / 60:,.1f} minutes"
    return f"{seconds / 3600:,.1f} hours"
