"""Growth by phase: GPUs, compute, power, energy, CO2, water and cost after each phase (colossim.cluster)."""

from __future__ import annotations

import pandas as pd

from colossim.cluster import ClusterFigures
from colossim.report.context import Context
from colossim.report.document import Figure, Paragraph, Section, Table
from colossim.report.figures import GrowthPoint, growth_figure
from colossim.report.names import gpu_name
from colossim.report.sections import SectionOutput

LABELS = {
    "phase": "phase",
    "start": "in service from",
    "gpus_added": "GPUs added",
    "gpus": "GPUs",
    "gpus_by_type": "GPUs by type",
    "peak_bf16_eflops": "peak BF16 (EFLOP/s)",
    "peak_fp8_eflops": "peak FP8 (EFLOP/s)",
    "peak_fp4_eflops": "peak FP4 (EFLOP/s)",
    "facility_power_mw": "facility power, sustained (MW)",
    "facility_power_max_mw": "facility power, nameplate (MW)",
    "energy_gwh_per_year": "energy (GWh/year)",
    "gas_turbine_share": "gas-turbine share of energy",
    "co2_kt_per_year": "CO2 (kt/year)",
    "water_million_gal_per_year": "water (million gal/year)",
    "capex_usd_bn_low": "capital cost, low (billion USD)",
    "capex_usd_bn_high": "capital cost, high (billion USD)",
    "racks": "racks",
}
FORMATS = {"peak_bf16_eflops": ",.1f", "peak_fp8_eflops": ",.1f", "peak_fp4_eflops": ",.1f",
           "facility_power_mw": ",.0f", "facility_power_max_mw": ",.0f", "energy_gwh_per_year": ",.0f",
           "gas_turbine_share": ".0%", "co2_kt_per_year": ",.0f", "water_million_gal_per_year": ",.0f",
           "capex_usd_bn_low": ",.2f", "capex_usd_bn_high": ",.2f"}


def _row(f: ClusterFigures, previous_gpus: int) -> dict:
    return {
        "phase": f.phases[-1],
        "start": f.at.isoformat(),
        "gpus_added": f.gpus - previous_gpus,
        "gpus": f.gpus,
        "gpus_by_type": "; ".join(f"{t} {n:,}" for t, n in f.gpus_by_type.items()),
        "peak_bf16_eflops": f.peak_bf16_eflops,
        "peak_fp8_eflops": f.peak_fp8_eflops,
        "peak_fp4_eflops": f.peak_fp4_eflops,
        "facility_power_mw": f.facility_power_mw,
        "facility_power_max_mw": f.facility_power_max_mw,
        "energy_gwh_per_year": f.energy_gwh_per_year,
        "gas_turbine_share": f.gas_turbine_share,
        "co2_kt_per_year": f.co2_t_per_year / 1e3,
        "water_million_gal_per_year": f.water_million_gal_per_year,
        "capex_usd_bn_low": f.capex_usd_low / 1e9,
        "capex_usd_bn_high": f.capex_usd_high / 1e9,
        "racks": f.racks,
    }


def _point(f: ClusterFigures) -> GrowthPoint:
    return GrowthPoint(
        phase=f.phases[-1], start=f.at.isoformat(), gpus_by_type=dict(f.gpus_by_type),
        peak_bf16_eflops=f.peak_bf16_eflops, peak_fp8_eflops=f.peak_fp8_eflops, facility_power_mw=f.facility_power_mw,
        facility_power_max_mw=f.facility_power_max_mw, energy_gwh_per_year=f.energy_gwh_per_year,
        co2_kt_per_year=f.co2_t_per_year / 1e3, co2_kt_per_year_low=f.co2_t_per_year_low / 1e3,
        co2_kt_per_year_high=f.co2_t_per_year_high / 1e3,
        water_million_gal_per_year=f.water_million_gal_per_year,
        capex_usd_bn_low=f.capex_usd_low / 1e9, capex_usd_bn_high=f.capex_usd_high / 1e9,
        electricity_musd_per_year=f.electricity_cost_usd_per_year / 1e6,
    )


def growth_frame(ctx: Context) -> pd.DataFrame:
    rows, previous = [], 0
    for f in ctx.phases:
        rows.append(_row(f, previous))
        previous = f.gpus
    return pd.DataFrame(rows)


def build(ctx: Context) -> SectionOutput:
    frame = growth_frame(ctx)
    # growth is counted from the first phase with GPUs (a first phase may add only storage or CPU nodes)
    first, last = next((f for f in ctx.phases if f.gpus > 0), ctx.phases[0]), ctx.final
    table = Table(
        "growth", "Growth by phase",
        "The cluster right after each phase. Energy, CO2 and water assume the sustained training draw all "
        "year; capital cost is catalog price ranges of GPU systems and network.",
        frame, LABELS, FORMATS, summary=True, transpose=True,
    )
    names = {t: gpu_name(ctx.catalog, t) for f in ctx.phases for t in f.gpus_by_type}
    figure: Figure = growth_figure([_point(f) for f in ctx.phases], ctx.spec.name, names)
    text = Paragraph(
        f"{ctx.spec.name} grew from {first.gpus:,} GPUs ({first.at}) to {last.gpus:,} ({last.at}): "
        f"{last.peak_bf16_eflops / first.peak_bf16_eflops:.1f}x the dense BF16 compute for "
        f"{last.facility_power_mw / first.facility_power_mw:.1f}x the sustained power. Each phase's notes and "
        "sources are in the assumptions section."
    )
    notes = [
        Paragraph(f"{p.name} ({p.start}): {p.note.strip()}") for p in ctx.spec.phases if p.note.strip()
    ]
    section = Section("growth", "Growth by phase", (text, table, figure, *notes))
    numbers = {"growth": [f.model_dump(mode="json") for f in ctx.phases]}
    return SectionOutput(section, numbers)
