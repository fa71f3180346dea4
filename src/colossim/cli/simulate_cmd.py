"""`colossim simulate`: months of cluster operations (jobs, failures, repairs, deliveries) on a scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from colossim.cli.common import console, err_console, guarded, print_json
from colossim.inputs import input_error, load_yaml, validate


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)


def _overrides(base: dict[str, Any], **flags: Any) -> dict[str, Any]:
    """Apply the flags the user gave (None = not given) onto a config mapping."""
    out = {k: v for k, v in base.items()}
    for dotted, value in flags.items():
        if value is None:
            continue
        node = out
        *parents, leaf = dotted.split("__")
        for p in parents:
            node[p] = dict(node.get(p) or {})
            node = node[p]
        node[leaf] = value
    return out


def _table(summary: dict[str, Any]) -> Table:
    table = Table(
        title=f"{summary['workload']} on {summary['pools']} pools, {summary['days']:g} days, "
        f"policy {summary['policy']}, seed {summary['seed']}"
    )
    table.add_column("quantity")
    table.add_column("value", justify="right")

    def fmt(v: Any) -> str:
        if v is None:
            return "-"
        if isinstance(v, float):
            return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.0f}"
        return f"{v:,}" if isinstance(v, int) else str(v)

    keys = (
        "jobs_total",
        "jobs_completed",
        "jobs_failed",
        "jobs_cancelled",
        "jobs_rejected",
        "jobs_running_at_end",
        "jobs_queued_at_end",
        "peak_capacity_gpus",
        "capacity_gpu_h",
        "busy_gpu_h",
        "down_gpu_h",
        "utilisation",
        "goodput",
        "lost_gpu_h",
        "queue_time_s_mean",
        "queue_time_s_median",
        "jct_s_mean",
        "jct_s_median",
        "failures",
        "failures_hit_jobs",
        "repairs",
        "preemptions",
        "spare_swaps",
        "energy_mwh",
        "events",
    )
    for k in keys:
        table.add_row(k, fmt(summary.get(k)))
    for k, v in (summary.get("flagship") or {}).items():
        table.add_row(f"flagship.{k}", fmt(v))
    return table


@guarded
def simulate(
    scenario: str = typer.Option(None, "--scenario", help="built-in cluster scenario, e.g. colossus"),
    cluster: Path = typer.Option(None, "--cluster", help="cluster YAML file (colossim.cluster format)"),
    days: float = typer.Option(None, "--days", help="simulated days (default 365)"),
    workload: str = typer.Option("synthetic", "--workload", help="'synthetic' or a job-trace CSV file"),
    profile: str = typer.Option(
        None, "--profile", help="trace the synthetic jobs are fitted to (acme_kalos...)"
    ),
    jobs: int = typer.Option(None, "--jobs", help="synthetic jobs over the period (default 100,000)"),
    load: float = typer.Option(None, "--load", help="synthetic offered load (default 0.5)"),
    policy: str = typer.Option(None, "--policy", help="fifo | priority | backfill (default backfill)"),
    placement: str = typer.Option(None, "--placement", help="topology | first_fit"),
    spares: float = typer.Option(None, "--spares", help="share of nodes held as hot spares (0 = none)"),
    flagship: bool = typer.Option(
        None,
        "--flagship/--no-flagship",
        help="add the flagship training run (default: on for --scenario colossus)",
    ),
    failures: bool = typer.Option(True, "--failures/--no-failures", help="simulate node failures"),
    seed: int = typer.Option(None, "--seed", help="random seed (default 1)"),
    config: Path = typer.Option(
        None, "--config", help="YAML of simulation settings (OpsConfig); flags override"
    ),
    json_out: bool = typer.Option(False, "--json", help="print the summary as JSON"),
    plot: Path = typer.Option(None, "--plot", help="write PNG plots into this folder"),
    trace: Path = typer.Option(None, "--trace", help="write a Chrome/Perfetto trace (JSON) of the timeline"),
) -> None:
    """Simulate jobs, node failures, repairs and rack deliveries on a cluster over months."""
    from colossim.ops import OpsConfig, build_workload, load_ops_cluster, read_trace_csv
    from colossim.ops import simulate as simulate_ops

    if (scenario is None) == (cluster is None):
        raise input_error(
            "command line",
            "give exactly one of --scenario NAME and --cluster FILE",
            "e.g. --scenario colossus",
        )
    ops_cluster = load_ops_cluster(scenario if scenario is not None else str(cluster))
    base: dict[str, Any] = {}
    source = "command line"
    if config is not None:
        base = load_yaml(config, OpsConfig).model_dump(mode="json", exclude_unset=True)
        source = str(config)
    if policy is not None:
        old = base.get("policy") or {}
        base["policy"] = old if old.get("kind") == policy else {"kind": policy}
    elif "policy" not in base:
        base["policy"] = {"kind": "backfill"}
    if placement is not None:
        base["placement"] = {"kind": placement}
    if spares is not None:
        base["spares"] = {"kind": "none"} if spares == 0 else {"kind": "reserved", "fraction": spares}
    want_flagship = flagship if flagship is not None else (scenario == "colossus" or "flagship" in base)
    if want_flagship:
        base.setdefault("flagship", {})
    else:
        base.pop("flagship", None)
    data = _overrides(
        base,
        days=days,
        seed=seed,
        workload__profile=profile,
        workload__jobs=jobs,
        workload__target_load=load,
        failures__enabled=None if failures else False,
        record_timeline=True if trace is not None else None,
    )
    cfg = validate(data, OpsConfig, source)
    trace_jobs = None if workload == "synthetic" else read_trace_csv(workload)
    jobs_w = build_workload(ops_cluster, cfg, trace_jobs)
    result = simulate_ops(ops_cluster, jobs_w, cfg)
    if trace is not None:
        from colossim.ops.exports.perfetto import write_perfetto_trace

        write_perfetto_trace(result, trace)
        err_console.print(f"trace written to {trace}")
    if plot is not None:
        from colossim.ops.exports.plots import plot_result

        for p in plot_result(result, plot):
            err_console.print(f"plot written to {p}")
    summary = result.to_dict()["summary"]
    if json_out:
        print_json(summary)
    else:
        console.print(_table(summary))
