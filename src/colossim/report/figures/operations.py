"""A simulated period of operations: capacity and its use, utilisation and facility power on a calendar axis,
and how long jobs waited to start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np

from colossim.ops.exports.waits import WAIT_BINS, ZERO_WAIT_S, wait_counts  # the one binning (simulate's plot too)
from colossim.report.document import Figure, Panel
from colossim.report.figures.base import (
    calendar_axis,
    categories,
    day_dates,
    legend_above,
    new_panel,
    styled,
    title_with_legend,
    to_panel,
)
from colossim.report.format import duration_words, in_words
from colossim.report.palette import INK, quantity_colour


@dataclass(frozen=True)
class OpsSeries:
    """The simulator's samples (days since `start`), and facility power by the headline's chain."""

    days: np.ndarray
    capacity_gpus: np.ndarray
    busy_gpus: np.ndarray
    down_gpus: np.ndarray
    utilisation: np.ndarray  # per sample interval, 0..1
    facility_power_mw: np.ndarray  # the occupancy at each sample through the headline's power chain
    headline_power_mw: np.ndarray  # the same chain with every GPU in service busy (a phase's headline MW once
    # all its GPUs are in)
    period_goodput: float | None = None  # over the whole period (the simulator gives no goodput series)
    flagship_days: tuple[float, float] | None = None  # the flagship run's start and end (or last) day


def bin_stat(days: np.ndarray, values: np.ndarray, width_days: float = 1.0,
             stat: Literal["mean", "max"] = "mean") -> tuple[np.ndarray, np.ndarray]:
    """Samples in bins of `width_days` (NaN ignored): (bin start, mean or max per bin), for readable lines and
    small SVG files."""
    index = np.floor(np.asarray(days) / width_days).astype(int)
    v = np.asarray(values, dtype=float)
    keep = np.isfinite(v) & (index >= 0)
    if not keep.any():
        return np.zeros(0), np.zeros(0)
    counts = np.bincount(index[keep])
    if stat == "max":
        out = np.full(len(counts), -np.inf)
        np.maximum.at(out, index[keep], v[keep])
    else:
        out = np.bincount(index[keep], weights=v[keep]) / np.maximum(counts, 1)
    ok = counts > 0
    return np.nonzero(ok)[0] * width_days, out[ok]


def daily_means(days: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean per whole day: (mid-day, mean)."""
    start, mean = bin_stat(days, values, 1.0)
    return start + 0.5, mean


CAPACITY_BINS = ((1 / 24, "hourly"), (0.25, "6-hourly"), (1.0, "daily"), (7.0, "weekly"))
MAX_BINS = 400  # steps drawn in the capacity chart (keeps its SVG small)


def capacity_bins(period_days: float) -> tuple[float, str]:
    """The finest bins of the capacity chart that keep it under MAX_BINS steps: (width in days, its name)."""
    return next(((w, name) for w, name in CAPACITY_BINS if period_days / w <= MAX_BINS), CAPACITY_BINS[-1])


