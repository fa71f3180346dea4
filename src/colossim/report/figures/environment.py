"""Power supply and emissions by date, per site: what carried each month's load (grid, batteries, gas
turbines, and load with no published supply) and the turbines' NOx with the site's CO2."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from colossim.report.document import Figure, Panel
from colossim.report.figures.base import calendar_axis, legend_above, new_panel, styled, title_with_legend, to_panel
from colossim.report.palette import quantity_colour


@dataclass(frozen=True)
class SupplySeries:
    """Monthly means of one site (colossim.cluster.ledger via supply_day.monthly)."""

    site: str  # what a reader sees: "colossus (memphis)"
    months: np.ndarray  # datetime64[D], first day of each month
    grid_mw: np.ndarray
    battery_mw: np.ndarray
    turbine_mw: np.ndarray
    unserved_mw: np.ndarray
    nox_t_per_month: np.ndarray
    co2_kt_per_month: np.ndarray

    @property
    def load_mw(self) -> np.ndarray:
        return self.grid_mw + self.battery_mw + self.turbine_mw + self.unserved_mw

    @property
    def turbine_share(self) -> np.ndarray:
        load = self.load_mw
        return np.divide(self.turbine_mw, load, out=np.zeros_like(load), where=load > 0)


def _month(x: np.datetime64) -> str:
    return np.datetime_as_string(x, unit="M")


@styled
def _power_panel(s: SupplySeries, salt: str) -> Panel:
    fig, ax = new_panel()
    parts = (("grid", s.grid_mw, "grid"), ("batteries", s.battery_mw, "battery"),
             ("gas turbines", s.turbine_mw, "turbine"))
    ax.stackplot(s.months, *(v for _, v, _ in parts), labels=[n for n, _, _ in parts],
                 colors=[quantity_colour(q) for _, _, q in parts], step="post")  # type: ignore[arg-type]
    rows = 1
    if np.any(s.unserved_mw > 0.5):
        top = s.grid_mw + s.battery_mw + s.turbine_mw
        ax.fill_between(s.months, top, top + s.unserved_mw, step="post", facecolor="none",
                        edgecolor=quantity_colour("unserved"), hatch="///", label="no published supply")
        rows = 2
    ax.set_ylabel("MW (monthly mean)")
    calendar_axis(ax)
    legend_above(ax, ncol=2 if rows == 2 else 3)
    title_with_legend(ax, f"{s.site}: what carried the load", rows)
    k = int(np.argmax(s.turbine_share))
    alt = (f"{s.site}, monthly mean load from {_month(s.months[0])} to {_month(s.months[-1])}: up to "
           f"{s.load_mw.max():,.0f} MW; the grid carried up to {s.grid_mw.max():,.0f} MW and gas turbines up to "
           f"{s.turbine_mw.max():,.0f} MW ({s.turbine_share[k]:.0%} of the load in {_month(s.months[k])})"
           + (f"; up to {s.unserved_mw.max():,.0f} MW had no published supply" if rows == 2 else "") + ".")
    return to_panel(fig, alt, salt)


@styled
def _emissions_panel(s: SupplySeries, salt: str) -> Panel:
    fig, ax = new_panel()
    ax.bar(s.months, s.nox_t_per_month, width=25, align="edge", color=quantity_colour("nox"),
           label="turbine NOx (t/month)")
    ax.set_ylabel("t NOx per month")
    twin = ax.twinx()
    twin.plot(s.months, s.co2_kt_per_month, color=quantity_colour("co2"), lw=1.8, drawstyle="steps-post",
              label="CO2, all supply (kt/month)")
    twin.set_ylabel("kt CO2 per month")
    twin.spines["right"].set_visible(True)
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    legend_above(ax, ncol=2, handles=handles, labels=[h.get_label() for h in handles])
    calendar_axis(ax)
    title_with_legend(ax, f"{s.site}: turbine NOx and site CO2", 1)
    alt = (f"{s.site}: turbine NOx up to {s.nox_t_per_month.max():,.1f} t a month, "
           f"{s.nox_t_per_month.sum():,.0f} t in all from {_month(s.months[0])} to {_month(s.months[-1])}; "
           f"CO2 of all the supply up to {s.co2_kt_per_month.max():,.0f} kt a month.")
    return to_panel(fig, alt, salt)


def _takeaway(series: Sequence[SupplySeries]) -> str:
    worst = max(series, key=lambda s: float(s.turbine_share.max()))
    k = int(np.argmax(worst.turbine_share))
    words = (f"Gas turbines carried up to {worst.turbine_share[k]:.0%} of {worst.site}'s load "
             f"({_month(worst.months[k])}); NOx peaked at {worst.nox_t_per_month.max():,.1f} t a month")
    short = [s for s in series if np.any(s.unserved_mw > 0.5)]
    if short:
        s = max(short, key=lambda x: float(x.unserved_mw.max()))
        words += f"; on {s.site} up to {s.unserved_mw.max():,.0f} MW of load had no published supply"
    return words + "."


def supply_figure(series: Sequence[SupplySeries], names: Sequence[str]) -> Figure:
    """Two panels per site; `names`: unique panel-name stems (one per site)."""
    panels: list[Panel] = []
    for s, name in zip(series, names, strict=True):
        panels += [_power_panel(s, f"supply-{name}-power"), _emissions_panel(s, f"supply-{name}-emissions")]
    return Figure("supply_emissions", "Power supply and emissions by date, per site",
                  "Left of each pair: the site's sustained load month by month, carried by the grid first, then "
                  "batteries, then gas turbines (hatched: load the published supply cannot carry). Right: the "
                  "turbines' NOx (bars) and the CO2 of all the supply (line). From each scenario's dated supply "
                  "timeline.", _takeaway(series), tuple(panels))


__all__ = ["SupplySeries", "supply_figure"]
