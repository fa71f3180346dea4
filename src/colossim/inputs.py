"""Reading YAML inputs into validated pydantic values, with errors a person can act on.

Every failure becomes an `InputError` naming the file, the field path and what to change. The CLI
turns it into a message and exit code 2; nothing here prints or exits.
"""

from __future__ import annotations

import math
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)

# Largest whole number a count may be: integers above 2**53 are not exact in the float64 arithmetic of the core.
MAX_EXACT_INT = 2**53
# Longest user value quoted in a message (a 50 MB key or value prints as a short excerpt).
EXCERPT_CHARS = 80
SHOWN_PROBLEMS = 20  # problems listed in one message
# Input file size limits: hand-written YAML is kilobytes; job-trace CSVs of millions of jobs are ~100s of MB.
FileKind = Literal["YAML", "CSV"]
MAX_INPUT_BYTES: dict[str, int] = {"YAML": 16 * 2**20, "CSV": 1024 * 2**20}


def excerpt(value: Any, limit: int = EXCERPT_CHARS) -> str:
    """`repr(value)`, cut to about `limit` characters with the full length said (for quoting user input)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4 * limit:
        return f"an integer of {value.bit_length() * 0.30103:,.0f} digits"  # repr would be huge (or refused)
    return _cut(repr(value), limit)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[: limit - 3]}... ({len(text):,} characters)"


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with an input: where it is and what to change."""

    location: str
    message: str
    hint: str = ""

    def __post_init__(self) -> None:  # a last guard: no problem prints more than a few lines
        object.__setattr__(self, "location", _cut(str(self.location), 2 * EXCERPT_CHARS))
        object.__setattr__(self, "message", _cut(str(self.message), 12 * EXCERPT_CHARS))
        object.__setattr__(self, "hint", _cut(str(self.hint), 6 * EXCERPT_CHARS))

    def render(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} -> {self.hint}" if self.hint else text


@dataclass
class InputError(Exception):
    """Bad user input. `source` is a file name (or a label such as 'command line')."""

    source: str
    problems: list[InputProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.source = _cut(str(self.source), 4 * EXCERPT_CHARS)
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"error in {self.source}:"]
        lines += [f"  - {p.render()}" for p in self.problems[:SHOWN_PROBLEMS]]
        if len(self.problems) > SHOWN_PROBLEMS:
            lines.append(f"  ... and {len(self.problems) - SHOWN_PROBLEMS:,} more problems")
        return "\n".join(lines)

    def __str__(self) -> str:  # dataclass would otherwise replace Exception.__str__
        return self.render()


def input_error(source: str, message: str, hint: str = "", location: str = "") -> InputError:
    return InputError(source, [InputProblem(location, message, hint)])


