"""`colossim train` and `colossim compare`: time, energy, cost and CO2 to train a model on a cluster."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from colossim.cli.common import (
    MAX_TOKENS,
    cluster_spec,
    console,
    err_console,
    guarded,
    model_spec,
    parse_date,
    print_json,
    working,
)
from colossim.cli.sources import AssumptionRow, assumptions_view
from colossim.cluster.use import training_snapshots, use_at
from colossim.plan.machine import choose_machines
from colossim.train import (
    PhaseComparison,
    RangeOptions,
    ReliabilityOptions,
    TrainingPlan,
    compare_phases,
    plan_training,
    with_headline,
    with_ranges,
)
from colossim.words import count_words, spread_words

MAX_RUNS = 100_000  # Monte Carlo runs: 50x the default (the Monte Carlo error falls as 1 / sqrt(runs))


def register(app: typer.Typer) -> None:
    app.command("train")(train)
    app.command("compare")(compare)


def _options(failures: str, checkpoint: str, runs: int, seed: int, interval: str = "practice_30min"
             ) -> ReliabilityOptions:
    from typing import get_args

    from colossim.reliability import CheckpointMode, FailurePresetName, IntervalPolicy

    if interval not in get_args(IntervalPolicy):
        raise ValueError(f"--interval {interval!r}: use one of {', '.join(get_args(IntervalPolicy))}")

    if failures not in get_args(FailurePresetName):
        raise ValueError(f"--failures {failures!r}: use one of {', '.join(get_args(FailurePresetName))}")
    if checkpoint not in get_args(CheckpointMode):
        raise ValueError(f"--checkpoint {checkpoint!r}: use one of {', '.join(get_args(CheckpointMode))}")
    if runs < 1:
        raise ValueError("--runs must be >= 1")
    return ReliabilityOptions(failures=failures, checkpoint_mode=checkpoint, monte_carlo_runs=runs,  # type: ignore[arg-type]
                              seed=seed, interval=interval)  # type: ignore[arg-type]


def _spread(s: dict, key: str, fmt: str, scale: float = 1.0) -> str:
    """A headline with its range (train.ranges, 80 %): '27.4 (24.8-49.7)'."""
    low, high = s.get(f"{key}_low"), s.get(f"{key}_high")
    return spread_words(s[key] * scale, None if low is None else low * scale, None if high is None else high * scale,
                        fmt)


def _rows(p: TrainingPlan) -> list[tuple[str, str, str]]:
    s = p.summary()
    lay = s["layout"]
    layout = (f"tp{lay['tp']} pp{lay['pp']}x{lay['vpp']} dp{lay['dp']} cp{lay['cp']} ep{lay['ep']} "
              f"mb{lay['mbs']} batch {lay['gbs']:,} ZeRO-{lay['zero']} {lay['recompute']} {lay['precision']}")
    return [
        ("GPUs used", f"{s['gpus']:,} of {s['gpus_available']:,}", f"partition {s['partition']}"),
        ("best layout", layout, ""),
        ("step time", f"{s['step_time_s']:.2f}", f"s (MFU {100 * s['mfu']:.1f}%)"),
        ("throughput", f"{s['tokens_per_s']:,.0f}", "tokens/s"),
        ("memory per GPU", f"{s['memory_per_gpu_gb']:.1f}", "GB"),
        ("ideal time to train", f"{s['ideal_days']:.1f}", "days (no failures, no checkpoints)"),
        ("tokens a day", f"{s['effective_tokens_per_day'] / 1e9:,.1f}",
         f"billion (with failures; {s['tokens_per_day'] / 1e9:,.1f} billion ideal)"),
        ("days to train, with failures", _spread(s, "wall_days_p50", "{:,.1f}"),
         f"days (median of the failure Monte Carlo: p10 {s['wall_days_p10']:.1f}, p90 {s['wall_days_p90']:.1f})"),
        ("expected (closed form)", f"{s['expected_days']:.1f}", "days (Daly)"),
        ("goodput (ETTR)", _spread(s, "goodput_p50", "{:.1f}", 100.0), "%"),
        ("interruptions", f"{s['interruptions_p50']:,.0f}", f"({s['interruptions_per_day']:.1f} per day, "
                                                           f"job MTTF {s['job_mttf_h']:.2f} h)"),
        ("checkpoint", f"{s['checkpoint_size_tb']:.1f} TB every {s['checkpoint_interval_min']:.1f} min",
         f"({s['checkpoint_interval_rule']}; {s['checkpoint_blocking_s']:.1f} s blocking, "
         f"restart {s['restart_s']:.0f} s)"),
        ("Young/Daly optimum", f"every {s['checkpoint_interval_optimal_min']:.1f} min",
         f"(goodput {100 * s['ettr_optimal']:.1f}% there, {100 * s['ettr_expected']:.1f}% at the interval used)"),
        ("hot spare nodes", f"{s['spare_nodes']:,}", "to keep the job at full size"),
        ("GPU-hours", f"{s['gpu_hours']:,.0f}", "h"),
        ("energy (facility)", _spread(s, "energy_mwh", "{:,.0f}"), f"MWh ({s['busy_power_mw']:.1f} MW computing)"),
        ("average power", _spread(s, "avg_power_mw", "{:,.1f}"), "MW (facility)"),
        ("CO2", _spread(s, "co2_t", "{:,.0f}"), "t"),
        ("water", _spread(s, "water_m3", "{:,.0f}"), "m3"),
        ("electricity cost", f"{s['electricity_cost_usd'] / 1e6:,.1f}", "million USD"),
        ("hardware cost (amortised)", f"{s['hardware_cost_usd'] / 1e6:,.1f}", "million USD"),
        ("total cost", _spread(s, "total_cost_usd", "{:,.1f}", 1e-6), "million USD"),
        ("cost per million tokens", _spread(s, "cost_per_million_tokens_usd", "{:.2f}"), "USD"),
    ]


def _print_plan(p: TrainingPlan, title: str) -> None:
    table = Table(title=title)
    for col in ("quantity", "value", "unit / note"):
        table.add_column(col)
    for row in _rows(p):
        table.add_row(*row)
    console.print(table)
    if p.ranges is not None:
        console.print(f"In brackets: the {_interval(p)} range of a seeded Monte Carlo over the estimate inputs and the "
                      "step model's error on runs it was not fitted on; the first figure is the point (every input "
                      "at its mid).", highlight=False, markup=False)
        console.print(_tornado(p))
    console.print(assumptions_view("assumptions", ["value"], [AssumptionRow(a.name, (_value(a.value),), a.unit,
                                                                          a.source) for a in p.assumptions]))


def _interval(p: TrainingPlan) -> str:
    lo, hi = p.ranges.interval
    return f"p{100 * lo:g}-p{100 * hi:g}"


TORNADO = {"wall_days_p50": ("days", "{:,.1f}", 1.0), "co2_t": ("CO2, t", "{:,.0f}", 1.0),
           "total_cost_usd": ("cost, million USD", "{:,.1f}", 1e-6)}


def _tornado(p: TrainingPlan, top: int = 4) -> Table:
    """The inputs that move each headline most: the figure with that input at its low and at its high."""
    table = Table(title="what moves the headline most (each input at its low / its high, the others at mid)")
    for col in ("figure", "input", "input low / high", "figure at low / high"):
        table.add_column(col, justify="left" if col in ("figure", "input") else "right")
    inputs = {i.name: i for i in p.ranges.inputs}

    def num(x: float) -> str:
        return f"{x:,.0f}" if abs(x) >= 1e4 else f"{x:,.3g}"

    for name, (label, fmt, scale) in TORNADO.items():
        bars = [b for b in p.ranges.tornado[name] if b.swing > 0][:top]
        for n, bar in enumerate(bars):
            table.add_row(label if n == 0 else "", bar.label,
                          f"{num(bar.input_low)} / {num(bar.input_high)} {inputs[bar.input].unit}",
                          f"{fmt.format(bar.at_low * scale)} / {fmt.format(bar.at_high * scale)}",
                          end_section=n == len(bars) - 1)
    return table


@guarded
def train(
    model: str | None = typer.Option(None, "--model", help="model id from the zoo (`colossim models`)"),
    model_file: Path | None = typer.Option(None, "--model-file", help="a model of your own: a YAML of zoo fields"),
    tokens: float = typer.Option(..., "--tokens", min=1, max=MAX_TOKENS, help="training tokens, e.g. 15e12"),
    where: str | None = typer.Argument(None, metavar="[SCENARIO|FILE]", help="built-in scenario (colossus, "
                                       "colossus-2) or a cluster YAML file; or use --scenario / --cluster"),
    scenario: str | None = typer.Option(None, "--scenario", help="built-in cluster (colossus, colossus-2)"),
    cluster: Path | None = typer.Option(None, "--cluster", help="cluster YAML file"),
    gpus: int | None = typer.Option(None, "--gpus", help="GPUs for the job (default: all of the partition)"),
    partition: str | None = typer.Option(None, "--partition", "--gpu", help="partition name (e.g. h100+h200) or "
                                         "a GPU type in it (default: the largest that holds --gpus)"),
    at: str | None = typer.Option(None, "--at", help="cluster as of YYYY-MM-DD (default: final)"),
    precision: str = typer.Option("bf16", "--precision", help="bf16 | fp8 | fp4"),
    failures: str = typer.Option("llama3_h100", "--failures", help="failure-rate preset"),
    checkpoint: str = typer.Option("blocking", "--checkpoint", help="blocking | async | in_memory"),
    interval: str = typer.Option("practice_30min", "--interval", help="checkpoint interval: practice_30min | "
                                 "practice_15min (what labs use at scale) | optimal (Daly's optimum)"),
    runs: int = typer.Option(2000, "--runs", min=1, max=MAX_RUNS, help="Monte Carlo runs"),
    seed: int = typer.Option(1, "--seed", min=0, help="Monte Carlo seed"),
    range_runs: int = typer.Option(256, "--range-runs", min=0, max=100_000, help="draws of the uncertainty "
                                   "Monte Carlo behind each headline's range (0: no ranges)"),
    json_out: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Find the best layout, then the ideal and failure-adjusted time to train, GPU-hours, energy, CO2,
    water and cost, with the assumptions behind them."""
    spec = cluster_spec(where, scenario, cluster)
    when = parse_date(at)
    if gpus is not None and gpus < 1:
        raise ValueError("--gpus must be >= 1")
    choice, machines = choose_machines(spec, partition, gpus, when)
    if choice.cross_generation:
        raise ValueError(f"train plans a job on one partition; {choice.reason}. For one job across partitions "
                         f"use `colossim plan --gpus {gpus:,}`, or pick a partition with --partition")
    chosen = model_spec(model, model_file)
    with working(f"planning {chosen.name} on {spec.name}: layout search, failures, energy"):
        p = plan_training(chosen, spec, machines[0], tokens, gpus=gpus, precisions=(precision,),
                          options=_options(failures, checkpoint, runs, seed, interval))
        if range_runs:
            p = p.with_ranges(RangeOptions(runs=max(range_runs, 2), seed=seed))
    if json_out:
        print_json({**p.summary(), "partition_reason": choice.reason,
                    "uncertainty": None if p.ranges is None else p.ranges.describe(),
                    "assumptions": [a.to_dict() for a in p.assumptions]})
        return
    _print_plan(p, f"{chosen.name}: {count_words(tokens, 'tokens')} on {spec.name} ({p.partition})")
    console.print(f"GPUs: {choice.reason}", highlight=False, markup=False)


