"""Reading YAML inputs into validated pydantic values, with errors a person can act on.

Every failure becomes an `InputError` naming the file, the field path and what to change. The CLI
turns it into a message and exit code 2; nothing here prints or exits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class InputProblem:
    """One thing wrong with an input: where it is and what to change."""

    location: str
    message: str
    hint: str = ""

    def render(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} -> {self.hint}" if self.hint else text


@dataclass
class InputError(Exception):
    """Bad user input. `source` is a file name (or a label such as 'command line')."""

    source: str
    problems: list[InputProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.render())

    def render(self) -> str:
        lines = [f"error in {self.source}:"]
        lines += [f"  - {p.render()}" for p in self.problems]
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


def problems_from_validation(err: ValidationError, prefix: Iterable[str | int] = ()) -> list[InputProblem]:
    problems = []
    for e in err.errors():
        path = [*prefix, *e.get("loc", ())]
        location = ".".join(str(p) for p in path) or "(top level)"
        msg = e.get("msg", "invalid value")
        if "input" in e and e.get("type") not in ("missing",) and not isinstance(e["input"], dict | list):
            msg = f"{msg} (got {e['input']!r})"
        problems.append(InputProblem(location, msg, _hint_for(e)))
    return problems


def validate(data: Any, model: type[ModelT], source: str) -> ModelT:
    """Validate already-parsed data, raising InputError with field paths."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise InputError(source, problems_from_validation(err)) from None


def read_text(path: str | Path, kind: str = "YAML") -> str:
    """A UTF-8 text file's contents; a missing or unreadable file becomes an InputError."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise input_error(str(path), "file not found", "check the path") from None
    except (IsADirectoryError, PermissionError, UnicodeDecodeError, OSError, ValueError) as exc:
        raise input_error(str(path), f"cannot read the file ({exc.__class__.__name__})",
                          f"give a readable UTF-8 {kind} file") from None


def read_yaml(path: str | Path) -> Any:
    """Parse a YAML file, turning every read or syntax failure into an InputError."""
    return parse_yaml_text(read_text(path), str(path))


def parse_yaml_text(text: str, source: str, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> Any:
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
