"""`colossim train` and `colossim compare`: time, energy, cost and CO2 to train a model on a cluster."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from colossim.cli.common import MAX_TOKENS, console, err_console, guarded, parse_date, print_json
from colossim.cluster import load_cluster
from colossim.models.zoo import get_model
from colossim.plan.machine import job_machine
from colossim.train import ReliabilityOptions, TrainingPlan, compare_phases, plan_training

MAX_RUNS = 100_000  # Monte Carlo runs: 50x the default (the Monte Carlo error falls as 1 / sqrt(runs))


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("compare")(compare)


def _spec(scenario: str | None, cluster: Path | None):
    if (scenario is None) == (cluster is None):
        raise ValueError("give exactly one of --scenario NAME or --cluster FILE")
    return load_cluster(str(cluster) if cluster else scenario)


def _options(failures: str, checkpoint: str, runs: int, seed: int) -> ReliabilityOptions:
    from typing import get_args

    from colossim.reliability import CheckpointMode, FailurePresetName

    if failures not in get_args(FailurePresetName):
        raise ValueError(f"--failures {failures!r}: use one of {', '.join(get_args(FailurePresetName))}")
    if checkpoint not in get_args(CheckpointMode):
        raise ValueError(f"--checkpoint {checkpoint!r}: use one of {', '.join(get_args(CheckpointMode))}")
    if runs < 1:
        raise ValueError("--runs must be >= 1")
    return ReliabilityOptions(failures=failures, checkpoint_mode=checkpoint, monte_carlo_runs=runs,  # type: ignore[arg-type]
                              seed=seed)


def _rows(p: TrainingPlan) -> list[tuple[str, str, str]]:
    s = p.summary()
    lay = s["layout"]
    layout = (f"tp{lay['tp']} pp{lay['pp']}x{lay['vpp']} dp{lay['dp']} cp{lay['cp']} ep{lay['ep']} "
              f"mb{lay['mbs']} batch {lay['gbs']:,} ZeRO-{lay['zero']} {lay['recompute']} {lay['precision']}")
    return [
        ("GPUs used", f"{s['gpus']:,} of {s['gpus_available']:,}", s["gpu"]),
        ("best layout", layout, ""),
        ("step time", f"{s['step_time_s']:.2f}", f"s (MFU {100 * s['mfu']:.1f}%)"),
        ("throughput", f"{s['tokens_per_s']:,.0f}", "tokens/s"),
        ("memory per GPU", f"{s['memory_per_gpu_gb']:.1f}", "GB"),
        ("ideal time to train", f"{s['ideal_days']:.1f}", "days (no failures, no checkpoints)"),
        ("with failures (p10 / p50 / p90)",
         f"{s['wall_days_p10']:.1f} / {s['wall_days_p50']:.1f} / {s['wall_days_p90']:.1f}", "days (Monte Carlo)"),
        ("expected (closed form)", f"{s['expected_days']:.1f}", "days (Daly)"),
        ("goodput (ETTR)", f"{100 * s['goodput_p50']:.1f}", "%"),
        ("interruptions", f"{s['interruptions_p50']:,.0f}", f"({s['interruptions_per_day']:.1f} per day, "
                                                           f"job MTTF {s['job_mttf_h']:.2f} h)"),
        ("checkpoint", f"{s['checkpoint_size_tb']:.1f} TB every {s['checkpoint_interval_min']:.1f} min",
         f"({s['checkpoint_blocking_s']:.1f} s blocking, restart {s['restart_s']:.0f} s)"),
        ("hot spare nodes", f"{s['spare_nodes']:,}", "to keep the job at full size"),
        ("GPU-hours", f"{s['gpu_hours']:,.0f}", "h"),
        ("energy (facility)", f"{s['energy_mwh']:,.0f}", f"MWh (average {s['avg_power_mw']:.1f} MW)"),
        ("CO2", f"{s['co2_t']:,.0f}", "t"),
        ("water", f"{s['water_m3']:,.0f}", "m3"),
        ("electricity cost", f"{s['electricity_cost_usd'] / 1e6:,.1f}", "million USD"),
        ("hardware cost (amortised)", f"{s['hardware_cost_usd'] / 1e6:,.1f}", "million USD"),
        ("cost per million tokens", f"{s['cost_per_million_tokens_usd']:.2f}", "USD"),
    ]


def _print_plan(p: TrainingPlan, title: str) -> None:
    table = Table(title=title)
    for col in ("quantity", "value", "unit / note"):
        table.add_column(col)
    for row in _rows(p):
        table.add_row(*row)
    console.print(table)
    assumptions = Table(title="assumptions")
    for col in ("name", "value", "unit", "source"):
        assumptions.add_column(col, overflow="fold")
    for a in p.assumptions:
        value = a["value"]
        assumptions.add_row(a["name"], f"{value:,.4g}" if isinstance(value, float) else str(value), a["unit"],
                            a["source"])
    console.print(assumptions)


@guarded
def train(
    model: str = typer.Option(..., "--model", help="model id from the zoo"),
    tokens: float = typer.Option(..., "--tokens", min=1, max=MAX_TOKENS, help="training tokens, e.g. 15e12"),
    scenario: str | None = typer.Option(None, "--scenario", help="built-in cluster (colossus, colossus-2)"),
    cluster: Path | None = typer.Option(None, "--cluster", help="cluster YAML file"),
    gpus: int | None = typer.Option(None, "--gpus", help="GPUs for the job (default: all of that type)"),
    gpu: str | None = typer.Option(None, "--gpu", help="GPU type (default: the most numerous)"),
    at: str | None = typer.Option(None, "--at", help="cluster as of YYYY-MM-DD (default: final)"),
    precision: str = typer.Option("bf16", "--precision", help="bf16 | fp8 | fp4"),
    failures: str = typer.Option("llama3_h100", "--failures", help="failure-rate preset"),
    checkpoint: str = typer.Option("blocking", "--checkpoint", help="blocking | async | in_memory"),
    runs: int = typer.Option(2000, "--runs", min=1, max=MAX_RUNS, help="Monte Carlo runs"),
    seed: int = typer.Option(1, "--seed", min=0, help="Monte Carlo seed"),
    json_out: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Find the best layout, then the ideal and failure-adjusted time to train, GPU-hours, energy, CO2,
    water and cost, with the assumptions behind them."""
    spec = _spec(scenario, cluster)
    machine = job_machine(spec, gpu, parse_date(at))
    if gpus is not None and gpus < 1:
        raise ValueError("--gpus must be >= 1")
    p = plan_training(get_model(model), spec, machine, tokens, gpus=gpus, precisions=(precision,),
                      options=_options(failures, checkpoint, runs, seed))
    if json_out:
        print_json({**p.summary(), "assumptions": p.assumptions})
        return
    _print_plan(p, f"{p.model}: {tokens:.3g} tokens on {spec.name} ({p.gpu})")


