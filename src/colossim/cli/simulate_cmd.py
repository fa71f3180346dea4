"""`colossim simulate`: months of cluster operations (jobs, failures, repairs, deliveries, serving) on a
scenario, one seed (a table or JSON summary, plots, a Perfetto trace) or many (median and p5-p95 bands
of every headline, on a process pool or Ray, streamed to a resumable Parquet table)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from colossim.cli.common import console, err_console, guarded, print_json
from colossim.inputs import input_error, load_yaml, validate
from colossim.sweep.executors import Engine

POLICY_HELP = "fifo | priority | backfill (default backfill)"


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)


def _overrides(base: dict[str, Any], **flags: Any) -> dict[str, Any]:
    """Apply the flags the user gave (None = not given) onto a config mapping."""
    out = dict(base)
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


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.0f}"
    return f"{v:,}" if isinstance(v, int) else escape(str(v))


TABLE_KEYS = (
    "jobs_total", "jobs_completed", "jobs_failed", "jobs_cancelled", "jobs_rejected", "jobs_running_at_end",
    "jobs_queued_at_end", "peak_capacity_gpus", "capacity_gpu_h", "serving_gpu_h", "busy_gpu_h", "down_gpu_h",
    "utilisation", "goodput", "lost_gpu_h", "queue_time_s_median", "queue_time_s_p95", "jct_s_median",
    "failures", "failures_hit_jobs", "repairs", "preemptions", "spare_swaps", "energy_mwh", "events",
)


def _table(summary: dict[str, Any]) -> Table:
    table = Table(title=escape(f"{summary['workload']} on {summary['pools']} pools, {summary['days']:g} days, "
                               f"policy {summary['policy']}, seed {summary['seed']}"))
    table.add_column("quantity")
    table.add_column("value", justify="right")
    for k in TABLE_KEYS:
        table.add_row(k, _fmt(summary.get(k)))
    for k, v in (summary.get("flagship") or {}).items():
        table.add_row(f"flagship.{k}", _fmt(v))
    table.caption = escape("\n".join(summary.get("notes") or ()))
    return table


def _bands_table(result: dict[str, Any]) -> Table:
    table = Table(title=f"{result['seeds']} seeds: median (p5 - p95)")
    table.add_column("headline")
    for policy in result["bands"]:
        table.add_column(escape(policy), justify="right")
    heads = dict.fromkeys(h for hs in result["bands"].values() for h in hs)
    for h in heads:
        cells = []
        for hs in result["bands"].values():
            b = hs.get(h)
            cells.append("-" if b is None or b["median"] is None else
                         f"{_fmt(b['median'])} ({_fmt(b['p5'])} - {_fmt(b['p95'])})")
        table.add_row(h, *cells)
    return table


def _writable_dir(folder: Path, flag: str, must_exist: bool) -> None:
    """Refuse an output place before the work starts: the folder must be writable (and exist, or have
    a writable parent to be created in when `must_exist` is False)."""
    if folder.exists() and not folder.is_dir():
        raise input_error("command line", f"{folder} is not a folder", f"give {flag} a path in a folder", flag)
    probe = folder
    if not folder.exists():
        if must_exist or not folder.parent.is_dir():
            missing = folder if must_exist else folder.parent
            raise input_error("command line", f"folder {missing} does not exist", f"create it or change {flag}",
                              flag)
        probe = folder.parent
    if not os.access(probe, os.W_OK | os.X_OK):
        raise input_error("command line", f"folder {probe} is not writable", f"change {flag}", flag)


def _check_outputs(trace: Path | None, plot: Path | None, out: Path | None) -> None:
    if trace is not None:
        if trace.is_dir():
            raise input_error("command line", f"--trace {trace} is a folder", "give a file name such as ops.json",
                              "--trace")
        _writable_dir(trace.parent, "--trace", must_exist=True)
    if plot is not None:
        _writable_dir(plot, "--plot", must_exist=False)
    if out is not None:
        from colossim.sweep.store import check_output_path

        check_output_path(out)
        _writable_dir(out.parent, "--out", must_exist=True)


def _config(scenario, cluster, config, policy, placement, spares, flagship, **flags) -> tuple[Any, dict]:
    from colossim.ops import OpsConfig

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
    if flagship if flagship is not None else (scenario == "colossus" or "flagship" in base):
        base.setdefault("flagship", {})
    else:
        base.pop("flagship", None)
    return validate(_overrides(base, **flags), OpsConfig, source), base


def _policy_grid(policies: str | None, base: dict[str, Any]) -> list[dict[str, Any]] | None:
    from colossim.ops.sim.policies import POLICY_KINDS

    if policies is None:
        return None
    kinds = [k.strip() for k in policies.split(",") if k.strip()]
    bad = [k for k in kinds if k not in POLICY_KINDS]
    if bad or not kinds:
        raise input_error("command line", f"unknown policy {bad[0]!r}" if bad else "no policy given",
                          f"use a comma-separated list of {', '.join(POLICY_KINDS)}", "--policies")
    old = base.get("policy") or {}
    return [old if old.get("kind") == k else {"kind": k} for k in dict.fromkeys(kinds)]


@guarded
def simulate(
    scenario: str = typer.Option(None, "--scenario", help="built-in cluster scenario, e.g. colossus"),
    cluster: Path = typer.Option(None, "--cluster", help="cluster YAML file (colossim.cluster format)"),
    days: float = typer.Option(None, "--days", help="simulated days (default 365)"),
    workload: str = typer.Option("synthetic", "--workload", help="'synthetic' or a job-trace CSV file"),
    profile: str = typer.Option(None, "--profile", help="trace the synthetic jobs are fitted to (acme_kalos...)"),
    jobs: int = typer.Option(None, "--jobs", help="synthetic jobs over the period (default 100,000)"),
    load: float = typer.Option(None, "--load", help="synthetic offered load (default 0.5)"),
    policy: str = typer.Option(None, "--policy", help=POLICY_HELP),
    placement: str = typer.Option(None, "--placement", help="topology | first_fit"),
    spares: float = typer.Option(None, "--spares", help="share of nodes held as hot spares (0 = none)"),
    flagship: bool = typer.Option(None, "--flagship/--no-flagship",
                                  help="add the flagship training run (default: on for --scenario colossus)"),
    failures: bool = typer.Option(True, "--failures/--no-failures", help="simulate node failures"),
    seed: int = typer.Option(None, "--seed", help="random seed (default 1); the first of --seeds"),
    seeds: int = typer.Option(None, "--seeds", min=1, max=100_000,
                              help="run this many seeds and report median and p5-p95 of every headline"),
    policies: str = typer.Option(None, "--policies", help="with --seeds: a policy grid, e.g. fifo,backfill"),
    engine: Engine = typer.Option("local", "--engine", help="with --seeds: local (process pool), ray or serial"),
    address: str = typer.Option(None, "--address", help="Ray cluster address (with --engine ray)"),
    workers: int = typer.Option(None, "--workers", min=1, help="with --seeds: worker count [default: all CPUs]"),
    out: Path = typer.Option(None, "--out", help="with --seeds: stream each seed's summary to this .parquet "
                             "or .csv (a rerun after a kill resumes)"),
    config: Path = typer.Option(None, "--config", help="YAML of simulation settings (OpsConfig); flags override"),
    json_out: bool = typer.Option(False, "--json", help="print the summary as JSON"),
    plot: Path = typer.Option(None, "--plot", help="write PNG plots into this folder"),
    trace: Path = typer.Option(None, "--trace", help="write a Chrome/Perfetto trace (JSON) of the timeline"),
) -> None:
    """Simulate jobs, node failures, repairs, rack deliveries and serving on a cluster over months."""
    from colossim.ops import check_run, load_ops_cluster, read_trace_csv
    from colossim.ops.sim.engine import check_gpu_types

    if (scenario is None) == (cluster is None):
        raise input_error("command line", "give exactly one of --scenario NAME and --cluster FILE",
                          "e.g. --scenario colossus")
    many = seeds is not None
    if not many and (policies or out or address or workers):
        raise input_error("command line", "--policies, --out, --address and --workers go with --seeds",
                          "add --seeds N", "--seeds")
    if many and (plot is not None or trace is not None):
        raise input_error("command line", "--plot and --trace show one run", "drop them or --seeds", "--seeds")
    _check_outputs(trace, plot, out)
    ops_cluster = load_ops_cluster(scenario if scenario is not None else str(cluster))
    cfg, base = _config(scenario, cluster, config, policy, placement, spares, flagship, days=days, seed=seed,
                        workload__profile=profile, workload__jobs=jobs, workload__target_load=load,
                        failures__enabled=None if failures else False,
                        record_timeline=True if trace is not None else None)
    grid = _policy_grid(policies, base)
    trace_jobs = None if workload == "synthetic" else read_trace_csv(workload)
    if trace_jobs is not None:
        check_gpu_types(ops_cluster, trace_jobs)
    check_run(ops_cluster, cfg, None if trace_jobs is None else len(trace_jobs) + (cfg.flagship is not None))
    if many:
        _many(ops_cluster, cfg, seeds, grid, trace_jobs, engine, workers, address, out, json_out)
    else:
        _one(ops_cluster, cfg, trace_jobs, json_out, plot, trace)


def _one(ops_cluster, cfg, trace_jobs, json_out: bool, plot: Path | None, trace: Path | None) -> None:
    from colossim.ops import build_workload
    from colossim.ops import simulate as simulate_ops

    result = simulate_ops(ops_cluster, build_workload(ops_cluster, cfg, trace_jobs), cfg)
    if trace is not None:
        from colossim.ops.exports.perfetto import write_perfetto_trace

        write_perfetto_trace(result, trace)
        err_console.print(f"trace written to {trace}", markup=False, highlight=False)
    if plot is not None:
        from colossim.ops.exports.plots import plot_result

        for p in plot_result(result, plot):
            err_console.print(f"plot written to {p}", markup=False, highlight=False)
    summary = result.to_dict()["summary"]
    if json_out:
        print_json(summary)
    else:
        console.print(_table(summary))


def _many(ops_cluster, cfg, seeds, grid, trace_jobs, engine, workers, address, out, json_out: bool) -> None:
    from concurrent.futures.process import BrokenProcessPool

    from colossim.ops.seeds import run_seeds
    from colossim.sweep.executors import make_executor

    # while workers run, anything printed to stdout (Ray's notice of a dead worker, say) goes to stderr:
    # stdout carries the JSON alone
    with contextlib.redirect_stdout(sys.stderr), make_executor(engine, workers, address) as executor:
        try:
            result = run_seeds(ops_cluster, cfg, seeds, executor, policies=grid, trace=trace_jobs, out=out)
        except BrokenProcessPool:
            where = f"; the finished seeds are kept next to {out}: rerun the same command to resume" if out else ""
            err_console.print(f"error: a worker process died{where}", markup=False, highlight=False)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("interrupted" + (f": finished seeds are kept next to {out}; rerun to resume"
                                               if out else ""), markup=False, highlight=False)
            raise typer.Exit(130) from None
    summary = result.to_dict()
    if json_out:
        print_json(summary)
    else:
        console.print(_bands_table(summary))
