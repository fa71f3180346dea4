"""`python -m colossim ...`: the same command line as `colossim ...`."""

from colossim.cli.main import app

app(prog_name="colossim")
