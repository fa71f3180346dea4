"""What the budget adds: the reported USD 5B of GB200 NVL72 racks against the same money in Hopper
servers (colossim.cluster.buy), added to the cluster as it stood before its last phase that added hardware; and
what the public record says about that order (value, product, timing, and nothing more), against the
scenario's own racks at catalog prices."""

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


def _last_adding(ctx: Context) -> int:
    """Index of the last phase that adds hardware (a lease or a retirement adds none)."""
    return max(i for i, p in enumerate(ctx.spec.phases) if p.add) if any(p.add for p in ctx.spec.phases) else 0


def buy_question(ctx: Context) -> tuple[str, date]:
    """The system to buy (option, else the first one the last adding phase adds) and the date it is added to
    (the start of the phase before that one, so the purchase meets the cluster it was bought for)."""
    i = _last_adding(ctx)
    last = ctx.spec.phases[i]
    system = ctx.options.buy_system or (last.add[0].system if last.add else ctx.spec.phases[0].add[0].system)
    before = ctx.spec.phases[i - 1] if i > 0 else last
    return system, before.start


def _record_text(ctx: Context, system: str, units_bought: int) -> Paragraph | None:
    """The order as the record has it, and the scenario's racks of that system at catalog prices."""
    price = ctx.catalog.systems[system].price
    if price is None or ctx.options.budget_usd != 5e9:
        return None
    racks = sum(a.count for p in ctx.spec.phases for a in p.add if a.system == system)
    return Paragraph(
        "The public record of that order (colossus_record_2026.md sec. 5): Bloomberg reported on 14 Feb 2025 "
        "that Dell was finalising a deal worth more than USD 5B to sell xAI servers with GB200 (NVL72 racks in "
        "Techzine's reading), for delivery in 2025; neither company confirmed it, and no rack or GPU count, "
        "destination or scope (network, storage, services) was ever published. At catalog prices (USD "
        f"{price.usd_low / 1e6:,.2f}-{price.usd_high / 1e6:,.2f}M a rack, each with its share of the network) "
        f"USD 5B buys about {units_bought:,} racks. The scenario's own {racks:,} racks of {system} would cost USD "
        f"{racks * price.usd_low / 1e9:,.2f}-{racks * price.usd_high / 1e9:,.2f}B at those prices: they are not "
        "that order, or only part of it. Colossus 2's first 1,528 racks (110k GB200) would cost USD "
        f"{1_528 * price.usd_low / 1e9:,.1f}-{1_528 * price.usd_high / 1e9:,.1f}B, the size of the reported "
        "order, but no source links the two."
    )


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
    record = _record_text(ctx, opt.system, opt.units)
    if record is not None:
        blocks.append(record)
    i = _last_adding(ctx)
    if i > 0:
        before, after = ctx.phases[i - 1], ctx.phases[i]
        last = ctx.spec.phases[i]
        units = sum(a.count for a in last.add)
        blocks.append(Paragraph(
            f"For comparison, the scenario's {last.name} as built adds {after.gpus - before.gpus:,} GPUs in "
            f"{units:,} units (+{after.peak_bf16_eflops - before.peak_bf16_eflops:,.0f} EFLOP/s BF16, "
            f"+{after.facility_power_mw - before.facility_power_mw:,.0f} MW sustained). The two answer different "
            "questions: the phase holds the hardware reported installed, the budget what a sum of money buys at "
            "the catalog prices (both in the assumptions section)."
        ))
    price = ctx.catalog.systems[opt.system].price
    assumptions = (
        AssumptionRow("budget", "budget", budget, "USD", "the reported >USD 5B Dell GB200 order (Bloomberg via "
                      "CNBC, 14 Feb 2025; never confirmed, no count published: colossus_record_2026.md sec. 5a) "
                      "unless --budget is given"),
        AssumptionRow("budget", "system bought", opt.system, "-",
                      "the first system the scenario's last adding phase adds (report option buy_system)"),
        AssumptionRow("budget", "date added", result.at.isoformat(), "-",
                      "start of the phase before the last adding one: the cluster the purchase was made for"),
        AssumptionRow("budget", f"{opt.system} unit price",
                      f"{price.usd_low / 1e6:,.2f}-{price.usd_high / 1e6:,.2f}" if price else "-", "million USD",
                      ctx.catalog.systems[opt.system].source, ctx.catalog.systems[opt.system].estimate),
    )
    title = f"What USD {budget / 1e9:,.0f} billion of {system_name(ctx.catalog, opt.system)} adds"
    return SectionOutput(Section("buy", title,
                                 tuple(blocks)), {"buy": result.model_dump(mode="json")}, assumptions)
