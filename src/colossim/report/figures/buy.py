"""What the budget buys: the same money on each system, as GPUs, compute, power and compute per MW."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from colossim.report.document import Figure, Panel
from colossim.report.figures.base import bars, grouped, new_panel, styled, title_with_legend, to_panel, wrap
from colossim.report.format import in_words, times
from colossim.report.palette import gpu_colour, quantity_colour


@dataclass(frozen=True)
class BuyBar:
    label: str  # the system's human name (colossim.report.names.system_name)
    gpus: int
    added_bf16_eflops: float
    added_fp8_eflops: float
    added_fp4_eflops: float
    added_facility_power_mw: float
    bf16_pflops_per_mw: float
    gpu: str = ""  # GPU type id: the bar's colour


def _alt(title: str, options: Sequence[BuyBar], values: Sequence[float], fmt: str) -> str:
    return f"{title}: " + "; ".join(f"{b.label} {fmt.format(v)}" for b, v in zip(options, values, strict=True)) + "."


@styled
def buy_figure(options: Sequence[BuyBar], budget_usd: float) -> Figure:
    labels = [wrap(b.label, 14) for b in options]
    gpu_ids = [b.gpu for b in options]
    colours = [gpu_colour(g, gpu_ids) for g in gpu_ids]
    money = f"USD {in_words(budget_usd, digits=1 if budget_usd % 1e9 else 0)}"
    panels: list[Panel] = []

    def single(name: str, title: str, ylabel: str, values: list[float], fmt: str) -> Panel:
        fig, ax = new_panel()
        bars(ax, labels, values, colours, fmt=fmt)
        ax.set(title=title, ylabel=ylabel)
        ax.tick_params(axis="x", labelsize=8)
        return to_panel(fig, _alt(f"{title} for {money}, {ylabel}", options, values, fmt), name)

    panels.append(single("buy-gpus", "GPUs added", "thousand GPUs", [b.gpus / 1e3 for b in options], "{:,.1f}k"))
    fig, ax = new_panel()
    series = {"BF16": [b.added_bf16_eflops for b in options], "FP8": [b.added_fp8_eflops for b in options],
              "FP4": [b.added_fp4_eflops for b in options]}
    grouped(ax, labels, series, [quantity_colour(q) for q in ("bf16", "fp8", "fp4")], fmt="{:,.0f}")
    title_with_legend(ax, "Peak dense compute added", 1)
    ax.set_ylabel("EFLOP/s")
    ax.tick_params(axis="x", labelsize=8)
    panels.append(to_panel(fig, f"Peak dense compute added for {money}, EFLOP/s in BF16, FP8 and FP4: " + "; ".join(
        f"{b.label} {b.added_bf16_eflops:,.0f}, {b.added_fp8_eflops:,.0f} and {b.added_fp4_eflops:,.0f}"
        for b in options) + ".", "buy-compute"))
    panels.append(single("buy-power", "Facility power added (sustained)", "MW",
                         [b.added_facility_power_mw for b in options], "{:,.0f}"))
    panels.append(single("buy-efficiency", "BF16 compute per facility MW", "PFLOP/s per MW",
                         [b.bf16_pflops_per_mw for b in options], "{:,.0f}"))
    return Figure("buy", f"What {money} buys",
                  "The same budget spent on each system at catalog mid prices (network included): GPUs, dense peak "
                  "compute and sustained facility power added, and compute per MW; bars coloured by GPU type.",
                  _takeaway(options, money), tuple(panels))


def _takeaway(options: Sequence[BuyBar], money: str) -> str:
    first, rest = options[0], options[1:]
    if not rest:
        return (f"{money} buys {in_words(first.gpus, 'GPUs')} in {first.label}: "
                f"{first.added_bf16_eflops:,.0f} EFLOP/s of BF16 for {first.added_facility_power_mw:,.0f} MW.")
    best = max(rest, key=lambda b: b.added_bf16_eflops)
    ratio = first.added_bf16_eflops / best.added_bf16_eflops if best.added_bf16_eflops > 0 else float("inf")
    return (f"{money} of {first.label} adds {times(ratio)} the BF16 compute of the same money in {best.label} "
            f"({first.added_bf16_eflops:,.0f} against {best.added_bf16_eflops:,.0f} EFLOP/s), at "
            f"{first.bf16_pflops_per_mw:,.0f} against {best.bf16_pflops_per_mw:,.0f} PFLOP/s per MW.")


__all__ = ["BuyBar", "buy_figure"]
