"""Numbers as a reader says them, for every command and the report: '60 trillion tokens', '2.3x', '2.5 minutes'.
Presentation only: nothing in the core imports this."""

from __future__ import annotations

import math


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


def count_words(value: float, unit: str = "") -> str:
    """in_words with enough digits to read: 1.5e13 -> '15 trillion', 1.25e12 -> '1.2 trillion'."""
    import humanize

    if not math.isfinite(value) or abs(value) < 1e6:
        return in_words(value, unit)
    mantissa = float(humanize.intword(abs(value), "%.3f").split()[0])
    return in_words(value, unit, 0 if mantissa >= 10 else 1)


def spread_words(mid: float, low: float | None, high: float | None, fmt: str = "{:,.0f}") -> str:
    """A figure with its range: '27.4 (24.8-49.7)'; without a range, the figure alone."""
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return fmt.format(mid)
    return f"{fmt.format(mid)} ({fmt.format(low)}-{fmt.format(high)})"


__all__ = ["count_words", "duration_words", "in_words", "spread_words", "times"]
