"""Shared CLI plumbing: clean errors with exit code 2, checked flags and output paths, JSON output, consoles.

Every command is wrapped by `guarded`, which (before the command runs) refuses a flag whose number is NaN,
infinite or beyond 2**53, naming the flag, and turns bad input raised later into a message and exit code
2, never a traceback. The consoles print text as it is (no rich markup), so user text such as a cluster
named "[/bold]" or "[link=...]" prints literally wherever it appears.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import math
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar

import typer
import typer.models
from pydantic import BaseModel
from rich.console import Console

from colossim.inputs import InputError, excerpt, input_error, number_problem

F = TypeVar("F", bound=Callable[..., Any])

# Wide tables stay readable when output goes to a file or pipe (rich falls back to 80 columns there).
# markup=False: strings are data, never markup, everywhere these consoles print (tables and titles included).
console = Console(width=None if sys.stdout.isatty() else 160, markup=False)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 160, markup=False)

EXIT_BAD_INPUT = 2
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Bounds of flags several commands share, far beyond any real question (beyond them the arithmetic of the
# core overflows or a Monte Carlo never ends, and the answer would be noise):
MAX_TOKENS = 1e16  # ~170x the ~60e12 tokens of the zoo's Grok-3-class estimate, the largest run modelled
MAX_BUDGET_USD = 1e13  # USD 10 trillion: ~100x the largest AI-infrastructure budgets announced
COMMAND_LINE = "command line"
OutputKind = Literal["file", "folder"]


def command_flags(fn: Callable[..., Any]) -> dict[str, str]:
    """Each parameter of a typer command and the flag the user writes for it: its longest declared option
    name ("--tokens"), "--" + the name with dashes when none is declared (typer's rule), or the upper-case
    name of an argument."""
    flags = {}
    for name, param in inspect.signature(fn).parameters.items():
        info = param.default
        decls = [d.split("/")[0] for d in getattr(info, "param_decls", None) or () if d.startswith("--")]
        if isinstance(info, typer.models.ArgumentInfo):
            flags[name] = name.upper()
        else:
            flags[name] = max(decls, key=len) if decls else "--" + name.replace("_", "-")
    return flags


def check_flags(values: dict[str, Any], flags: dict[str, str]) -> None:
    """Refuse NaN, infinity and integers beyond 2**53 in any flag, naming the flag (typer accepts "nan",
    "inf" and arbitrarily long integers for float and int options)."""
    for name, value in values.items():
        why = number_problem(value) if isinstance(value, int | float) else None
        if why:
            flag = flags.get(name, f"--{name.replace('_', '-')}")
            raise input_error(COMMAND_LINE, why, "give a finite number in the flag's range", flag)


def _naming_the_flag(message: str, values: dict[str, Any], flags: dict[str, str]) -> str:
    """A core message that quotes the value of exactly one flag ("unknown model 'gpt9'") names that flag."""
    named = {flags[name] for name, value in values.items()
             if name in flags and isinstance(value, str | Path) and f"'{value}'" in message}
    flag = next(iter(named)) if len(named) == 1 else None
    return f"{flag}: {message}" if flag and flag not in message else message


def guarded(fn: F) -> F:
    """Check the command's flags (check_flags), then turn bad input (InputError, KeyError from catalog
    lookups, ValueError from the core's checks) into a message on stderr and exit code 2, never a
    traceback."""
    flags = command_flags(fn)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            check_flags(kwargs, flags)
            return fn(*args, **kwargs)
        except InputError as exc:
            err_console.print(exc.render(), highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except (KeyError, ValueError) as exc:
            message = _naming_the_flag(str(exc.args[0] if exc.args else exc), kwargs, flags)
            err_console.print(f"error: {message[:2000]}", highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]


@contextlib.contextmanager
def working(label: str) -> Iterator[None]:
    """A spinner with the elapsed time on stderr while a command works (only on a terminal: pipes, files and
    tests see nothing), gone when the work ends; every command that can take more than ~2 s wraps its work."""
    if not err_console.is_terminal:
        yield
        return
    with err_console.status(label, spinner="dots"):
        yield


def parse_date(text: str | None, flag: str = "--at") -> date | None:
    """A YYYY-MM-DD flag value as a date (None stays None); anything else names the flag."""
    if text is None:
        return None
    try:
        if not _ISO_DATE.fullmatch(text.strip()):  # only YYYY-MM-DD (fromisoformat also takes 20240902, weeks...)
            raise ValueError("Invalid isoformat")
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        reason = "" if "Invalid isoformat" in str(exc) else f" ({exc})"
        raise input_error(COMMAND_LINE, f"{excerpt(text, 40)} is not a calendar date{reason}",
                          "write the date as YYYY-MM-DD", flag) from None


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        with contextlib.suppress(OSError, ValueError):
            if candidate.exists() or candidate.is_symlink():
                return candidate
    return Path(".")


def check_output(path: Path | None, flag: str, kind: OutputKind = "file") -> None:
    """Before any work: refuse an output path that cannot be written (InputError naming the flag). Missing
    folders on the way are fine (they are created when writing); a folder where a file goes, a file where
    a folder goes, a path under a file, or a folder without write permission is not. Nothing is created."""
    if path is None:
        return
    where = excerpt(str(path), 120)
    try:
        is_dir, exists = path.is_dir(), path.exists()
    except (OSError, ValueError) as exc:
        raise input_error(COMMAND_LINE, f"{where} is not a usable path ({exc.__class__.__name__})",
                          "give another path", flag) from None
    if kind == "file" and is_dir:
        raise input_error(COMMAND_LINE, f"{where} is a folder", "give a file name", flag)
    if kind == "folder" and exists and not is_dir:
        raise input_error(COMMAND_LINE, f"{where} is a file, not a folder",
                          "give a folder (new or existing)", flag)
    target = path if exists else _nearest_existing(path.parent)
    if not target.is_dir() and target != path:
        raise input_error(COMMAND_LINE, f"{where}: {excerpt(str(target), 120)} is a file, not a folder",
                          "give a path inside a folder", flag)
    folder = target if target.is_dir() else target.parent
    if not os.access(folder, os.W_OK | os.X_OK) or (exists and not os.access(path, os.W_OK)):
        raise input_error(COMMAND_LINE, f"{where} cannot be written (no permission)",
                          "give a path in a folder you can write to", flag)


@contextlib.contextmanager
def naming_flags(flags: dict[str, str]) -> Iterator[None]:
    """Problems raised in the block about a field a flag set name that flag: `flags` maps the field path
    ("layout.tp") to the flag ("--tp"). A problem about a whole group ("layout") names the group's flags;
    one about a bare field name ("tp") names the flag of the field with that name."""
    try:
        yield
    except InputError as exc:
        problems = []
        for p in exc.problems:
            loc = p.location
            named = [flag for path, flag in flags.items()
                     if loc and (loc == path or path.startswith(loc + ".") or path.rsplit(".", 1)[-1] == loc)]
            problems.append(replace(p, location=f"{', '.join(named)} ({loc})") if named else p)
        raise InputError(exc.source, problems) from None


@contextlib.contextmanager
def staged_folder(out: Path, flag: str) -> Iterator[Path]:
    """A fresh folder next to `out` to write into; when the block succeeds its files move into `out` (created
    if needed), each by an atomic rename, so a failure (disk full...) leaves no half-written file in `out`.
    OS errors become InputError naming the flag."""
    with writing(out, flag):
        out.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
        try:
            yield stage
            for path in sorted(stage.rglob("*")):
                target = out / path.relative_to(stage)
                if path.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(path, target)
        finally:
            shutil.rmtree(stage, ignore_errors=True)


@contextlib.contextmanager
def writing(path: Path, flag: str) -> Iterator[None]:
    """Turn an OS error while writing an output (disk full, a folder removed meanwhile) into InputError."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise input_error(COMMAND_LINE, f"cannot write {excerpt(str(path), 120)} ({reason})",
                          "free space or choose another path, then run the command again", flag) from None


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all (folders on the way created): a temporary file beside it,
    then a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def stdout_for_json() -> Iterator[None]:
    """While the block runs, everything written to standard output, by Python or by native code and child
    processes (Ray's notices, library logs), goes to stderr instead, so the JSON printed after the block is
    the only thing on stdout."""
    sys.stdout.flush()
    saved_stream = sys.stdout
    try:
        saved_fd = os.dup(1)
    except OSError:  # no usable fd 1 (e.g. closed): only the Python-level stream can be redirected
        saved_fd = None
    try:
        if saved_fd is not None:
            os.dup2(2, 1)
        sys.stdout = sys.stderr
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        sys.stdout = saved_stream
        if saved_fd is not None:
            os.dup2(saved_fd, 1)
            os.close(saved_fd)


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