def _hint_for(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "add this field"
    if kind == "extra_forbidden":
        return "remove it or check its spelling"
    if kind in ("literal_error", "enum"):
        return f"use one of {ctx.get('expected', 'the allowed values')}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = {k: v for k, v in ctx.items() if k in ("gt", "ge", "lt", "le")}
        return f"use a value with {', '.join(f'{k} {v}' for k, v in bound.items())}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "write the date as YYYY-MM-DD"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"give a {kind.split('_')[0]}"
    return ""


def _location(path: Iterable[Any]) -> str:
    return ".".join(_cut(str(p), EXCERPT_CHARS) for p in path) or "(top level)"


_NUMERIC_ERRORS = ("greater_than", "less_than", "finite_number", "multiple_of")


def _non_finite_number_text(error: dict[str, Any]) -> bool:
    value = error.get("input")
    if not isinstance(value, str) or not str(error.get("type", "")).startswith(_NUMERIC_ERRORS):
        return False
    try:
        return not math.isfinite(float(value))
    except ValueError:
        return False


def problems_from_validation(err: ValidationError, prefix: Iterable[str | int] = ()) -> list[InputProblem]:
    problems = []
    for e in err.errors(include_url=False):
        location = _location([*prefix, *e.get("loc", ())])
        msg = e.get("msg", "invalid value").removeprefix("Value error, ")  # a model's own check says it all
        if _non_finite_number_text(e):  # "nan" or "1e999" read as a number, then failing a bound
            problems.append(InputProblem(location, f"not a finite number (got {excerpt(e['input'])})",
                                         "give a finite number in range"))
            continue
        if "input" in e and e.get("type") not in ("missing",) and not isinstance(e["input"], dict | list):
            msg = f"{msg} (got {excerpt(e['input'])})"
        problems.append(InputProblem(location, msg, _hint_for(e)))
    return problems


def number_problem(value: Any) -> str | None:
    """Why a number cannot be an input (NaN, infinity, an integer beyond exact float64), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"not a finite number (got {value})"
    if isinstance(value, int) and abs(value) > MAX_EXACT_INT:
        return f"out of range (got {excerpt(value, 24)}; the limit is ±{MAX_EXACT_INT:,})"
    return None


def _bad_numbers(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(path, why) of every non-finite or oversized number in parsed data or in the fields a user set on a
    validated model (defaults are the code's own business)."""
    why = number_problem(value) if isinstance(value, int | float) else None
    if why:
        yield path, why
    elif isinstance(value, BaseModel):
        for name in sorted(value.model_fields_set):
            yield from _bad_numbers(getattr(value, name, None), (*path, name))
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _bad_numbers(inner, (*path, key))
    elif isinstance(value, list | tuple):
        for i, inner in enumerate(value):
            yield from _bad_numbers(inner, (*path, i))


def check_numbers(value: Any, source: str, prefix: Iterable[Any] = ()) -> None:
    """Refuse NaN, infinity and integers beyond 2**53 anywhere in `value` (InputError with each path)."""
    bad = list(_bad_numbers(value, tuple(prefix)))
    if bad:
        hint = "give a finite number in range"
        raise InputError(source, [InputProblem(_location(path), why, hint) for path, why in bad])


def validate(data: Any, model: type[ModelT], source: str) -> ModelT:
    """Validate already-parsed data, raising InputError with field paths. Non-finite numbers (YAML `.nan`,
    `.inf`, or text such as "nan" or "1e999" that pydantic would read as a float) are refused everywhere,
    before the model's own checks see them and after pydantic has converted text to numbers."""
    check_numbers(data, source)
    try:
        value = model.model_validate(data)
    except ValidationError as err:
        raise InputError(source, problems_from_validation(err)) from None
    check_numbers(value, source)
    return value


def override_fields(data: dict[str, Any], flags: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """`data` with each dotted field of `flags` set (None = flag not given), and one line per field the
    flags changed ("layout.tp: 8 -> 4"). Pure: `data` is not modified."""
    out = _copy_tree(data)
    changes = []
    for dotted, value in flags.items():
        if value is None:
            continue
        node = out
        *parents, leaf = dotted.split(".")
        for name in parents:
            if not isinstance(node.get(name), dict):
                node[name] = {}
            node = node[name]
        before = node.get(leaf, "(unset)")
        if before != value:
            changes.append(f"{dotted}: {excerpt(before, 40) if before != '(unset)' else before} -> "
                           f"{excerpt(value, 40)}")
        node[leaf] = value
    return out, changes


def _copy_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_tree(v) for v in value]
    return value


def read_bytes(path: str | Path, kind: FileKind = "YAML", max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file of at most `max_bytes` (default: MAX_INPUT_BYTES[kind]). A FIFO, a device
    (/dev/zero), a directory, a missing or unreadable file, or a bigger one becomes an InputError; nothing
    here blocks (the file is opened non-blocking and checked before reading) or reads without bound."""
    limit = MAX_INPUT_BYTES[kind] if max_bytes is None else max_bytes
    source = _cut(str(path), 4 * EXCERPT_CHARS)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise input_error(source, "file not found", "check the path") from None
    except (OSError, ValueError) as exc:  # permission, a name too long, an embedded NUL...
        raise input_error(source, f"cannot open the file ({_os_reason(exc)})",
                          f"give a readable {kind} file") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = "a directory" if stat.S_ISDIR(mode) else "not a regular file (a FIFO, socket or device)"
            raise input_error(source, f"the path is {what}", f"give a regular {kind} file")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise input_error(source, f"cannot read the file ({_os_reason(exc)})",
                          f"give a readable {kind} file") from None
    finally:
        os.close(fd)
    if size > limit:
        raise input_error(source, f"the file is larger than the {limit / 2**20:,.0f} MiB allowed for a {kind} "
                          "input", "give a smaller file (split it, or check that this is the right file)")
    return b"".join(chunks)


def _os_reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or exc.__class__.__name__


def read_text(path: str | Path, kind: FileKind = "YAML", max_bytes: int | None = None) -> str:
    """A UTF-8 text file's contents (a regular file within the size limit, see read_bytes)."""
    data = read_bytes(path, kind, max_bytes)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise input_error(_cut(str(path), 4 * EXCERPT_CHARS),
                          f"cannot read the file: it is not UTF-8 text (byte {exc.start})",
                          f"give a UTF-8 {kind} file") from None


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file, turning every read or syntax failure into an InputError."""
    return parse_yaml_text(read_text(path), str(path))


# libyaml's safe loader where PyYAML was built with it (~50x faster than the pure-Python one), else the latter.
FAST_SAFE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml_text(text: str, source: str, loader: type = FAST_SAFE_LOADER) -> Any:
    """Parse YAML text with a safe loader (or a SafeLoader subclass); syntax errors become InputError."""
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - only SafeLoader and its subclasses
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise input_error(source, f"malformed YAML: {exc.problem}", "fix the YAML syntax", where) from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise input_error(source, f"malformed YAML: {exc}", "fix the YAML syntax") from None


def load_yaml(path: str | Path, model: type[ModelT]) -> ModelT:
    """Read and validate one YAML file into `model`."""
    data = read_yaml(path)
    if data is None:
        raise input_error(str(path), "the file is empty", f"write a {model.__name__} mapping")
    return validate(data, model, str(path))
