"""What the budget adds: the reported USD 5B of GB200 NVL72 racks against the same money in Hopper
servers (colossim.cluster.buy), added to the cluster as it stood before its last phase."""

from __future__ import annotations

from datetime import date

import pandas as pd

from colossim.cluster import BuyOption, buy
from colossim.report.context import Context
from colossim.report.document import Paragraph, Section, Table
from colossim.report.figures import BuyBar, buy_figure
from colossim.report.names import gpu_short_name, system_name
from colossim.report.sections import AssumptionRow, SectionOutput

LABELS = {
    "system": "system (catalog id)",
    "gpu": "GPU",
    "unit_price_usd_m_low": "unit price, low (million USD)",
    "unit_price_usd_m_high": "unit price, high (million USD)",
    "units": "units bought (mid price)",
    "units_low": "units (high price)",
    "units_high": "units (low price)",
    "gpus": "GPUs",
    "racks": "racks",
    "added_peak_bf16_eflops": "+ BF16 (EFLOP/s)",
    "added_peak_fp8_eflops": "+ FP8 (EFLOP/s)",
    "added_peak_fp4_eflops": "+ FP4 (EFLOP/s)",
    "added_hbm_tb": "+ HBM (TB)",
    "added_facility_power_mw": "+ facility power, sustained (MW)",
    "added_facility_power_max_mw": "+ facility power, nameplate (MW)",
    "bf16_pflops_per_mw": "BF16 PFLOP/s per MW",
    "usd_per_bf16_tflops": "USD per BF16 TFLOP/s",
}
FORMATS = {"unit_price_usd_m_low": ",.2f", "unit_price_usd_m_high": ",.2f", "added_peak_bf16_eflops": ",.1f",
           "added_peak_fp8_eflops": ",.1f", "added_peak_fp4_eflops": ",.1f", "added_hbm_tb": ",.0f",
           "added_facility_power_mw": ",.1f", "added_facility_power_max_mw": ",.1f",
           "bf16_pflops_per_mw": ",.0f", "usd_per_bf16_tflops": ",.1f"}


def buy_question(ctx: Context) -> tuple[str, date]:
    """The system to buy (option, else the first one the last phase adds) and the date it is added to
    (the start of the phase before the last, so the purchase meets the cluster it was bought for)."""
    last = ctx.spec.phases[-1]
    system = ctx.options.buy_system or (last.add[0].system if last.add else ctx.spec.phases[0].add[0].system)
    before = ctx.spec.phases[-2] if len(ctx.spec.phases) > 1 else last
    return system, before.start


def _row(o: BuyOption) -> dict:
    return {
        "system": o.system, "gpu": o.gpu,
        "unit_price_usd_m_low": o.unit_price_usd_low / 1e6, "unit_price_usd_m_high": o.unit_price_usd_high / 1e6,
        "units": o.units, "units_low": o.units_low, "units_high": o.units_high, "gpus": o.gpus, "racks": o.racks,
        "added_peak_bf16_eflops": o.added_peak_bf16_eflops, "added_peak_fp8_eflops": o.added_peak_fp8_eflops,
        "added_peak_fp4_eflops": o.added_peak_fp4_eflops, "added_hbm_tb": o.added_hbm_tb,
        "added_facility_power_mw": o.added_facility_power_mw,
        "added_facility_power_max_mw": o.added_facility_power_max_mw,
        "bf16_pflops_per_mw": o.bf16_pflops_per_mw, "usd_per_bf16_tflops": o.usd_per_bf16_tflops,
    }


