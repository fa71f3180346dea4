"""Low / mid / high of an uncertain input, and how a Monte Carlo draws it.

A range is either a triangular distribution over [low, high] with its mode at mid (an estimate with a
published or stated spread), or an empirical distribution given by its quantiles (the step model's
error on runs it was not fitted on). `mid` is always the value the point figures use, so a figure
computed at every input's mid is today's point figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class Range:
    low: float
    mid: float
    high: float
    source: str
    quantiles: tuple[tuple[float, float], ...] = ()  # (probability, value) pairs from 0 to 1, empirical

    def __post_init__(self) -> None:
        values = (self.low, self.mid, self.high)
        if not all(math.isfinite(v) for v in values):
            raise ValueError(f"a range needs finite low, mid and high, not {values}")
        if not self.low <= self.mid <= self.high:
            raise ValueError(f"a range needs low <= mid <= high, not {self.low:g} / {self.mid:g} / {self.high:g}")
        if self.quantiles:
            p = [q for q, _ in self.quantiles]
            v = [x for _, x in self.quantiles]
            if p[0] != 0.0 or p[-1] != 1.0 or any(b <= a for a, b in zip(p, p[1:], strict=False)):
                raise ValueError("quantile probabilities must rise strictly from 0 to 1")
            if any(b < a for a, b in zip(v, v[1:], strict=False)) or not all(math.isfinite(x) for x in v):
                raise ValueError("quantile values must be finite and non-decreasing")

    @classmethod
    def fixed(cls, value: float, source: str) -> Range:
        return cls(value, value, value, source)

    @classmethod
    def around(cls, mid: float, low: float | None, high: float | None, source: str) -> Range:
        """A triangular range from optional low/high (missing ends: the mid), widened to hold the mid (a
        cluster's own PUE, say, outside the site's published range)."""
        lo = mid if low is None else min(low, mid)
        hi = mid if high is None else max(high, mid)
        return cls(lo, mid, hi, source)

    @property
    def is_fixed(self) -> bool:
        return self.low == self.high and not self.quantiles

    def widened(self, factor: float) -> Range:
        """The same distribution stretched about its mid by `factor` (1: unchanged, 2: twice as wide)."""
        if not factor >= 0 or not math.isfinite(factor):
            raise ValueError("the widening factor must be a finite number >= 0")

        def stretch(x: float) -> float:  # x + (f - 1)(x - mid): exact at f = 1, never inside x for f > 1
            return x + (factor - 1.0) * (x - self.mid)

        return replace(self, low=stretch(self.low), high=stretch(self.high),
                       quantiles=tuple((p, stretch(v)) for p, v in self.quantiles))

    def scaled(self, factor: float) -> Range:
        """Every value times `factor` (a range of a ratio applied to a figure, say)."""
        if not factor > 0:
            raise ValueError("the scale factor must be > 0")
        return replace(self, low=self.low * factor, mid=self.mid * factor, high=self.high * factor,
                       quantiles=tuple((p, v * factor) for p, v in self.quantiles))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n draws: inverse CDF through the quantiles, else triangular(low, mid, high), else the mid."""
        if self.quantiles:
            p = np.array([q for q, _ in self.quantiles])
            v = np.array([x for _, x in self.quantiles])
            return np.interp(rng.random(n), p, v)
        if self.is_fixed:
            return np.full(n, self.mid)
        return rng.triangular(self.low, self.mid, self.high, n)


__all__ = ["Range"]