@guarded
def compare(
    model: str = typer.Option(..., "--model", help="model id from the zoo"),
    tokens: float = typer.Option(..., "--tokens", min=1, max=MAX_TOKENS, help="training tokens, e.g. 15e12"),
    scenario: str | None = typer.Option(None, "--scenario", help="built-in cluster (colossus, colossus-2)"),
    cluster: Path | None = typer.Option(None, "--cluster", help="cluster YAML file"),
    precision: str = typer.Option("bf16", "--precision", help="bf16 | fp8 | fp4"),
    failures: str = typer.Option("llama3_h100", "--failures", help="failure-rate preset"),
    checkpoint: str = typer.Option("blocking", "--checkpoint", help="blocking | async | in_memory"),
    runs: int = typer.Option(2000, "--runs", min=1, max=MAX_RUNS, help="Monte Carlo runs"),
    json_out: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """The same training run on each phase of a scenario, side by side (best partition of each phase)."""
    spec = _spec(scenario, cluster)
    phases = compare_phases(get_model(model), spec, tokens, precisions=(precision,),
                            options=_options(failures, checkpoint, runs, 1))
    compared = {c.phase for c in phases}
    for phase in spec.phases:
        if phase.name not in compared:
            err_console.print(f"note: phase '{phase.name}' is left out: the cluster has no GPUs after it",
                              highlight=False)
    if json_out:
        print_json({"model": model, "cluster": spec.name, "tokens": tokens, "phases": [
            {"phase": c.phase, "cluster_gpus": c.cluster_gpus, **c.best.summary(),
             "other_partitions": [{"gpu": o.gpu, "gpus": o.gpus, "wall_days_p50": o.monte_carlo["wall_days"]["p50"]}
                                  for o in c.others]} for c in phases]})
        return
    table = Table(title=f"{model}: {tokens:.3g} tokens on each phase of {spec.name}")
    table.add_column("quantity")
    for c in phases:
        table.add_column(f"{c.phase}\n({c.cluster_gpus:,} GPUs)", justify="right")
    rows = [_rows(c.best) for c in phases]
    for i, (name, _, unit) in enumerate(rows[0]):
        label = f"{name} [{unit.split(' (')[0]}]" if unit and not unit.startswith("(") else name
        table.add_row(label,
                      *(r[i][1] + (f" {r[i][2]}" if r[i][2].startswith("(") else "") for r in rows))
    console.print(table)
    console.print(_assumptions_by_phase(phases))


def _value(v) -> str:
    return f"{v:,.4g}" if isinstance(v, float) else str(v)


def _assumptions_by_phase(phases) -> Table:
    """One row per assumption, one value column per phase (they differ in supply mix and storage share)."""
    table = Table(title="assumptions")
    for col in ("name", *(c.phase for c in phases), "unit", "source"):
        table.add_column(col, overflow="fold")
    by_phase = [{a["name"]: a for a in c.best.assumptions} for c in phases]
    for name, first in by_phase[-1].items():
        table.add_row(name, *(_value(p[name]["value"]) if name in p else "-" for p in by_phase), first["unit"],
                      first["source"])
    return table
