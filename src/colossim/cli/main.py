"""Entry point of the `colossim` command (also `python -m colossim`).

Each command lives in its own module (`colossim/cli/<name>_cmd.py`, exposing `register(app)`); this module
only knows their names, modules and one-line help (`COMMANDS`), so `colossim --help` and shell completion
import no command, and `colossim plan ...` imports only the plan command (lazy loading: start-up stays fast).
Adding a command is one entry in `COMMANDS`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

import typer
import typer.core
import typer.main

if TYPE_CHECKING:  # typer ships its own click (typer._click): importing the click package would cost ~0.1 s
    from typer.core import _click as click

from colossim import __version__

# name -> (module, one-line help), in the order --help lists them: the story first, then each capability in
# the order it builds up, then the conventions
COMMANDS: dict[str, tuple[str, str]] = {
    "report": ("colossim.cli.report_cmd", "The whole story of a cluster: terminal summary and an HTML report."),
    "cluster": ("colossim.cli.cluster_cmd", "GPUs, power, energy, CO2, water, cost and fabric of a cluster."),
    "buy": ("colossim.cli.cluster_cmd", "What a budget buys and adds to a cluster."),
    "catalog": ("colossim.cli.catalog_cmd", "List the catalog: GPUs, systems, sites (ids and names)."),
    "models": ("colossim.cli.models_cmd", "List the model zoo: ids, names, sizes."),
    "step": ("colossim.cli.step_cmd", "Predict one training step of one layout: time by part, MFU, memory."),
    "validate": ("colossim.cli.validate_cmd", "Predict published measured runs and report the error."),
    "plan": ("colossim.cli.plan_cmd", "The best parallel layouts of a model on a cluster."),
    "sweep": ("colossim.cli.sweep_cmd", "Grids of plan searches, resumable, locally or on Ray."),
    "train": ("colossim.cli.train_cmd", "Time, energy, cost and CO2 to train a model, with failures."),
    "compare": ("colossim.cli.train_cmd", "What each phase of a cluster can train, side by side."),
    "serve": ("colossim.cli.serve_cmd", "What a partition serves within a latency target, at what power."),
    "simulate": ("colossim.cli.simulate_cmd", "Months of cluster operations: jobs, failures, repairs, deliveries."),
    "schema": ("colossim.cli.schema_cmd", "JSON Schema of an input file (cluster, model, step, sweep, ...)."),
}


class LazyGroup(typer.core.TyperGroup):
    """A command group that imports a command's module only when that command runs (or shows its help)."""

    _listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, short = COMMANDS[cmd_name]
        if self._listing:  # the group's own help: the one-line help is enough, import nothing
            return typer.core.TyperCommand(cmd_name, help=short, short_help=short)
        sub = typer.Typer()
        importlib.import_module(module).register(sub)
        return typer.main.get_group(sub).commands.get(cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def shell_complete(self, ctx: click.Context, incomplete: str):
        self._listing = True
        try:
            return super().shell_complete(ctx, incomplete)
        finally:
            self._listing = False


app = typer.Typer(
    name="colossim",
    cls=LazyGroup,
    rich_markup_mode=None,  # the command list in plain text: rich's help renderer costs ~0.2 s of imports
    help="colossim: a digital twin of AI supercomputers (xAI Colossus built in).",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"colossim {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="print the colossim version and exit"),
) -> None:
    """colossim: a digital twin of AI supercomputers (xAI Colossus built in)."""


if __name__ == "__main__":  # pragma: no cover
    app()
