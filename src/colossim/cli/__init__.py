"""The `colossim` command line: thin commands over the core's public functions."""