def _capacity_panel(s: OpsSeries, start: date, days: float) -> Panel:
    fig, ax = new_panel()
    width, per = capacity_bins(days)
    d, capacity = bin_stat(s.days, s.capacity_gpus, width, "max")
    t = day_dates(start, d)
    ax.fill_between(t, 0, capacity / 1e3, step="post", color=quantity_colour("in_service"), label="in service")
    ax.fill_between(t, 0, bin_stat(s.days, s.busy_gpus, width)[1] / 1e3, step="post", color=quantity_colour("busy"),
                    label=f"busy with jobs ({per} mean)")
    ax.plot(t, bin_stat(s.days, s.down_gpus, width)[1] / 1e3, color=quantity_colour("down"), lw=1,
            label="down for repair", drawstyle="steps-post")
    if s.flagship_days is not None:
        a, b = day_dates(start, np.asarray(s.flagship_days))
        ax.plot([a, b], [1.0, 1.0], transform=ax.get_xaxis_transform(), color=quantity_colour("flagship"), lw=5,
                solid_capstyle="butt", clip_on=False, label="flagship training run")
    ax.set_ylabel("thousand GPUs")
    ax.set_xlim(t[0], day_dates(start, np.array([days]))[0])
    calendar_axis(ax)
    legend_above(ax, ncol=2)
    title_with_legend(ax, "GPUs in service, busy and down", 2)
    peak = float(np.max(s.capacity_gpus)) if len(s.capacity_gpus) else 0.0
    alt = (f"Areas over the calendar from {start.isoformat()} for {days:g} days: GPUs in service rise to "
           f"{peak:,.0f} as racks arrive; busy GPUs average {np.mean(s.busy_gpus):,.0f}; GPUs down for repair average "
           f"{np.mean(s.down_gpus):,.0f}" + ("; a bar along the top marks the flagship training run."
                                             if s.flagship_days else "."))
    return to_panel(fig, alt, "operations-capacity", wide=False)


def _utilisation_panel(s: OpsSeries, start: date, days: float) -> Panel:
    fig, ax = new_panel()
    d, u = daily_means(s.days, s.utilisation)
    ax.plot(day_dates(start, d), 100 * u, color=quantity_colour("utilisation"), lw=1.4)
    ax.set(ylabel="% busy (daily mean)", ylim=(0, 105))
    ax.set_xlim(day_dates(start, np.array([0.0, days])))
    calendar_axis(ax)
    ax.set_title("Utilisation: busy GPUs / GPUs in service")
    low, high, mean = (float(f(u)) if len(u) else 0.0 for f in (np.min, np.max, np.mean))
    alt = f"A line of the daily mean utilisation over the period: from {low:.0%} to {high:.0%}, mean {mean:.0%}."
    return to_panel(fig, alt, "operations-utilisation", wide=False)


def _power_panel(s: OpsSeries, start: date, days: float) -> Panel:
    fig, ax = new_panel()
    t = day_dates(start, s.days)
    d, p = daily_means(s.days, s.facility_power_mw)
    ax.plot(day_dates(start, d), p, color=quantity_colour("power_sustained"), lw=1.4,
            label="simulated (daily mean)")
    ax.plot(t, s.headline_power_mw, color=INK, ls="--", lw=1.1, drawstyle="steps-post",
            label="every GPU in service busy")
    ax.set(ylabel="facility MW")
    ax.set_ylim(0, max(float(np.nanmax(s.headline_power_mw)) if len(t) else 1.0, 1.0) * 1.08)
    ax.set_xlim(t[0], day_dates(start, np.array([days]))[0])
    calendar_axis(ax)
    legend_above(ax, ncol=1)
    title_with_legend(ax, "Facility power (the headline's chain)", 2)
    alt = (f"A line of facility power over the period, daily mean, peaking at {float(np.max(p)) if len(p) else 0:,.0f} "
           f"MW, under a dashed step of the same chain with every GPU in service busy, ending at "
           f"{float(s.headline_power_mw[-1]) if len(t) else 0:,.0f} MW.")
    return to_panel(fig, alt, "operations-power", wide=False)


@styled
def operations_figure(s: OpsSeries, scenario: str, days: float, start: date) -> Figure:
    panels = (_capacity_panel(s, start, days), _utilisation_panel(s, start, days), _power_panel(s, start, days))
    util = float(np.nanmean(s.utilisation)) if np.isfinite(s.utilisation).any() else 0.0
    _, p = daily_means(s.days, s.facility_power_mw)
    _, h = daily_means(s.days, s.headline_power_mw)  # same samples, so the same days
    peak = float(np.max(p)) if len(p) else 0.0
    headline = float(h[np.argmax(p)]) if len(p) else 0.0
    good = "" if s.period_goodput is None else f", useful work {s.period_goodput:.0%} of it over the period"
    takeaway = f"The GPUs in service were busy {util:.0%} of the time{good}"
    if headline > 0:
        takeaway += (f"; facility power peaked at {peak:,.0f} MW, {peak / headline:.0%} of the {headline:,.0f} MW the "
                     "headline's chain gives with every GPU then in service busy")
    takeaway += "."
    return Figure(
        "operations", f"{scenario}: {days:g} simulated days of operations",
        "Jobs, node failures, repairs and rack deliveries simulated over the period: capacity and its use, the busy "
        "share (the simulator gives goodput for the whole period, not over time), and facility power: the busy "
        "GPUs at the training draw and the idle ones at zero load, each with its share of the IT overhead, times "
        "PUE (colossim.energy.fleet, as the headline).",
        takeaway, panels)


