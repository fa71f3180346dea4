"""Growth by phase: GPUs by type, peak compute, facility power and a year of energy, CO2, water and cost."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from colossim.report.document import Figure, Panel
from colossim.report.figures.base import (
    bars,
    grouped,
    legend_above,
    month_year,
    new_panel,
    stacked,
    styled,
    title_with_legend,
    to_panel,
)
from colossim.report.format import in_words, times
from colossim.report.palette import gpu_colour, quantity_colour


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

    @property
    def gpus(self) -> int:
        return sum(self.gpus_by_type.values())


def _each(points: Sequence[GrowthPoint], values: Sequence[float], fmt: str) -> str:
    return "; ".join(f"{p.phase} {fmt.format(v)}" for p, v in zip(points, values, strict=True))


def _single(points, labels, name: str, title: str, ylabel: str, values, quantity, fmt: str, unit: str,
            low=None, high=None) -> Panel:
    fig, ax = new_panel()
    bars(ax, labels, values, quantity_colour(quantity), fmt=fmt, low=low, high=high)
    ax.set(title=title, ylabel=ylabel)
    span = "" if low is None else " (bars: mid; whiskers: low to high)"
    return to_panel(fig, f"{title}{span}, after each phase, in {unit}: {_each(points, values, fmt)}.", name)


@styled
def growth_figure(points: Sequence[GrowthPoint], scenario: str, gpu_names: Mapping[str, str]) -> Figure:
    """`gpu_names`: the catalog's name of each GPU type id (colossim.report.names.gpu_name)."""
    labels = [f"{p.phase}\n{month_year(p.start)}" for p in points]
    types = list(dict.fromkeys(t for p in points for t in p.gpus_by_type))
    name = lambda t: gpu_names.get(t, t)  # noqa: E731
    panels: list[Panel] = []

    fig, ax = new_panel()
    parts = {name(t): [p.gpus_by_type.get(t, 0) / 1e3 for p in points] for t in types}
    stacked(ax, labels, parts, {name(t): gpu_colour(t, types) for t in types}, "{:,.0f}k")
    legend_above(ax, ncol=1 if len(types) > 2 else len(types))
    title_with_legend(ax, "GPUs installed", len(types) if len(types) > 2 else 1)
    ax.set_ylabel("thousand GPUs")
    by_phase = "; ".join(f"{p.phase} ({month_year(p.start)}) {p.gpus:,} (" + ", ".join(
        f"{n:,} {name(t)}" for t, n in p.gpus_by_type.items() if n) + ")" for p in points)
    panels.append(to_panel(fig, f"Stacked bars of the GPUs installed after each phase, by type: {by_phase}.",
                           "growth-gpus"))

    fig, ax = new_panel()
    grouped(ax, labels, {"BF16": [p.peak_bf16_eflops for p in points], "FP8": [p.peak_fp8_eflops for p in points]},
            [quantity_colour("bf16"), quantity_colour("fp8")])
    title_with_legend(ax, "Peak dense compute", 1)
    ax.set_ylabel("EFLOP/s (1e18 FLOP/s)")
    panels.append(to_panel(fig, "Peak dense compute after each phase, EFLOP/s, BF16 and FP8: " + "; ".join(
        f"{p.phase} {p.peak_bf16_eflops:,.0f} and {p.peak_fp8_eflops:,.0f}" for p in points) + ".", "growth-compute"))

    fig, ax = new_panel()
    grouped(ax, labels, {"sustained (training)": [p.facility_power_mw for p in points],
                         "nameplate": [p.facility_power_max_mw for p in points]},
            [quantity_colour("power_sustained"), quantity_colour("power_nameplate")])
    title_with_legend(ax, "Facility power", 1)
    ax.set_ylabel("MW")
    panels.append(to_panel(fig, "Facility power after each phase, MW, sustained while training and nameplate: "
                           + "; ".join(f"{p.phase} {p.facility_power_mw:,.0f} and {p.facility_power_max_mw:,.0f}"
                                       for p in points) + ".", "growth-power"))

    panels.append(_single(points, labels, "growth-energy", "Energy a year", "GWh / year",
                          [p.energy_gwh_per_year for p in points], "energy", "{:,.0f}", "GWh a year"))
    panels.append(_single(points, labels, "growth-co2", "CO2 a year", "kt CO2 / year",
                          [p.co2_kt_per_year for p in points], "co2", "{:,.0f}", "kt a year",
                          [p.co2_kt_per_year_low for p in points], [p.co2_kt_per_year_high for p in points]))
    panels.append(_single(points, labels, "growth-water", "Water a year", "million US gal / year",
                          [p.water_million_gal_per_year for p in points], "water", "{:,.0f}",
                          "million US gallons a year"))
    mid = [(p.capex_usd_bn_low + p.capex_usd_bn_high) / 2 for p in points]
    panels.append(_single(points, labels, "growth-capex", "Capital cost, servers + network", "billion USD",
                          mid, "capex", "{:,.1f}", "billion USD", [p.capex_usd_bn_low for p in points],
                          [p.capex_usd_bn_high for p in points]))
    panels.append(_single(points, labels, "growth-electricity", "Electricity bill", "million USD / year",
                          [p.electricity_musd_per_year for p in points], "electricity", "{:,.0f}",
                          "million USD a year"))
    return Figure("growth", f"{scenario}: growth by phase",
                  "The cluster right after each phase: GPUs by type, dense peak compute, facility power, and a year "
                  "of energy, CO2 (whiskers: the turbine-share range), water, capital cost (whiskers: catalog price "
                  "range) and electricity at the sustained training draw.",
                  _takeaway(points, scenario), tuple(panels))


def _takeaway(points: Sequence[GrowthPoint], scenario: str) -> str:
    with_gpus = [p for p in points if p.gpus > 0] or list(points)
    first, last = with_gpus[0], with_gpus[-1]
    if first is last:
        return (f"{scenario} has {in_words(last.gpus, 'GPUs')} ({month_year(last.start)}), "
                f"{last.peak_bf16_eflops:,.0f} EFLOP/s of dense BF16 compute for {last.facility_power_mw:,.0f} MW.")
    ratio = lambda a, b: times(a / b) if b > 0 else "-"  # noqa: E731
    return (f"From {month_year(first.start)} to {month_year(last.start)} {scenario} grew from "
            f"{in_words(first.gpus)} to {in_words(last.gpus, 'GPUs')}: "
            f"{ratio(last.peak_bf16_eflops, first.peak_bf16_eflops)} the BF16 compute for "
            f"{ratio(last.facility_power_mw, first.facility_power_mw)} the sustained power "
            f"({last.facility_power_mw:,.0f} MW).")


__all__ = ["GrowthPoint", "growth_figure"]
