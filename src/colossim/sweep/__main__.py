"""`python -m colossim.sweep SWEEP.yaml [options]`: the same command as `colossim sweep`, without importing
every other command first (quicker to start, and process-pool workers, which import the main module, start
quicker too)."""

import typer

from colossim.cli.sweep_cmd import sweep


def main() -> None:
    typer.run(sweep)


if __name__ == "__main__":
    main()
