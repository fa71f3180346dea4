"""Drawing helpers every figure shares: one chart per panel, matplotlib's object API and SVG backend (no
display, no global pyplot state, nothing written), text kept as text, legends outside the data, calendar axes
from matplotlib.dates, and the palette of colossim.report.palette."""

from __future__ import annotations

import functools
import io
import re
import textwrap
from collections.abc import Callable, Sequence
from datetime import date
from html import escape
from typing import ParamSpec, TypeVar

import matplotlib
import matplotlib.dates as mdates
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure as MplFigure

from colossim.report.document import Panel
from colossim.report.palette import INK, MUTED

P = ParamSpec("P")
R = TypeVar("R")

PANEL_IN = (4.8, 3.3)  # a panel in the grid, inches (the SVG scales to its box: ~1:1 on a phone)
WIDE_IN = (6.6, 3.7)  # a figure's only panel, shown wider than a grid cell (at most 46rem)

STYLE = {
    "svg.fonttype": "none",  # text stays text: selectable, searchable, drawn in the page's font
    "font.family": "sans-serif",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 10,
    "axes.labelcolor": INK,
    "axes.edgecolor": MUTED,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "text.color": INK,
}

_ID = re.compile(r'\sid="([^"]+)"')


def styled(draw: Callable[P, R]) -> Callable[P, R]:
    """Run a figure function under the report's matplotlib style (rcParams are read as artists are made)."""

    @functools.wraps(draw)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with matplotlib.rc_context(STYLE):
            return draw(*args, **kwargs)

    return run


def new_panel(wide: bool = False, size: tuple[float, float] | None = None) -> tuple[MplFigure, Axes]:
    """One chart: a figure with a single axes, grid lines behind the data (call inside a @styled function)."""
    fig = MplFigure(figsize=size or (WIDE_IN if wide else PANEL_IN))
    ax = fig.subplots()
    ax.grid(axis="y", color=MUTED, alpha=0.25, lw=0.6)
    ax.set_axisbelow(True)
    return fig, ax


def _clean_svg(svg: str) -> str:
    """A standalone <svg> element for inlining: no XML prolog or metadata, ids nobody refers to dropped (the
    referenced ones are hashed with the panel's own salt, so they are unique on the page), scaled to its box."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    referenced = set(re.findall(r"#([\w.-]+)\)?", svg))
    svg = _ID.sub(lambda m: m.group(0) if m.group(1) in referenced else "", svg)
    svg = re.sub(r'<svg ([^>]*?)width="[^"]*" height="[^"]*"', r'<svg \1', svg, count=1)
    return svg.strip()


def to_panel(fig: MplFigure, alt: str, salt: str, wide: bool = False) -> Panel:
    """Render a chart as an SVG panel with its alt text (also the SVG's <title>, read by screen readers).
    `salt`: the panel's name, unique in the report (its file name, and what keeps its SVG ids unique)."""
    FigureCanvasSVG(fig)
    buf = io.StringIO()
    with matplotlib.rc_context(STYLE | {"svg.hashsalt": salt}):
        fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.08, metadata={"Date": None})
    svg = _clean_svg(buf.getvalue())
    head_end = svg.index(">") + 1
    svg = (svg[:head_end - 1] + f' role="img" aria-label="{escape(alt)}">' + f"<title>{escape(alt)}</title>"
           + svg[head_end:])
    return Panel(salt, svg, alt, wide)


def legend_above(ax: Axes, ncol: int | None = None, handles=None, labels=None) -> None:
    """The legend above the plotting area, left-aligned under the panel title: never over the data."""
    h, lab = ax.get_legend_handles_labels()
    handles, labels = handles or h, labels or lab
    if not handles:
        return
    n = ncol or min(len(handles), 3)
    ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.01), ncol=n, borderaxespad=0.0,
              handlelength=1.2, columnspacing=1.0, fontsize=9)


def title_with_legend(ax: Axes, title: str, legend_rows: int) -> None:
    """The panel title above a legend of `legend_rows` rows (legend_above puts it just over the axes)."""
    ax.set_title(title, pad=6 + 14 * legend_rows)


def categories(ax: Axes, labels: Sequence[str]) -> np.ndarray:
    x = np.arange(len(labels))
    ax.set_xticks(x, labels)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    return x