@guarded
def compare(
    model: str | None = typer.Option(None, "--model", help="model id from the zoo (`colossim models`)"),
    model_file: Path | None = typer.Option(None, "--model-file", help="a model of your own: a YAML of zoo fields"),
    tokens: float = typer.Option(..., "--tokens", min=1, max=MAX_TOKENS, help="training tokens, e.g. 15e12"),
    where: str | None = typer.Argument(None, metavar="[SCENARIO|FILE]", help="built-in scenario (colossus, "
                                       "colossus-2) or a cluster YAML file; or use --scenario / --cluster"),
    scenario: str | None = typer.Option(None, "--scenario", help="built-in cluster (colossus, colossus-2)"),
    cluster: Path | None = typer.Option(None, "--cluster", help="cluster YAML file"),
    partition: str | None = typer.Option(None, "--partition", help="show this partition's job (name or GPU type) "
                                         "as the headline of every phase that has it, instead of the fastest"),
    precision: str = typer.Option("bf16", "--precision", help="bf16 | fp8 | fp4"),
    failures: str = typer.Option("llama3_h100", "--failures", help="failure-rate preset"),
    checkpoint: str = typer.Option("blocking", "--checkpoint", help="blocking | async | in_memory"),
    interval: str = typer.Option("practice_30min", "--interval", help="practice_30min | practice_15min | optimal"),
    runs: int = typer.Option(2000, "--runs", min=1, max=MAX_RUNS, help="Monte Carlo runs"),
    range_runs: int = typer.Option(256, "--range-runs", min=0, max=100_000, help="draws of the uncertainty "
                                   "Monte Carlo behind each headline's range (0: no ranges)"),
    split: bool = typer.Option(True, "--split/--no-split", help="also the training/serving trade-off per phase: "
                               "GPUs moved to serving the same model against days to train"),
    json_out: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """What each phase of a scenario can train: the best single job, the best job on each partition, and every
    partition training at once (flagship + second runs) with the tokens a day they train together."""
    spec = cluster_spec(where, scenario, cluster)
    chosen = model_spec(model, model_file)
    model = chosen.id
    with working(f"planning {chosen.name} on every phase and partition of {spec.name}"):
        phases = compare_phases(chosen, spec, tokens, precisions=(precision,),
                                options=_options(failures, checkpoint, runs, 1, interval))
        phases = with_headline(phases, partition)
        if range_runs:
            phases = with_ranges(phases, RangeOptions(runs=max(range_runs, 2)))
    splits = []
    if split:
        from colossim.train.split import phase_splits

        with working(f"serving {chosen.name} on each phase's partition: the training/serving trade-off"):
            splits = phase_splits(chosen, phases)
    not_training = training_snapshots(spec)[1]  # phases the site is leased out in: no training capacity
    compared = {c.phase for c in phases}
    for phase in spec.phases:
        if phase.name not in compared and use_at(spec, phase.start) == "training":
            err_console.print(f"note: phase '{phase.name}' is left out: the cluster has no GPUs after it",
                              highlight=False)
    if json_out:
        print_json({"model": model, "cluster": spec.name, "tokens": tokens,
                    "phases": [c.summary() for c in phases], "phases_not_training": not_training,
                    "fleet_split": [s.to_dict() for s in splits]})
        return
    table = Table(title=f"{chosen.name}: {count_words(tokens, 'tokens')} on each phase of {spec.name} (the headline "
                        "job of each phase; ranges in brackets)")
    table.add_column("quantity")
    for c in phases:
        table.add_column(f"{c.phase}\n({c.cluster_gpus:,} GPUs)", justify="right")
    rows = [_rows(c.best) for c in phases]
    for i, (name, _, unit) in enumerate(rows[0]):
        label = f"{name} [{unit.split(' (')[0]}]" if unit and not unit.startswith("(") else name
        table.add_row(label,
                      *(r[i][1] + (f" {r[i][2]}" if r[i][2].startswith("(") else "") for r in rows))
    console.print(table)
    console.print(_what_it_can_train(phases))
    console.print("The concurrent split answers a different question from one job: every partition trains its "
                  "own copy of the run at once, sharing storage by GPU share.", highlight=False)
    for s in splits:
        console.print(_split_table(s, chosen.name))
    for line in not_training:
        console.print(f"Not compared: {line}.", highlight=False, markup=False)
    console.print(_assumptions_by_phase(phases))


def _split_table(s, model_name: str):
    """One phase's training/serving trade-off (train.split)."""
    if not s.points:
        return f"{s.phase}: no training/serving split: {s.note}"
    table = Table(title=f"{s.phase}, partition {s.partition}: GPUs to serving {model_name} ({s.serving_layout}, "
                        "p99 TTFT 2 s, TPOT 50 ms) against days to train")
    for col in ("to serving", "GPUs serving", "requests/s", "output tokens/s", "serving MW", "GPUs training",
                "days to train (Daly)", "tokens/day, billion", "note"):
        table.add_column(col, justify="left" if col == "note" else "right")
    for p in s.points:
        days = "-" if p.training_days is None else f"{p.training_days:,.1f}"
        table.add_row(f"{p.serving_share:.0%}", f"{p.serving_gpus:,}", f"{p.requests_per_s:,.0f}",
                      f"{p.output_tokens_per_s:,.0f}", f"{p.serving_power_mw:,.1f}", f"{p.training_gpus:,}", days,
                      f"{p.tokens_per_day / 1e9:,.1f}", p.note)
    return table


def _what_it_can_train(phases: list[PhaseComparison]) -> Table:
    """Per phase: each partition's best job and all of them at once, in tokens a day."""
    table = Table(title="what it can train: tokens a day (with failures; ideal in brackets)")
    for col in ("phase", "job", "GPUs", "tokens/day, billion", "days to train (median)"):
        table.add_column(col, justify="left" if col in ("phase", "job") else "right")
    for c in phases:
        for p in c.by_partition:
            tag = " (fastest single job)" if p is c.fastest else ""
            table.add_row(c.phase, f"{p.partition}{tag}", f"{p.gpus:,}",
                          f"{p.effective_tokens_per_day / 1e9:,.1f} ({p.tokens_per_day / 1e9:,.1f})",
                          f"{p.wall_days:,.1f}")
        for why in c.skipped:
            table.add_row(c.phase, f"cannot run: {why}", "-", "-", "-")
        split = c.concurrent
        cross = c.cross_generation
        table.add_row(c.phase, "all partitions at once", f"{split.gpus:,}",
                      f"{split.effective_tokens_per_day / 1e9:,.1f} ({split.tokens_per_day / 1e9:,.1f})", "-",
                      end_section=cross is None)
        if cross is not None:
            table.add_row(c.phase, f"one job across generations ({cross.gain_vs_best_partition:+.0%} vs the fastest "
                          f"partition alone, {cross.gain_vs_separate:+.0%} vs all at once)", f"{cross.gpus:,}",
                          f"{c.cross_generation_tokens_per_day / 1e9:,.1f} ({cross.tokens_per_s * 86_400 / 1e9:,.1f})",
                          f"{c.best.tokens / c.cross_generation_tokens_per_day:,.1f} (Daly)", end_section=True)
    return table


def _value(v) -> str:
    return f"{v:,.4g}" if isinstance(v, float) else str(v)


def _assumptions_by_phase(phases):
    """One row per assumption, one value column per phase (they differ in supply mix and storage share), each
    source once."""
    by_phase = [{a.name: a for a in c.best.assumptions} for c in phases]
    rows = [AssumptionRow(name, tuple(_value(p[name].value) if name in p else "-" for p in by_phase), first.unit,
                          first.source) for name, first in by_phase[-1].items()]
    return assumptions_view("assumptions (of each phase's headline job)", [c.phase for c in phases], rows)
