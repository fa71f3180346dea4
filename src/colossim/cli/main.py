"""Entry point of the `colossim` command. Each command lives in its own module and registers here."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="colossim",
    help="colossim: a digital twin of AI supercomputers (xAI Colossus built in).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """colossim: a digital twin of AI supercomputers (xAI Colossus built in)."""


def _register() -> None:
    from colossim.cli import (
        catalog_cmd,
        cluster_cmd,
        plan_cmd,
        report_cmd,
        serve_cmd,
        simulate_cmd,
        step_cmd,
        sweep_cmd,
        train_cmd,
        validate_cmd,
    )

    # --help lists the commands in this order: the story first, then each capability in the order it builds up.
    for module in (report_cmd, cluster_cmd, catalog_cmd, step_cmd, validate_cmd, plan_cmd, sweep_cmd, train_cmd,
                   serve_cmd, simulate_cmd):
        module.register(app)


_register()

if __name__ == "__main__":  # pragma: no cover
    app()