def label_bars(ax: Axes, bars, texts: Sequence[str], inside: bool = False) -> None:
    if inside:
        ax.bar_label(bars, labels=list(texts), label_type="center", color="white", fontsize=8, fontweight="bold")
    else:
        ax.bar_label(bars, labels=list(texts), padding=2, fontsize=8, color=INK)
    ax.margins(y=0.15)


def bars(ax: Axes, labels: Sequence[str], values: Sequence[float], colours: str | Sequence[str],
         fmt: str = "{:,.0f}", low: Sequence[float] | None = None, high: Sequence[float] | None = None) -> None:
    """One bar per category, its value written on it (inside the bar when a range is drawn)."""
    x = categories(ax, labels)
    v = np.asarray(values, dtype=float)
    yerr = None if low is None or high is None else np.vstack([v - np.asarray(low), np.asarray(high) - v])
    drawn = ax.bar(x, v, 0.62, color=colours, yerr=yerr, capsize=4 if yerr is not None else 0,
                   error_kw={"ecolor": INK, "lw": 1})
    label_bars(ax, drawn, [fmt.format(a) for a in v], inside=yerr is not None)


def grouped(ax: Axes, labels: Sequence[str], series: dict[str, Sequence[float]], colours: Sequence[str],
            fmt: str = "{:,.0f}") -> None:
    """Bars side by side per category, one colour per series, the legend above the axes."""
    x = categories(ax, labels)
    width = 0.8 / max(len(series), 1)
    for i, (name, values) in enumerate(series.items()):
        drawn = ax.bar(x + (i - (len(series) - 1) / 2) * width, values, width, label=name, color=colours[i])
        ax.bar_label(drawn, labels=[fmt.format(v) for v in values], fontsize=7, padding=1, color=INK)
    ax.margins(y=0.15)
    legend_above(ax, ncol=len(series))


def stacked(ax: Axes, labels: Sequence[str], parts: dict[str, Sequence[float]], colours: dict[str, str],
            fmt: str) -> np.ndarray:
    """Stacked bars (parts in order, bottom first), each total written above its bar; returns the totals."""
    x = categories(ax, labels)
    bottom = np.zeros(len(labels))
    for name, values in parts.items():
        v = np.asarray(values, dtype=float)
        if not v.any():
            continue
        ax.bar(x, v, 0.62, bottom=bottom, label=name, color=colours[name])
        bottom += v
    for xi, total in zip(x, bottom, strict=True):
        ax.annotate(fmt.format(total), (xi, total), ha="center", va="bottom", fontsize=8, color=INK,
                    xytext=(0, 2), textcoords="offset points")
    ax.margins(y=0.12)
    return bottom


def calendar_axis(ax: Axes) -> None:
    """Dates on the x axis, as matplotlib.dates lays them out for the span (days, months or years)."""
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def day_dates(start: date, days: np.ndarray) -> np.ndarray:
    """Days since `start` as numpy datetimes (matplotlib.dates plots them on a calendar axis)."""
    seconds = np.round(np.asarray(days, dtype=float) * 86_400.0).astype("int64")
    return np.datetime64(start.isoformat(), "s") + seconds.astype("timedelta64[s]")


def month_year(iso: str) -> str:
    """'2024-09-02' -> 'Sep 2024'."""
    return date.fromisoformat(iso[:10]).strftime("%b %Y")


T = TypeVar("T")


def as_drawn(values, digits: int = 4) -> tuple[str, ...]:
    """Numbers as a figure shows them (`digits` significant digits): the key of series that would draw
    the same line (two phases whose runs differ in the tenth digit)."""
    return tuple(f"{float(v):.{digits}g}" for v in np.atleast_1d(np.asarray(values, dtype=float)))


def draw_once(items: Sequence[T], key: Callable[[T], object], merge: Callable[[list[T]], T]) -> list[T]:
    """Series with the same data (by `key`, e.g. `as_drawn` of their values) drawn once, `merge` naming
    them together (two phases whose best job is the same): identical lines would otherwise hide one another.
    Order of first appearance."""
    groups: dict[object, list[T]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return [group[0] if len(group) == 1 else merge(group) for group in groups.values()]


def wrap(text: str, width: int = 16) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text
