"""`colossim cluster` (headline figures and growth of a scenario) and `colossim buy` (what a budget adds)."""

from __future__ import annotations

import typer
from rich.table import Table

from colossim.catalog import load_catalog
from colossim.cli.common import MAX_BUDGET_USD, console, guarded, parse_date, print_json
from colossim.cluster import buy, cluster_figures, growth, list_scenarios, load_cluster
from colossim.cluster.buy import DEFAULT_COMPARE
from colossim.cluster.figures import ClusterFigures, GrowthRow


def register(app: typer.Typer) -> None:
    app.command("cluster")(cluster)
    app.command("buy")(buy_cmd)


def _n(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}"


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
        ("facility power, sustained", _n(fig.facility_power_mw), "MW"),
        ("energy", _n(fig.energy_gwh_per_year, 0), "GWh/year"),
        ("electricity at site tariff", _n(fig.electricity_cost_usd_per_year / 1e6, 0), "million USD/year"),
        (
            "CO2",
            f"{fig.co2_t_per_year / 1e3:,.0f} ({fig.co2_t_per_year_low / 1e3:,.0f}-"
            f"{fig.co2_t_per_year_high / 1e3:,.0f})",
            f"kt/year ({fig.gas_turbine_share:.0%} gas turbines, {fig.co2_g_per_kwh:.0f} g/kWh)",
        ),
        (
            "water",
            _n(fig.water_million_gal_per_year, 0),
            f"million gal/year ({fig.water_m3_per_year:,.0f} m3)",
        ),
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


@guarded
def cluster(
    scenario: str = typer.Argument("colossus", help="built-in scenario name or path of a cluster YAML file"),
    at: str | None = typer.Option(None, "--at", help="date YYYY-MM-DD (default: after the last phase)"),
    json_out: bool = typer.Option(False, "--json", help="print JSON instead of tables"),
    list_only: bool = typer.Option(False, "--list", help="list the built-in scenarios and exit"),
) -> None:
    """Headline figures of a cluster: GPUs, peak compute, power, energy, CO2, water, cost, fabric, growth."""
    if list_only:
        names = list_scenarios()
        if json_out:
            print_json({"scenarios": names})
        else:
            console.print("\n".join(names))
        return
    catalog = load_catalog()
    spec = load_cluster(scenario, catalog)
    when = parse_date(at)
    fig = cluster_figures(spec, catalog, when)
    rows = growth(spec, catalog)
    if json_out:
        print_json({"figures": fig, "growth": rows})
        return
    console.print(_summary_table(fig))
    console.print(_fabric_table(fig))
    console.print(_growth_table(rows))


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
) -> None:
    """What a budget buys: units, racks and GPUs of one system, the compute and power it adds to a
    scenario, and the same money spent on H100 and H200 servers."""
    catalog = load_catalog()
    spec = load_cluster(scenario, catalog)
    result = buy(spec, catalog, budget, system, parse_date(at), DEFAULT_COMPARE)
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
