"""`colossim report`: the whole story of a cluster in one command (terminal summary, HTML, tables, JSON)."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from colossim.cli.common import (
    MAX_BUDGET_USD,
    MAX_TOKENS,
    check_output,
    console,
    err_console,
    guarded,
    print_json,
    staged_folder,
)
from colossim.models.zoo import get_model


def register(app: typer.Typer) -> None:
    app.command("report")(report)


def command_line(values: dict) -> str:
    """This command as a shell line for the report's footer: `colossim report SCENARIO`, then each flag of
    `values` (the command's parameters as parsed) that differs from its default."""
    import inspect
    import shlex

    words = ["colossim", "report"]
    for name, param in inspect.signature(inspect.unwrap(report)).parameters.items():
        info, value = param.default, values[name]
        flags = getattr(info, "param_decls", None)
        text = f"{value:g}" if isinstance(value, float) else str(value)
        if not flags:  # the positional scenario, always named
            words.append(text)
        elif value == info.default:
            continue
        elif isinstance(value, bool):
            words.append(flags[0])
        else:
            words += [flags[0], text]
    return shlex.join(words)


@guarded
def report(
    scenario: str = typer.Argument("colossus", help="built-in scenario name or path of a cluster YAML file"),
    out: Path | None = typer.Option(None, "--out", help="write index.html, report.json, tables/ and figures/ "
                                    "into this folder (nothing is written without it)"),
    json_out: bool = typer.Option(False, "--json", help="print the numbers behind the report as JSON"),
    budget: float = typer.Option(5e9, "--budget", min=1, max=MAX_BUDGET_USD,
                                 help="USD spent in the 'what the budget buys' section"),
    model: str = typer.Option("grok-3-class", "--model", help="model zoo id trained and checkpointed"),
    tokens: float = typer.Option(60e12, "--tokens", min=1, max=MAX_TOKENS,
                                 help="training tokens of that model (default: the zoo's Grok-3-class estimate 60e12)"),
    partition: str | None = typer.Option(None, "--partition", help="the training section's headline job on this "
                                         "partition (name or GPU type) instead of the fastest"),
    ops_days: float = typer.Option(365.0, "--ops-days", min=0.01, help="days of simulated operations"),
    ops_jobs: int = typer.Option(100_000, "--ops-jobs", min=1, help="jobs submitted over the simulated period"),
    seed: int = typer.Option(1, "--seed", min=0, help="random seed of the operations simulation"),
) -> None:
    """What the machine is, what it can train, what it costs and consumes, and how it behaves at scale:
    a terminal summary, and with --out a self-contained HTML report with figures, CSV/Parquet tables and
    the JSON of every number."""
    from colossim.report.build import STEPS, build_report, with_command
    from colossim.report.context import ReportOptions

    given = command_line(dict(locals()))  # the parameters as parsed (other locals are ignored)
    check_output(out, "--out", "folder")
    get_model(model)  # an unknown model id stops here, before the report is built (KeyError: exit 2)

    options = ReportOptions(scenario=scenario, model=model, tokens=tokens, budget_usd=budget, partition=partition,
                            ops_days=ops_days,
                            ops_jobs=ops_jobs, ops_seed=seed)
    started = time.perf_counter()
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/"
               "{task.total}"), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True) as bar:
        total = len(STEPS) + 2  # loading, the sections, the assumptions
        task = bar.add_task("report", total=total)
        done = [0]

        def step(label: str) -> None:  # called as each step starts: the steps before it are done
            bar.update(task, description=label, completed=done[0])
            done[0] += 1

        result = with_command(build_report(options, step), given)
        bar.update(task, completed=total)
    built = time.perf_counter() - started
    written: list[Path] = []
    if out is not None:  # written before anything is printed: a failed write leaves no half answer on stdout
        from colossim.report.write import write_report

        with staged_folder(out, "--out") as stage:
            written = [out / p.relative_to(stage) for p in write_report(result, stage)]
    if json_out:
        print_json(result.numbers)
    else:
        from colossim.report.terminal import print_summary

        print_summary(result, console)
    if out is not None:
        err_console.print(f"wrote {len(written)} files to {out}/ (open {out / 'index.html'})", highlight=False)
    else:
        err_console.print("nothing written: add --out DIR for the HTML report, tables and figures", highlight=False)
    err_console.print(f"report built in {built:.1f} s", highlight=False)