def cluster_spec(where: str | None, scenario: str | None = None, cluster: Path | None = None):
    """The cluster a command runs on, named the same way by every command: a positional SCENARIO|FILE (a
    built-in scenario name or a cluster YAML path), or the older --scenario NAME / --cluster FILE."""
    given = [v for v in (where, scenario, cluster) if v is not None]
    if len(given) != 1:
        raise input_error(COMMAND_LINE, "name one cluster: SCENARIO|FILE (e.g. colossus, or my_cluster.yaml), "
                          "or --scenario NAME, or --cluster FILE", "give exactly one of them", "SCENARIO")
    from colossim.cluster import load_cluster

    return load_cluster(str(given[0]))


def model_spec(model: str | None, model_file: Path | None):
    """The model a command runs: a zoo id (`--model`) or a model file of your own (`--model-file`)."""
    if (model is None) == (model_file is None):
        raise input_error(COMMAND_LINE, "give exactly one of --model ID (see `colossim models`) or "
                          "--model-file FILE", "e.g. --model llama3-405b, or --model-file examples/my_model.yaml",
                          "--model")
    from colossim.models.zoo import get_model, load_model_file

    return get_model(model) if model_file is None else load_model_file(model_file)


def print_json(value: Any, stamp: bool = True) -> None:
    """Stable JSON on stdout: sorted keys, NaN/inf as null. A mapping carries `colossim_version` and
    `schema_version` (colossim.stamp) unless `stamp` is off (e.g. a JSON Schema)."""
    from colossim.stamp import json_stamp

    data = _jsonable(value)
    if stamp and isinstance(data, dict):
        data = {**data, **json_stamp()}
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    sys.stdout.flush()