@dataclass(frozen=True)
class QueueWaits:
    """How long each job that started waited, seconds (zero: it started when submitted)."""

    waits_s: np.ndarray
    not_started: int = 0  # jobs still queued at the end of the period


def _share(count: int, total: int) -> str:
    share = count / total if total else 0.0
    return "0" if count == 0 else ("<0.1 %" if share < 0.001 else f"{100 * share:.1f} %")


@styled
def queue_figure(q: QueueWaits) -> Figure:
    labels, counts = wait_counts(q.waits_s)
    n = int(counts.sum())
    fig, ax = new_panel(wide=True, size=(6.6, 3.4))
    x = categories(ax, labels)
    colours = [quantity_colour("in_service")] + [quantity_colour("queue_wait")] * (len(labels) - 1)
    drawn = ax.bar(x, np.where(counts > 0, counts, np.nan), 0.65, color=colours,
                   edgecolor=quantity_colour("queue_wait"), lw=0.8)
    ax.set_yscale("log")
    ax.set_ylim(0.5, max(float(counts.max()), 1.0) * 4)
    ax.bar_label(drawn, labels=[_share(int(c), n) for c in counts], padding=2, fontsize=8, color=INK)
    for xi, c in zip(x, counts, strict=True):
        if c == 0:
            ax.annotate("0", (xi, 0.6), ha="center", va="bottom", fontsize=8, color=INK)
    ax.set(ylabel="jobs (log scale)")
    ax.tick_params(axis="x", labelsize=8, rotation=25)
    w = np.asarray(q.waits_s, dtype=float)
    w = w[np.isfinite(w)]
    bins = "; ".join(f"{label} {int(c):,} ({_share(int(c), n)})" for label, c in zip(labels, counts, strict=True))
    alt = ("Bars of the number of jobs by wait before starting, on a log scale, the first bar for jobs that did not "
           f"wait: {bins}; {n:,} jobs started" + (f", {q.not_started:,} still queued at the end." if q.not_started
                                                   else "."))
    return Figure("queue", "How long jobs waited to start",
                  "Wait from submission to first start of every job that started, in bins, on a log scale of jobs; "
                  "jobs that started at once have a bin of their own, so no zero wait is dropped.",
                  _queue_takeaway(n, int(counts[0]), w), (to_panel(fig, alt, "queue", wide=True),))


def _queue_takeaway(started: int, no_wait: int, waits_s: np.ndarray) -> str:
    if started == 0:
        return "No job started in the simulated period."
    jobs = in_words(started, "jobs")
    if no_wait == started:
        return f"Every one of the {jobs} that started did so the moment it was submitted: nobody queued."
    text = f"{no_wait:,} of the {jobs} that started ({_share(no_wait, started)}) did not wait at all"
    median, p95 = float(np.median(waits_s)), float(np.percentile(waits_s, 95))
    if median > ZERO_WAIT_S:
        text += f"; the median wait was {duration_words(median)}"
    if p95 > ZERO_WAIT_S:
        text += f"; 95 % started within {duration_words(p95)}"
    return text + f"; the longest wait was {duration_words(float(waits_s.max()))}."


__all__ = ["WAIT_BINS", "OpsSeries", "QueueWaits", "bin_stat", "daily_means", "operations_figure",
           "queue_figure", "wait_counts"]
