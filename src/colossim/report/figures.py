"""The report's figures: plain data in, a titled PNG with labelled axes (units) and a caption out.

matplotlib's object API (Figure + Agg canvas): no display, no global pyplot state, nothing written.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure

from colossim.report.document import Figure

DPI = 100
PALETTE = ("#2f6db5", "#e07b39", "#3f9e5a", "#b04a7c", "#7a64c2", "#8c7a4f", "#4aa3b0", "#c9a227")
GPU_COLOURS = {"h100_sxm5": "#2f6db5", "h200_sxm": "#4aa3b0", "gb200_nvl72_gpu": "#e07b39",
               "gb300_nvl72_gpu": "#b04a7c", "b200_hgx": "#c9a227", "b300_hgx": "#8c7a4f"}


def _new(nrows: int, ncols: int, width: float, height: float, **margins: float) -> tuple[MplFigure, np.ndarray]:
    """Axes on a fixed grid (matplotlib's constrained layout would cost twice the drawing time)."""
    fig = MplFigure(figsize=(width, height), dpi=DPI)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    fig.subplots_adjust(**({"left": 0.06, "right": 0.985, "top": 0.88, "bottom": 0.12, "wspace": 0.35,
                            "hspace": 0.45} | margins))
    for ax in axes:
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
    return fig, axes


def _done(fig: MplFigure, name: str, title: str, caption: str) -> Figure:
    fig.suptitle(title, fontsize=13, fontweight="bold")
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return Figure(name, title, caption, buf.getvalue())


def _colour(key: str, i: int) -> str:
    return GPU_COLOURS.get(key, PALETTE[i % len(PALETTE)])


def _bars(ax, labels: Sequence[str], values: Sequence[float], colour: str, fmt: str = "{:,.0f}",
          err: tuple[Sequence[float], Sequence[float]] | None = None) -> None:
    x = np.arange(len(labels))
    yerr = None
    if err is not None:
        low, high = np.asarray(err[0]), np.asarray(err[1])
        yerr = np.vstack([np.asarray(values) - low, high - np.asarray(values)])
    bars = ax.bar(x, values, color=colour, width=0.6, yerr=yerr, capsize=4 if yerr is not None else 0)
    if yerr is None:
        ax.bar_label(bars, labels=[fmt.format(v) for v in values], fontsize=8, padding=2)
    else:  # inside the bar, clear of the range's whiskers
        ax.bar_label(bars, labels=[fmt.format(v) for v in values], fontsize=8, label_type="center",
                     color="white", fontweight="bold")
    ax.set_xticks(x, labels, fontsize=9)
    ax.margins(y=0.18)


def _grouped(ax, labels: Sequence[str], series: dict[str, Sequence[float]], fmt: str = "{:,.0f}",
             colours: Sequence[str] = PALETTE) -> None:
    x = np.arange(len(labels))
    width = 0.8 / max(len(series), 1)
    for i, (name, values) in enumerate(series.items()):
        bars = ax.bar(x + (i - (len(series) - 1) / 2) * width, values, width, label=name, color=colours[i])
        ax.bar_label(bars, labels=[fmt.format(v) for v in values], fontsize=7, padding=1)
    ax.set_xticks(x, labels, fontsize=9)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.margins(y=0.18)


# --- growth ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GrowthPoint:
    """The cluster right after one phase (numbers from colossim.cluster)."""

    phase: str
    start: str  # YYYY-MM-DD
    gpus_by_type: dict[str, int]
    peak_bf16_eflops: float
    peak_fp8_eflops: float
    facility_power_mw: float
    facility_power_max_mw: float
    energy_gwh_per_year: float
    co2_kt_per_year: float
    co2_kt_per_year_low: float
    co2_kt_per_year_high: float
    water_million_gal_per_year: float
    capex_usd_bn_low: float
    capex_usd_bn_high: float
    electricity_musd_per_year: float


def growth_figure(points: Sequence[GrowthPoint], scenario: str) -> Figure:
    fig, ax = _new(2, 4, 14, 6.6, top=0.9, bottom=0.09)
    labels = [f"{p.phase}\n{p.start[:7]}" for p in points]
    x = np.arange(len(points))
    gpu_types = sorted({t for p in points for t in p.gpus_by_type})
    bottom = np.zeros(len(points))
    for i, t in enumerate(gpu_types):
        values = np.array([p.gpus_by_type.get(t, 0) / 1e3 for p in points])
        ax[0].bar(x, values, 0.6, bottom=bottom, label=t, color=_colour(t, i))
        bottom += values
    for xi, total in zip(x, bottom, strict=True):
        ax[0].annotate(f"{total:,.0f}k", (xi, total), ha="center", va="bottom", fontsize=8)
    ax[0].set_xticks(x, labels, fontsize=9)
    ax[0].legend(fontsize=7, frameon=False, loc="upper left")
    ax[0].margins(y=0.18)
    ax[0].set(title="GPUs installed", ylabel="thousand GPUs")
    _grouped(ax[1], labels, {"BF16": [p.peak_bf16_eflops for p in points],
                             "FP8": [p.peak_fp8_eflops for p in points]})
    ax[1].set(title="Peak dense compute", ylabel="EFLOP/s (1e18 FLOP/s)")
    _grouped(ax[2], labels, {"sustained": [p.facility_power_mw for p in points],
                             "nameplate": [p.facility_power_max_mw for p in points]})
    ax[2].set(title="Facility power", ylabel="MW")
    _bars(ax[3], labels, [p.energy_gwh_per_year for p in points], PALETTE[2])
    ax[3].set(title="Energy a year (sustained draw)", ylabel="GWh / year")
    _bars(ax[4], labels, [p.co2_kt_per_year for p in points], PALETTE[5],
          err=([p.co2_kt_per_year_low for p in points], [p.co2_kt_per_year_high for p in points]))
    ax[4].set(title="CO2 a year (turbine range)", ylabel="kt CO2 / year")
    _bars(ax[5], labels, [p.water_million_gal_per_year for p in points], PALETTE[6])
    ax[5].set(title="Water a year", ylabel="million US gal / year")
    mid = [(p.capex_usd_bn_low + p.capex_usd_bn_high) / 2 for p in points]
    _bars(ax[6], labels, mid, PALETTE[3], fmt="{:,.1f}",
          err=([p.capex_usd_bn_low for p in points], [p.capex_usd_bn_high for p in points]))
    ax[6].set(title="Capital cost, servers + network", ylabel="billion USD (mid, range)")
    _bars(ax[7], labels, [p.electricity_musd_per_year for p in points], PALETTE[4])
    ax[7].set(title="Electricity bill", ylabel="million USD / year")
    return _done(
        fig, "growth", f"{scenario}: growth by phase",
        "The cluster right after each phase: GPUs by type, dense peak compute, facility power, and a "
        "year of energy, CO2, water, capital cost and electricity at the sustained training draw.",
    )


# --- the budget -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class BuyBar:
    label: str
    gpus: int
    added_bf16_eflops: float
    added_fp8_eflops: float
    added_fp4_eflops: float
    added_facility_power_mw: float
    bf16_pflops_per_mw: float


def buy_figure(bars: Sequence[BuyBar], budget_usd: float) -> Figure:
    fig, ax = _new(1, 4, 14, 4.6, top=0.84, bottom=0.16)
    labels = ["\n".join(textwrap.wrap(b.label.replace("_", " "), 11)) for b in bars]
    _bars(ax[0], labels, [b.gpus / 1e3 for b in bars], PALETTE[0], fmt="{:,.1f}k")
    ax[0].set(title="GPUs added", ylabel="thousand GPUs")
    _grouped(ax[1], labels, {"BF16": [b.added_bf16_eflops for b in bars],
                             "FP8": [b.added_fp8_eflops for b in bars],
                             "FP4": [b.added_fp4_eflops for b in bars]})
    ax[1].legend(fontsize=8, frameon=False, loc="upper right")
    ax[1].set(title="Peak dense compute added", ylabel="EFLOP/s")
    _bars(ax[2], labels, [b.added_facility_power_mw for b in bars], PALETTE[2])
    ax[2].set(title="Facility power added (sustained)", ylabel="MW")
    _bars(ax[3], labels, [b.bf16_pflops_per_mw for b in bars], PALETTE[5])
    ax[3].set(title="BF16 compute per facility MW", ylabel="PFLOP/s per MW")
    for a in ax:
        a.tick_params(axis="x", labelsize=8)
    return _done(
        fig, "buy", f"What USD {budget_usd / 1e9:,.1f} billion buys",
        "The same budget spent on GB200 NVL72 racks or on Hopper servers (catalog mid prices, network "
        "included): GPUs, dense peak compute and facility power added, and compute per MW.",
    )


# --- failures and goodput -------------------------------------------------------------------------

@dataclass(frozen=True)
class GoodputCurve:
    label: str
    interval_s: np.ndarray
    goodput: np.ndarray
    best_interval_s: float
    best_goodput: float


TIME_TICKS = ((1, "1 s"), (10, "10 s"), (60, "1 min"), (600, "10 min"), (3600, "1 h"), (36_000, "10 h"))


def goodput_figure(curves: Sequence[GoodputCurve], model: str, mode: str) -> Figure:
    fig, axes = _new(1, 1, 10, 4.6, left=0.08, bottom=0.13)
    ax = axes[0]
    for i, c in enumerate(curves):
        colour = PALETTE[i % len(PALETTE)]
        ax.plot(c.interval_s, 100 * c.goodput, color=colour, lw=1.8,
                label=f"{c.label}: best every {c.best_interval_s:,.0f} s, {100 * c.best_goodput:.1f} %")
        ax.plot([c.best_interval_s], [100 * c.best_goodput], "o", color=colour)
    ax.set_xscale("log")
    ax.set_xticks([t for t, _ in TIME_TICKS], [name for _, name in TIME_TICKS])
    ax.set(xlabel="checkpoint interval: compute time between two checkpoints (log scale)",
           ylabel="goodput (% of wall time doing useful work)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=9, frameon=False, loc="upper right")
    return _done(
        fig, "goodput", "Goodput against the checkpoint interval",
        f"Expected goodput (Daly's model) of one {model} job on all GPUs of each phase, with {mode} "
        "checkpoints; dots mark the best interval. Too short wastes time saving, too long redoes work.",
    )


@dataclass(frozen=True)
class RateLine:
    label: str
    failures_per_gpu_day: float


def interruptions_figure(lines: Sequence[RateLine], phase_gpus: Sequence[tuple[str, int]],
                         chosen: str) -> Figure:
    fig, axes = _new(1, 1, 10, 4.4, left=0.08, bottom=0.13)
    ax = axes[0]
    gpus = np.logspace(3, np.log10(max(g for _, g in phase_gpus) * 2.5), 60)
    for i, line in enumerate(lines):
        width = 2.6 if line.label == chosen else 1.2
        ax.plot(gpus, gpus * line.failures_per_gpu_day, lw=width, color=PALETTE[i % len(PALETTE)],
                label=line.label + (" (used)" if line.label == chosen else ""))
    for k, (name, g) in enumerate(phase_gpus):
        ax.axvline(g, color="#888", ls=":", lw=1)
        ax.text(g, 0.03 + 0.12 * (k % 2), f" {name}\n {g:,} GPUs", transform=ax.get_xaxis_transform(),
                fontsize=8, color="#444")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set(xlabel="GPUs in one job (log scale)", ylabel="interruptions per day (log scale)")
    ax.grid(which="both", alpha=0.2)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    return _done(
        fig, "interruptions", "Interruptions per day against job size",
        "Failures a job sees per day when any of its nodes failing stops it, for the published failure "
        "rates in colossim's presets; dotted lines mark each phase's GPU count.",
    )


# --- operations -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class OpsSeries:
    days: np.ndarray
    capacity_gpus: np.ndarray
    busy_gpus: np.ndarray
    down_gpus: np.ndarray
    utilisation: np.ndarray  # per sample interval, 0..1
    goodput: np.ndarray | None  # per sample interval, 0..1, when the simulator reports it
    power_mw: np.ndarray
    period_goodput: float | None = None  # over the whole period
    flagship_days: tuple[float, float] | None = None  # the flagship run's start and end (or last) day


def _daily(days: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean per whole day (NaN-aware), for readable lines."""
    day = np.floor(days).astype(int)
    keep = np.isfinite(values)
    if not keep.any():
        return np.zeros(0), np.zeros(0)
    sums = np.bincount(day[keep], weights=values[keep])
    counts = np.bincount(day[keep])
    ok = counts > 0
    return np.nonzero(ok)[0] + 0.5, sums[ok] / counts[ok]


def _date_ticks(ax, start: date, days: float) -> None:
    """Calendar ticks on an axis in days since `start`: month starts (every other one past 200 days)."""
    if days < 60:
        step = 7 if days > 14 else 1
        ticks = np.arange(0, days + 1, step)
        ax.set_xticks(ticks, [(start + timedelta(days=int(t))).strftime("%d %b") for t in ticks])
        return
    ticks, labels, month = [], [], date(start.year, start.month, 1)
    every = 2 if days > 200 else 1
    while (month - start).days <= days:
        if (month - start).days >= 0 and (month.month - 1) % every == 0:
            ticks.append((month - start).days)
            labels.append(month.strftime("%b\n%Y") if month.month == 1 or not labels else month.strftime("%b"))
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    ax.set_xticks(ticks, labels)


def operations_figure(s: OpsSeries, scenario: str, days: float, start: date) -> Figure:
    fig, ax = _new(3, 1, 11, 8.0, left=0.08, top=0.92, bottom=0.08, hspace=0.45)
    ax[0].fill_between(s.days, 0, s.capacity_gpus / 1e3, step="post", color="#d6e2f3", label="in service")
    ax[0].fill_between(s.days, 0, s.busy_gpus / 1e3, step="post", color=PALETTE[0], alpha=0.85, label="busy")
    ax[0].plot(s.days, s.down_gpus / 1e3, color=PALETTE[3], lw=1, label="down for repair")
    ax[0].set(ylabel="thousand GPUs", title="GPUs in service, busy with jobs, and down")
    if s.flagship_days is not None:
        ax[0].axvspan(*s.flagship_days, color=PALETTE[1], alpha=0.12, label="flagship training run")
    ax[0].legend(fontsize=8, frameon=False, loc="upper left")
    d, u = _daily(s.days, s.utilisation)
    ax[1].plot(d, 100 * u, color=PALETTE[0], lw=1.4, label="utilisation (busy / in service)")
    if s.goodput is not None:
        d2, g = _daily(s.days, s.goodput)
        ax[1].plot(d2, 100 * g, color=PALETTE[2], lw=1.4, label="goodput (useful work / in service)")
    elif s.period_goodput is not None:
        ax[1].axhline(100 * s.period_goodput, color=PALETTE[2], ls="--", lw=1.4,
                      label=f"goodput over the whole period ({s.period_goodput:.0%})")
    ax[1].set(ylabel="% of GPU time (daily mean)", ylim=(0, 105), title="Utilisation and goodput")
    ax[1].legend(fontsize=8, frameon=False, loc="lower right")
    d3, p = _daily(s.days, s.power_mw)
    ax[2].plot(d3, p, color=PALETTE[1], lw=1.4)
    ax[2].set(ylabel="MW (daily mean)", title="Power drawn by busy GPU systems",
              xlabel=f"date (the simulation starts {start.isoformat()}, as the first racks arrive)")
    for a in ax:
        a.set_xlim(0, days)
        _date_ticks(a, start, days)
    return _done(
        fig, "operations", f"{scenario}: {days:g} simulated days of operations",
        "Jobs, node failures, repairs and rack deliveries simulated over the period: capacity and its "
        "use (top), the share of GPU time that is busy and useful (middle), and power (bottom).",
    )


# --- training -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrainingBar:
    """One phase's best plan (numbers from colossim.plan)."""

    label: str
    ideal_days: float
    with_failures_days: float | None
    step_parts_s: dict[str, float]  # exposed step time by part, seconds (they add up to the step time)
    memory_parts_gb: dict[str, float]  # per GPU, GB
    usable_gb: float
    tokens_per_day_bn: dict[str, float]  # every partition at once: billion tokens a day by partition


def _stacked(ax, labels: Sequence[str], parts: Sequence[dict[str, float]], fmt: str) -> None:
    x = np.arange(len(labels))
    keys = list(dict.fromkeys(k for p in parts for k in p))
    bottom = np.zeros(len(labels))
    for i, k in enumerate(keys):
        values = np.array([p.get(k, 0.0) for p in parts])
        if not values.any():
            continue
        ax.bar(x, values, 0.6, bottom=bottom, label=k, color=PALETTE[i % len(PALETTE)])
        bottom += values
    for xi, total in zip(x, bottom, strict=True):
        ax.annotate(fmt.format(total), (xi, total), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, labels, fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="upper left", ncol=2)
    ax.set_ylim(0, max(float(bottom.max()), 1e-9) * 1.55)  # room for the legend above the bars


def training_figure(bars: Sequence[TrainingBar], model: str) -> Figure:
    fig, ax = _new(1, 4, 18, 5.0, top=0.85, bottom=0.17, wspace=0.3)
    labels = [b.label for b in bars]
    series = {"ideal (no failures)": [b.ideal_days for b in bars]}
    if all(b.with_failures_days is not None for b in bars):
        series["with failures and restarts"] = [float(b.with_failures_days or 0.0) for b in bars]
    _grouped(ax[0], labels, series, fmt="{:,.0f}")
    ax[0].set(title="Time to train", ylabel="days")
    _stacked(ax[1], labels, [b.step_parts_s for b in bars], "{:.2f} s")
    ax[1].set(title="One training step, by part", ylabel="seconds per step")
    _stacked(ax[2], labels, [b.memory_parts_gb for b in bars], "{:.0f} GB")
    for i, b in enumerate(bars):
        ax[2].plot([i - 0.35, i + 0.35], [b.usable_gb] * 2, color="#333", ls="--", lw=1)
    ax[2].set(title="Memory per GPU (dashed: usable HBM)", ylabel="GB per GPU")
    _stacked(ax[3], labels, [b.tokens_per_day_bn for b in bars], "{:,.0f}")
    ax[3].set(title="Every partition at once", ylabel="billion tokens a day (with failures)")
    return _done(
        fig, "training", f"Training {model} on each phase",
        "The best single job on each phase: days to train (ideal and with failures), where a step's time goes, "
        "what fills each GPU's memory; and the tokens a day when every partition trains at once.",
    )