def build(ctx: Context) -> SectionOutput:
    budget = ctx.options.budget_usd
    system, at = buy_question(ctx)
    result = buy(ctx.spec, ctx.catalog, budget, system, at)
    options = (result.option, *result.comparisons)
    frame = pd.DataFrame([_row(o) for o in options])
    table = Table("buy", f"USD {budget / 1e9:,.1f} billion added to {result.scenario} as on {result.at}",
                  "Units at the catalog mid price (range from the high and low prices), each with its share of "
                  "the extra switches and optics; added compute and power are the cluster's figures with the "
                  "purchase minus without it.", frame, LABELS, FORMATS, summary=True, transpose=True)
    opt, best_hopper = result.option, max(result.comparisons, key=lambda o: o.added_peak_bf16_eflops)
    figure = buy_figure([BuyBar(system_name(ctx.catalog, o.system), o.gpus, o.added_peak_bf16_eflops,
                                o.added_peak_fp8_eflops, o.added_peak_fp4_eflops, o.added_facility_power_mw,
                                o.bf16_pflops_per_mw, o.gpu) for o in options], budget)
    fp4 = (f" and FP4, which the {gpu_short_name(ctx.catalog, best_hopper.gpu)} lacks," if opt.added_peak_fp4_eflops > 0
           and best_hopper.added_peak_fp4_eflops == 0 else "")
    ratio = opt.added_peak_bf16_eflops / max(best_hopper.added_peak_bf16_eflops, 1e-9)
    blocks: list = [
        Paragraph(
            f"The same USD {budget / 1e9:,.1f} billion buys {opt.gpus:,} {gpu_short_name(ctx.catalog, opt.gpu)} GPUs "
            "in "
            f"{opt.units:,} {system_name(ctx.catalog, opt.system)} units or {best_hopper.gpus:,} "
            f"{gpu_short_name(ctx.catalog, best_hopper.gpu)} GPUs in {best_hopper.units:,} servers. "
            f"The {gpu_short_name(ctx.catalog, opt.gpu)} option adds {ratio:.1f}x "
            f"the dense BF16 compute ({opt.added_peak_bf16_eflops:,.0f} against "
            f"{best_hopper.added_peak_bf16_eflops:,.0f} EFLOP/s){fp4} for "
            f"{opt.added_facility_power_mw:,.0f} against {best_hopper.added_facility_power_mw:,.0f} MW of "
            f"sustained facility power: {opt.bf16_pflops_per_mw:,.0f} against {best_hopper.bf16_pflops_per_mw:,.0f} "
            "PFLOP/s per MW."
        ),
        table,
        figure,
    ]
    if len(ctx.phases) > 1:
        before, after = ctx.phases[-2], ctx.phases[-1]
        last = ctx.spec.phases[-1]
        units = sum(a.count for a in last.add)
        blocks.append(Paragraph(
            f"For comparison, the scenario's {last.name} as built adds {after.gpus - before.gpus:,} GPUs in "
            f"{units:,} units (+{after.peak_bf16_eflops - before.peak_bf16_eflops:,.0f} EFLOP/s BF16, "
            f"+{after.facility_power_mw - before.facility_power_mw:,.0f} MW sustained). Where this differs from "
            "what the budget buys at catalog prices, the reported order value and the catalog price range "
            "(both in the assumptions section) do not match one another."
        ))
    price = ctx.catalog.systems[opt.system].price
    assumptions = (
        AssumptionRow("budget", "budget", budget, "USD", "the reported >USD 5B Dell GB200 order "
                      "(Bloomberg, 14 Feb 2025; colossus_facts.md sec. 9) unless --budget is given"),
        AssumptionRow("budget", "system bought", opt.system, "-",
                      "the first system the scenario's last phase adds (report option buy_system)"),
        AssumptionRow("budget", "date added", result.at.isoformat(), "-",
                      "start of the phase before the last: the cluster the purchase was made for"),
        AssumptionRow("budget", f"{opt.system} unit price",
                      f"{price.usd_low / 1e6:,.2f}-{price.usd_high / 1e6:,.2f}" if price else "-", "million USD",
                      ctx.catalog.systems[opt.system].source, ctx.catalog.systems[opt.system].estimate),
    )
    title = f"What USD {budget / 1e9:,.0f} billion of {system_name(ctx.catalog, opt.system)} adds"
    return SectionOutput(Section("buy", title,
                                 tuple(blocks)), {"buy": result.model_dump(mode="json")}, assumptions)
