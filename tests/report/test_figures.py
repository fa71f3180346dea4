"""Figure functions on made-up data: a PNG with its title and caption, whatever the numbers."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from colossim.report.figures import (
    BuyBar,
    GoodputCurve,
    GrowthPoint,
    OpsSeries,
    RateLine,
    buy_figure,
    goodput_figure,
    growth_figure,
    interruptions_figure,
    operations_figure,
)
from colossim.report.format import fmt_value

PNG = b"\x89PNG\r\n\x1a\n"


def _point(name: str, scale: float) -> GrowthPoint:
    return GrowthPoint(name, "2026-01-01", {"h100_sxm5": int(1000 * scale)}, 1.0 * scale, 2.0 * scale, 10 * scale,
                       12 * scale, 80 * scale, 30 * scale, 25 * scale, 35 * scale, 5 * scale, 1 * scale,
                       2 * scale, 6 * scale)


def test_each_figure_function_gives_a_titled_png():
    figures = [
        growth_figure([_point("a", 1), _point("b", 2)], "test"),
        buy_figure([BuyBar("x_system", 1000, 1.0, 2.0, 0.0, 3.0, 300.0)], 1e9),
        goodput_figure([GoodputCurve("a", np.array([1.0, 10.0, 100.0]), np.array([0.5, 0.9, 0.7]), 10.0, 0.9)],
                       "m", "async"),
        interruptions_figure([RateLine("r", 0.01)], [("a", 1000), ("b", 5000)], "r"),
        operations_figure(OpsSeries(np.arange(48) / 24, np.full(48, 100.0), np.full(48, 50.0), np.zeros(48),
                                    np.full(48, 0.5), None, np.full(48, 1.0), 0.4, (0.5, 1.5)), "test", 2,
                          date(2026, 1, 1)),
    ]
    for f in figures:
        assert f.png.startswith(PNG) and f.title and f.caption


@settings(max_examples=3, deadline=None)
@given(st.lists(st.floats(0, 1e6), min_size=1, max_size=4))
def test_growth_figure_takes_any_nonnegative_numbers(scales):
    fig = growth_figure([_point(f"p{i}", s) for i, s in enumerate(scales)], "fuzz")
    assert fig.png.startswith(PNG)


@given(st.one_of(st.none(), st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(), st.booleans()))
def test_fmt_value_always_gives_text(value):
    assert isinstance(fmt_value(value), str)


def test_fmt_value_reads_well():
    assert fmt_value(230024) == "230,024"
    assert fmt_value(1234567.8) == "1,234,568"
    assert fmt_value(0.4321) == "0.432"
    assert fmt_value(float("nan")) == "-" and fmt_value(None) == "-"
    assert fmt_value(0.5, ".0%") == "50%"
