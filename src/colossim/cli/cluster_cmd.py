"""`colossim cluster` (headline figures and growth of a scenario) and `colossim buy` (what a budget adds)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import get_args

import typer
from rich.table import Table

from colossim import __version__
from colossim.catalog import load_catalog
from colossim.cli.common import (
    MAX_BUDGET_USD,
    atomic_write_text,
    check_output,
    console,
    err_console,
    guarded,
    parse_date,
    print_json,
    writing,
)
from colossim.cluster import buy, cluster_figures, growth, list_scenarios, load_cluster
from colossim.cluster.buy import DEFAULT_COMPARE
from colossim.cluster.campus import is_campus, list_campuses
from colossim.cluster.figures import ClusterFigures, GrowthRow
from colossim.energy.emissions import GwpHorizon, LeakPreset, MethaneLeak
from colossim.inputs import input_error
from colossim.words import spread_words


def register(app: typer.Typer) -> None:
    app.command("cluster")(cluster)
    app.command("buy")(buy_cmd)


def _n(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


def _ranged(fig: ClusterFigures, name: str, fmt: str, scale: float = 1.0) -> str:
    """A figure with its p10-p90 range (cluster.ranges): '329.8 (315.7-364.6)'."""
    return spread_words(getattr(fig, name) * scale, getattr(fig, f"{name}_low") * scale,
                        getattr(fig, f"{name}_high") * scale, fmt)


def _summary_table(fig: ClusterFigures) -> Table:
    table = Table(title=f"{fig.scenario} on {fig.at} (phases: {', '.join(fig.phases)}; site {fig.site})")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_column("unit")
    rows = [
        ("GPUs", f"{fig.gpus:,}", ", ".join(f"{k} {v:,}" for k, v in fig.gpus_by_type.items())),
        ("peak dense BF16", _n(fig.peak_bf16_eflops), "EFLOP/s"),
        ("peak dense FP8", _n(fig.peak_fp8_eflops), "EFLOP/s"),
        ("peak dense FP4", _n(fig.peak_fp4_eflops), f"EFLOP/s ({fig.fp4_gpus:,} GPUs with FP4)"),
        ("HBM", _n(fig.hbm_tb, 0), "TB"),
        ("GPU systems, nameplate", _n(fig.gpu_systems_power_max_mw), "MW"),
        ("network: switches + switch-side optics", _n(fig.network_power_mw), "MW"),
        ("storage", _n(fig.storage_power_mw), "MW"),
        ("CPU nodes and other IT", _n(fig.cpu_other_power_mw), "MW"),
        ("IT power, nameplate", _n(fig.it_power_max_mw), "MW"),
        ("IT power, training peak", _n(fig.it_power_peak_mw), "MW (every GPU at its TDP)"),
        (
            "IT power, sustained training",
            _n(fig.it_power_mw),
            f"MW (GPUs at {fig.training_utilisation:.0%} utilisation)",
        ),
        ("PUE", f"{fig.pue:.2f}", ""),
        ("facility power, nameplate", _n(fig.facility_power_max_mw), "MW"),
        ("facility power, training peak", _n(fig.facility_power_peak_mw), "MW"),
        ("facility power, sustained", _ranged(fig, "facility_power_mw", "{:,.1f}"), "MW"),
        ("energy", _ranged(fig, "energy_gwh_per_year", "{:,.0f}"), "GWh/year"),
        ("electricity at site tariff", _ranged(fig, "electricity_cost_usd_per_year", "{:,.0f}", 1e-6),
         "million USD/year"),
        ("CO2", _ranged(fig, "co2_t_per_year", "{:,.0f}", 1e-3),
         f"kt/year ({fig.gas_turbine_share:.0%} gas turbines, {fig.co2_g_per_kwh:.0f} g/kWh)"),
        ("water", _ranged(fig, "water_m3_per_year", "{:,.0f}", 1e-3),
         f"thousand m3/year ({fig.water_million_gal_per_year:,.0f} million US gallons)"),
        (
            "capital cost, servers",
            f"{fig.capex_servers_usd_low / 1e9:.1f}-{fig.capex_servers_usd_high / 1e9:.1f}",
            "billion USD",
        ),
        (
            "capital cost, network",
            f"{fig.capex_network_usd_low / 1e9:.1f}-{fig.capex_network_usd_high / 1e9:.1f}",
            "billion USD",
        ),
        ("racks", f"{fig.racks:,}", f"({fig.racks_gpu:,} GPU + {fig.racks_network:,} network)"),
        ("floor space", _n(fig.floor_m2, 0), "m2"),
        (
            "storage",
            f"{fig.storage_capacity_pb:,.0f} PB",
            f"write {fig.storage_write_gb_s:,.0f} GB/s, read {fig.storage_read_gb_s:,.0f} GB/s",
        ),
    ]
    for row in rows:
        table.add_row(*row)
    return table


def _fabric_table(fig: ClusterFigures) -> Table:
    fab = fig.fabric
    table = Table(title=f"scale-out fabric: {fab.kind}, {fab.switch} ({fab.port_gbps:g}G ports)")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_column("unit")
    rows = [
        ("tiers", str(fab.tiers), f"(holds up to {fab.max_endpoint_ports:,} ports)"),
        ("switches per tier, leaf first", " / ".join(f"{s:,}" for s in fab.switches_per_tier), "switches"),
        ("links per tier, endpoints first", " / ".join(f"{s:,}" for s in fab.links_per_tier), "links"),
        ("front-end fabric", f"{fab.frontend_switches:,}", f"switches in {fab.frontend_tiers} tiers"),
        (
            "optics",
            f"{fab.switch_optics + fab.frontend_switch_optics:,} + {fab.nic_optics:,}",
            "switch-side + NIC-side modules",
        ),
        (
            "bandwidth per GPU",
            f"{fab.gbps_per_gpu:g}",
            f"Gb/s ({fab.effective_gbps_per_gpu:g} Gb/s beyond "
            f"{fab.local_gpus:,} GPUs, {fab.oversubscription:g}:1)",
        ),
        (
            "switch latency",
            f"{fab.hop_latency_us:g} x {fab.max_switch_hops}",
            f"us x hops = {fab.latency_us_max:g} us",
        ),
    ]
    for row in rows:
        table.add_row(*row)
    return table


def _growth_table(rows: list[GrowthRow]) -> Table:
    table = Table(title="growth by phase (the cluster right after each phase)")
    for col in ("phase", "start", "GPUs", "BF16 EF/s", "MW sust.", "MW max", "switches", "racks", "capex $B"):
        table.add_column(col, justify="left" if col in ("phase", "start") else "right")
    for r in rows:
        table.add_row(
            r.phase,
            str(r.start),
            f"{r.gpus:,}",
            _n(r.peak_bf16_eflops),
            _n(r.facility_power_mw, 0),
            _n(r.facility_power_max_mw, 0),
            f"{r.switches:,}",
            f"{r.racks:,}",
            f"{r.capex_usd_low / 1e9:.1f}-{r.capex_usd_high / 1e9:.1f}",
        )
    return table


def _methane(leak: str, gwp: str) -> MethaneLeak:
    leaks, horizons = get_args(LeakPreset), get_args(GwpHorizon)
    if leak not in leaks:
        raise input_error("command line", f"--methane-leak {leak!r} is not a preset", f"use one of {', '.join(leaks)}",
                          "--methane-leak")
    if gwp not in horizons:
        raise input_error("command line", f"--gwp {gwp!r} is not a horizon", f"use one of {', '.join(horizons)}",
                          "--gwp")
    return MethaneLeak(leak, gwp)  # type: ignore[arg-type]


def _print_figures(fig: ClusterFigures, rows: list[GrowthRow]) -> None:
    from colossim.cli.supply_tables import emissions_table, fleets_table, permits_table, supply_table

    console.print(_summary_table(fig))
    console.print("In brackets: the p10-p90 range of a seeded Monte Carlo over PUE, the GPUs' training draw and the "
                  "turbines' CO2 per kWh (colossim.cluster.ranges); capital cost spans the catalog's price ranges.",
                  highlight=False, markup=False)
    if fig.site_use_note:
        console.print(fig.site_use_note, highlight=False, markup=False)
    if fig.supply is not None:
        console.print(supply_table(fig.supply))
        if fig.supply.fleets:
            console.print(fleets_table(fig.supply))
        console.print(emissions_table(fig.supply))
        if fig.supply.permits:
            console.print(permits_table(fig.supply))
    console.print(_fabric_table(fig))
    console.print(_growth_table(rows))


def _compare_variants(ref: str, json_out: bool) -> None:
    from colossim.cli.supply_tables import campus_table, claims_rich, variants_table
    from colossim.cluster.claims import claims_table
    from colossim.cluster.variants import family, family_dates, has_variants, variant_figures

    catalog = load_catalog()
    if not has_variants(ref, catalog):  # no variant scenarios: the record's claims about this one, if any
        claims = claims_table({ref}, catalog)
        if not claims:
            family(ref, catalog)  # raises, naming the scenarios that have variants
        if json_out:
            print_json({"family": None, "variants": [], "claims": claims})
            return
        console.print(f"'{ref}' has no claimed/observed variant scenarios; the record's claims about it:",
                      highlight=False)
        console.print(claims_rich(claims))
        return
    name, members = family(ref, catalog)
    dates = family_dates(members, catalog)
    claims = claims_table({m.name for m in members}, catalog)
    if json_out:
        print_json({"family": name, "variants": [
            {"scenario": m.name, "kind": m.kind, "campus": m.campus,
             "dates": [{"at": d.isoformat(), "figures": variant_figures(m, d, catalog)} for d in dates]}
            for m in members],
            "claims": claims})
        return
    if any(m.campus for m in members):
        for d in dates:
            for m in members:
                console.print(campus_table(variant_figures(m, d, catalog)))
    else:
        columns = [(m.name, m.kind, d, variant_figures(m, d, catalog)) for d in dates for m in members]
        console.print(variants_table(name, columns))
    if claims:
        console.print(claims_rich(claims))


def _campus(ref: str, when: date | None, methane: MethaneLeak, json_out: bool) -> None:
    from colossim.cli.supply_tables import campus_table
    from colossim.cluster.campus import campus_figures, load_campus

    figures = campus_figures(load_campus(ref), load_catalog(), when, methane)
    if json_out:
        print_json({"campus": figures})
        return
    console.print(campus_table(figures))
    console.print("A campus is several sites with their own fabrics: no training job spans them.", highlight=False)


@guarded
def cluster(
    scenario: str = typer.Argument("colossus", help="built-in scenario or campus name, or a cluster YAML file"),
    at: str | None = typer.Option(None, "--at", help="date YYYY-MM-DD (default: after the last phase)"),
    json_out: bool = typer.Option(False, "--json", help="print JSON instead of tables"),
    list_only: bool = typer.Option(False, "--list", help="list the built-in scenarios and campuses and exit"),
    compare_variants: bool = typer.Option(False, "--compare-variants", help="the scenario's claimed and observed "
                                          "variants side by side, and the claims against independent estimates"),
    methane_leak: str = typer.Option("none", "--methane-leak", help="upstream methane for CO2e: none | alvarez2018"),
    gwp: str = typer.Option("gwp100", "--gwp", help="methane's warming horizon for CO2e: gwp100 | gwp20"),
    export: Path | None = typer.Option(None, "--export", help="write the cluster as a YAML file to edit (a what-if: "
                                       "every command takes it as SCENARIO|FILE) and exit"),
) -> None:
    """Headline figures of a cluster: GPUs, peak compute, power, the supply that carried it on that date (grid,
    batteries, gas turbines), emissions against the permits, water, cost, fabric, growth."""
    check_output(export, "--export")
    if export is not None:
        from colossim.cluster.whatif import cluster_yaml

        spec = load_cluster(scenario, load_catalog())
        with writing(export, "--export"):
            atomic_write_text(export, cluster_yaml(spec, f"exported by colossim {__version__} from '{scenario}'"))
        err_console.print(f"wrote {export}: edit it, then e.g. `colossim train {export} --model ... --tokens ...`",
                          highlight=False, markup=False)
        return
    if list_only:
        names = list_scenarios()
        if json_out:
            print_json({"scenarios": names, "campuses": list_campuses()})
        else:
            console.print("\n".join([*names, *(f"{c} (campus)" for c in list_campuses())]))
        return
    methane = _methane(methane_leak, gwp)
    when = parse_date(at)
    if compare_variants:
        _compare_variants(scenario, json_out)
        return
    if is_campus(scenario):
        _campus(scenario, when, methane, json_out)
        return
    catalog = load_catalog()
    spec = load_cluster(scenario, catalog)
    fig = cluster_figures(spec, catalog, when, methane)
    rows = growth(spec, catalog)
    if json_out:
        print_json({"figures": fig, "growth": rows})
        return
    _print_figures(fig, rows)


_BUY_ROWS = (
    ("units (price range)", lambda o: f"{o.units:,} ({o.units_low:,}-{o.units_high:,})"),
    ("GPUs", lambda o: f"{o.gpus:,}"),
    ("racks", lambda o: f"{o.racks:,}"),
    ("+ BF16 EFLOP/s", lambda o: _n(o.added_peak_bf16_eflops)),
    ("+ FP8 EFLOP/s", lambda o: _n(o.added_peak_fp8_eflops)),
    ("+ FP4 EFLOP/s", lambda o: _n(o.added_peak_fp4_eflops)),
    ("+ HBM TB", lambda o: _n(o.added_hbm_tb, 0)),
    ("+ facility MW, sustained", lambda o: _n(o.added_facility_power_mw)),
    ("+ facility MW, nameplate", lambda o: _n(o.added_facility_power_max_mw)),
    ("BF16 PFLOP/s per MW", lambda o: _n(o.bf16_pflops_per_mw, 0)),
    ("USD per BF16 TFLOP/s", lambda o: _n(o.usd_per_bf16_tflops)),
    ("network USD per unit", lambda o: _n(o.network_usd_per_unit, 0)),
)


@guarded
def buy_cmd(
    budget: float = typer.Option(..., "--budget", min=1, max=MAX_BUDGET_USD, help="money to spend, USD (e.g. 5e9)"),
    system: str = typer.Option(..., "--system", help="catalog system id to buy (e.g. gb200_nvl72)"),
    scenario: str = typer.Option("colossus", "--scenario", help="scenario name or cluster YAML file"),
    at: str | None = typer.Option(None, "--at", help="add to the cluster as on this date (YYYY-MM-DD)"),
    json_out: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
    write: Path | None = typer.Option(None, "--write", help="also write the scenario with the purchase added as a "
                                      "dated phase (a cluster YAML every command takes as SCENARIO|FILE)"),
) -> None:
    """What a budget buys: units, racks and GPUs of one system, the compute and power it adds to a
    scenario, and the same money spent on H100 and H200 servers."""
    check_output(write, "--write")
    catalog = load_catalog()
    spec = load_cluster(scenario, catalog)
    result = buy(spec, catalog, budget, system, parse_date(at), DEFAULT_COMPARE)
    if write is not None:
        from colossim.cluster.use import use_at
        from colossim.cluster.whatif import cluster_yaml, with_purchase

        after = with_purchase(spec, result)
        with writing(write, "--write"):
            atomic_write_text(write, cluster_yaml(after, f"colossim {__version__}: colossim buy --budget {budget:g} "
                                                         f"--system {system} --scenario {scenario} --at {result.at}"))
        leased = "" if use_at(after, result.at) == "training" else (
            f" (the site is not training on {result.at}: pass --at with a training date to train on it)")
        err_console.print(f"wrote {write}: {spec.name} with {result.option.units:,} {system} added on {result.at}"
                          f"{leased}; e.g. `colossim train {write} --model ... --tokens ...`",
                          highlight=False, markup=False)
    if json_out:
        print_json(result)
        return
    options = (result.option, *result.comparisons)
    table = Table(
        title=f"USD {budget / 1e9:,.2f} billion added to {result.scenario} on {result.at} "
        "(units at the mid price)"
    )
    table.add_column("", overflow="fold")
    for option in options:
        table.add_column(option.system, justify="right", overflow="fold")
    for label, cell in _BUY_ROWS:
        table.add_row(label, *(cell(o) for o in options))
    console.print(table)
    console.print(
        f"{result.scenario}: {result.baseline_gpus:,} -> {result.after_gpus:,} GPUs, "
        f"BF16 {result.baseline_peak_bf16_eflops:,.1f} -> {result.after_peak_bf16_eflops:,.1f} EFLOP/s, "
        f"facility {result.baseline_facility_power_mw:,.1f} -> {result.after_facility_power_mw:,.1f} MW "
        f"sustained ({result.after_facility_power_max_mw:,.1f} MW nameplate)."
    )
