"""Shared CLI plumbing: clean errors with exit code 2, JSON output, rich consoles."""

from __future__ import annotations

import functools
import json
import math
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console

from colossim.inputs import InputError

F = TypeVar("F", bound=Callable[..., Any])

# Wide tables stay readable when output goes to a file or pipe (rich falls back to 80 columns there).
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

EXIT_BAD_INPUT = 2


def guarded(fn: F) -> F:
    """Turn bad input (InputError, KeyError from catalog lookups, ValueError from the core's
    checks) into a message on stderr and exit code 2, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            err_console.print(exc.render(), markup=False, highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except (KeyError, ValueError) as exc:
            message = exc.args[0] if exc.args else str(exc)
            err_console.print(f"error: {message}", markup=False, highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]


def _jsonable(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return _jsonable(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def print_json(value: Any) -> None:
    """Stable JSON on stdout: sorted keys, NaN/inf as null."""
    sys.stdout.write(json.dumps(_jsonable(value), indent=2, sort_keys=True) + "\n")
