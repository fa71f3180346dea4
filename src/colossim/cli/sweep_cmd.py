"""`colossim sweep SWEEP.yaml`: run a grid through the evaluator on a process pool or Ray, resumably."""

from __future__ import annotations

from pathlib import Path

import typer

from colossim.cli.common import check_output, err_console, guarded, print_json, stdout_for_json, writing
from colossim.inputs import input_error
from colossim.sweep.executors import Engine, make_executor
from colossim.sweep.progress import rich_progress
from colossim.sweep.runner import SweepError, run_sweep
from colossim.sweep.schema import load_sweep
from colossim.sweep.store import check_output_path

EXIT_INTERRUPTED = 130
PLOT_SUFFIXES = (".png", ".svg", ".pdf")


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep)


@guarded
def sweep(
    spec_file: Path = typer.Argument(..., help="sweep YAML file (see docs/sweep.md)"),
    out: Path | None = typer.Option(None, "--out", help="result table, .parquet or .csv "
                                    "[default: the sweep file's name with .parquet]"),
    engine: Engine = typer.Option("local", "--engine", help="local (process pool), ray, or serial"),
    address: str | None = typer.Option(None, "--address", help="Ray cluster address ('auto', 'ray://host:10001')"),
    workers: int | None = typer.Option(None, "--workers", min=1, help="worker count [default: all CPUs]"),
    plot: Path | None = typer.Option(None, "--plot", help="also write throughput vs GPU count to this PNG"),
    fresh: bool = typer.Option(False, "--fresh", help="discard earlier results for --out and start again"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="show the progress bar on stderr"),
) -> None:
    """Run every grid point of SWEEP.yaml; results stream to a journal, an interrupted sweep resumes where it
    stopped (rerun the same command), and the summary is printed as JSON."""
    spec = load_sweep(spec_file)
    out = out if out is not None else spec_file.with_suffix(".parquet")
    check_output_path(out)
    check_output(out, "--out")
    if plot is not None and plot.suffix.lower() not in PLOT_SUFFIXES:
        raise input_error("command line", f"--plot {plot}: unknown image format '{plot.suffix or plot.name}'",
                          f"give a file ending in {', '.join(PLOT_SUFFIXES)}", "--plot")
    check_output(plot, "--plot")
    with stdout_for_json():  # Ray's notices and every log go to stderr: stdout is the JSON summary only
        result = _run(spec, spec_file, out, engine, workers, address, fresh, progress)
        if plot is not None:
            import pandas as pd

            from colossim.sweep.plot import plot_throughput

            frame = pd.read_parquet(out) if out.suffix == ".parquet" else pd.read_csv(out)
            with writing(plot, "--plot"):
                result["plot"] = str(plot_throughput(frame, plot))
    print_json(result)


def _run(spec, spec_file: Path, out: Path, engine: Engine, workers: int | None, address: str | None, fresh: bool,
         progress: bool) -> dict:
    with make_executor(engine, workers, address) as executor:
        try:
            if progress:
                with rich_progress(err_console, label=spec_file.name) as bar:
                    summary = run_sweep(spec, out, executor, source=str(spec_file), fresh=fresh, progress=bar)
            else:
                summary = run_sweep(spec, out, executor, source=str(spec_file), fresh=fresh)
        except KeyboardInterrupt:
            err_console.print(f"interrupted: finished chunks are kept next to {out}; rerun the same command "
                              "to resume", highlight=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except SweepError as exc:
            err_console.print(f"error: {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
    if summary.points_infeasible:
        err_console.print(f"note: {summary.points_infeasible} of {summary.points_total} grid points have no "
                          "feasible result (listed under 'infeasible')", highlight=False)
    return summary.as_dict()
