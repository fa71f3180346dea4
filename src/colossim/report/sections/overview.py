"""The machine at a glance: what it is, after its last phase (colossim.cluster.cluster_figures)."""

from __future__ import annotations

import pandas as pd

from colossim.cluster import defaults, site_of
from colossim.report.context import Context
from colossim.report.document import Bullets, Paragraph, Section, Table
from colossim.report.sections import SectionOutput


def _likely(f, name: str, scale: float) -> str:
    """The p10-p90 range of a cluster figure (cluster.ranges), in the row's unit."""
    return f"{getattr(f, name + '_low') * scale:,.0f}-{getattr(f, name + '_high') * scale:,.0f}"


def _rows(ctx: Context) -> list[tuple[str, float | int | str, str]]:
    f = ctx.final
    fab = f.fabric
    types = ", ".join(f"{n:,} {t}" for t, n in f.gpus_by_type.items())
    return [
        ("GPUs", f.gpus, types),
        ("peak dense BF16 compute", f.peak_bf16_eflops, "EFLOP/s (1 EFLOP/s = 1e18 operations a second)"),
        ("peak dense FP8 compute", f.peak_fp8_eflops, "EFLOP/s"),
        ("peak dense FP4 compute", f.peak_fp4_eflops, f"EFLOP/s (only the {f.fp4_gpus:,} GPUs with FP4)"),
        ("GPU memory (HBM)", f.hbm_tb, "TB"),
        ("IT power, nameplate", f.it_power_max_mw, "MW (everything at its rated maximum)"),
        ("facility power, nameplate", f.facility_power_max_mw, f"MW (x PUE {f.pue:.2f})"),
        ("facility power, training peak", f.facility_power_peak_mw, "MW (every GPU at its TDP)"),
        ("facility power, sustained training", f.facility_power_mw,
         f"MW (GPUs at {f.training_utilisation:.0%} utilisation, the measured mean of training; likely "
         f"{_likely(f, 'facility_power_mw', 1.0)})"),
        ("energy", f.energy_gwh_per_year, f"GWh a year at the sustained draw (likely "
                                          f"{_likely(f, 'energy_gwh_per_year', 1.0)})"),
        ("CO2", f.co2_t_per_year / 1e3,
         f"kt a year ({f.gas_turbine_share:.0%} of energy from gas turbines, {f.co2_g_per_kwh:.0f} g/kWh; likely "
         f"{_likely(f, 'co2_t_per_year', 1e-3)})"),
        ("water", f.water_million_gal_per_year, "million US gallons a year (likely "
         f"{_likely(f, 'water_m3_per_year', 1e3 / defaults.LITRES_PER_US_GALLON / 1e6)})"),
        ("electricity bill", f.electricity_cost_usd_per_year / 1e6, "million USD a year at the site tariff (likely "
         f"{_likely(f, 'electricity_cost_usd_per_year', 1e-6)})"),
        ("capital cost, low", f.capex_usd_low / 1e9, "billion USD (GPU systems + network)"),
        ("capital cost, high", f.capex_usd_high / 1e9, "billion USD"),
        ("racks", f.racks, f"({f.racks_gpu:,} GPU + {f.racks_network:,} network)"),
        ("floor space", f.floor_m2, "m2 of white space"),
        ("scale-out network", fab.switches_total,
         f"switches ({fab.switch}, {fab.tiers} tiers, {fab.gbps_per_gpu:g} Gb/s per GPU)"),
        ("storage", f.storage_capacity_pb, f"PB (write {f.storage_write_gb_s:,.0f} GB/s)"),
    ]


def build(ctx: Context) -> SectionOutput:
    f = ctx.final
    spec = ctx.spec
    site = site_of(spec, ctx.catalog)
    rows = _rows(ctx)
    frame = pd.DataFrame(rows, columns=["quantity", "value", "unit"])
    frame["value"] = pd.Series([r[1] for r in rows], dtype=object)  # keep counts as integers
    table = Table("at_a_glance", f"{spec.name} on {f.at}", "Headline figures after the last phase; the "
                  "assumptions section says where every input comes from.", frame,
                  labels={"quantity": "quantity", "value": "value", "unit": "unit"}, summary=True)
    lines = [
        f"{f.gpus:,} GPUs in {f.racks:,} racks at {site.name} ({site.location}), built in "
        f"{len(spec.phases)} phases from {spec.phases[0].start} to {spec.phases[-1].start}.",
        f"{f.peak_bf16_eflops:,.0f} EFLOP/s of dense BF16 compute: one second of it is "
        f"{f.peak_bf16_eflops * 1e18:.1e} multiply-adds-and-sums, the arithmetic of a large model's training step.",
        f"It needs about {f.facility_power_mw:,.0f} MW while training ({f.facility_power_max_mw:,.0f} MW "
        f"if everything ran at its rating): {f.energy_gwh_per_year:,.0f} GWh and "
        f"{f.co2_t_per_year / 1e3:,.0f} kt of CO2 a year.",
        f"The hardware costs USD {f.capex_usd_low / 1e9:,.1f}-{f.capex_usd_high / 1e9:,.1f} billion "
        "(catalog price ranges; buildings, power plant and storage not included).",
    ]
    intro = spec.description or f"The cluster '{spec.name}'."
    section = Section("overview", "The machine at a glance",
                      (Paragraph(intro), Bullets(tuple(lines)), table))
    numbers = {"figures": f.model_dump(mode="json")}
    return SectionOutput(section, numbers)
