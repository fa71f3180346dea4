"""Read and write job traces as CSV, so users can replay their own workloads.

Schema (header row required; column order free; see docs/ops.md):

| column | required | meaning |
|---|---|---|
| submit_s | yes | submit time, seconds from the simulation start (>= 0) |
| gpus | yes | GPUs the job asks for (integer >= 1) |
| duration_s | one of the two | run time without interruptions, seconds (> 0) |
| gpu_hours | one of the two | work in GPU-hours (> 0); duration = gpu_hours x 3600 / gpus |
| job_id | no | unique name (default: row number) |
| kind | no | pretrain, finetune, rl, eval, inference, debug, other (default other) |
| priority | no | integer, higher first (default by kind) |
| outcome | no | completed, failed, cancelled: how the job ends by itself (default completed) |
| gpu_type | no | catalog GPU id the job needs (default: any pool) |
| checkpoint_interval_s, checkpoint_write_s, restart_s | no | per-job checkpoint/restart (default: config) |

Empty cells take the default; blank lines are skipped. The file is split into cells by pandas' C reader,
then checked a column at a time. Every problem is reported as an InputError naming the file, the line and
the column (the first 20 problems, in file order).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from colossim.inputs import InputError, InputProblem, input_error, read_text
from colossim.ops.workloads.workload import DEFAULT_PRIORITY, KINDS, OUTCOMES, Workload

REQUIRED = ("submit_s", "gpus")
WORK = ("duration_s", "gpu_hours")
OPTIONAL = (
    "job_id",
    "kind",
    "priority",
    "outcome",
    "gpu_type",
    "checkpoint_interval_s",
    "checkpoint_write_s",
    "restart_s",
)
COLUMNS = REQUIRED + WORK + OPTIONAL
MAX_PROBLEMS = 20
MAX_FIELDS = 256  # the widest row the reader lays out; a wider one is one "too many fields" problem


@dataclass(frozen=True)
class _Table:
    """The non-blank data rows of a trace: stripped cells by header name, each row's first line in the
    file and its number of fields."""

    header: list[str]
    cells: dict[str, np.ndarray]
    lines: np.ndarray
    fields: np.ndarray

    def column(self, name: str) -> np.ndarray:
        """The column's cells ('' where empty, or everywhere when the file has no such column)."""
        return self.cells.get(name, np.full(len(self.lines), "", dtype=object))


class _Problems:
    """Problems found a check at a time, reported in file order: by line, then by the check's place in
    the row (`order`, the column order of the old row-by-row reader)."""

    def __init__(self, source: str, table: _Table | None = None) -> None:
        self.source = source
        self.table = table
        self.items: list[tuple[int, int, InputProblem]] = []

    def add(self, line: int, column: str, message: str, hint: str, order: int = 0) -> None:
        self.items.append((line, order, InputProblem(f"line {line}, column {column}", message, hint)))

    def add_rows(self, rows: np.ndarray, column: str, order: int, message: Callable[[int], str], hint: str) -> None:
        """A problem for each row where the mask `rows` holds; `message(i)` words it for row i. Only the
        first MAX_PROBLEMS rows of one check can be among the first MAX_PROBLEMS of the file."""
        for i in np.flatnonzero(rows)[:MAX_PROBLEMS]:
            self.add(int(self.table.lines[i]), column, message(i), hint, order)

    def raise_if_any(self) -> None:
        if self.items:
            self.items.sort(key=lambda item: item[:2])
            raise InputError(self.source, [problem for _, _, problem in self.items[:MAX_PROBLEMS]])


def _read_table(text: str, source: str) -> _Table:
    """Split CSV text into the header and the non-blank data rows with pandas.read_csv.

    Why an end marker: pandas pads a row with too few fields with empty cells, which read the same as
    cells the user left empty, and it does not say which rows it padded. So every line gets one more
    field, a marker character that is not in the text, and a row's number of fields is the column where
    its marker lands. A line break inside a quoted cell gets a marker too; it is taken out of the cell."""
    import pandas as pd

    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = text if text.endswith("\n") else text + "\n"
    mark = next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)  # Unicode private use area
    marked = text.replace("\n", f",{mark}\n")
    width = min(MAX_FIELDS, max(line.count(",") for line in marked.split("\n")) + 1)
    quoted = '"' in text  # only then can a cell hold a line break

    def read(rows: int | None = None) -> np.ndarray:
        frame = pd.read_csv(io.StringIO(marked), header=None, names=range(width), nrows=rows, dtype=str,
                            na_filter=False, skip_blank_lines=False, engine="c")
        return frame.to_numpy(dtype=object)

    def line_of(row: int) -> int:
        """The file line pandas' row `row` starts on: the rows above it read again, to count their lines."""
        return 1 if row == 0 else int(_first_lines(read(row), mark, quoted)[-1])

    try:
        cells = read()
    except pd.errors.ParserError as exc:
        raise _parser_error(source, str(exc), line_of) from None
    fields = (cells == mark).argmax(axis=1)
    lines = _first_lines(cells, mark, quoted)[:-1]
    if quoted:
        cells = np.vectorize(lambda cell: cell.replace(f",{mark}\n", "\n"), otypes=[object])(cells)
    # Python's str.strip on the object array (numpy's fixed-width strings would drop trailing NULs)
    cells = np.frompyfunc(str.strip, 1, 1)(np.where(cells == mark, "", cells))
    header = [str(name) for name in cells[0, : fields[0]]] if len(cells) else []
    data = 1 + np.flatnonzero((cells[1:] != "").any(axis=1))
    named = {name: cells[data, i] for i, name in enumerate(header) if name in COLUMNS}
    return _Table(header, named, lines[data], fields[data])


def _first_lines(cells: np.ndarray, mark: str, quoted: bool) -> np.ndarray:
    """The file line each row starts on, and after the last row the line that follows. A row takes one
    line, plus the line breaks inside its quoted cells (each with `,mark` before it) if the text has quotes."""
    if not quoted:
        return np.arange(1, len(cells) + 2)
    breaks = np.vectorize(lambda cell: cell.count(f",{mark}\n"), otypes=[np.int64])(cells).sum(axis=1)
    return 1 + np.concatenate([[0], np.cumsum(1 + breaks)])


def _parser_error(source: str, message: str, line_of: Callable[[int], int]) -> InputError:
    """pandas' parser error as a problem at its line. pandas numbers rows from 0 (the header) and says
    "line" for row + 1: `line_of(row)` turns a row into its file line."""
    detail = message.split("C error: ")[-1].strip()
    if found := re.search(r"Expected \d+ fields in line (\d+), saw (\d+)", detail):
        where = f"line {line_of(int(found[1]) - 1)}, column (row)"
        return input_error(source, f"has {int(found[2]) - 1} fields, more than the header",
                           "give every row one value per header column", where)
    if found := re.search(r"EOF inside string starting at row (\d+)", detail):
        return input_error(source, "a quote opens a cell that never closes", 'close the quote with another "',
                           f"line {line_of(int(found[1]))}, column (row)")
    return input_error(source, f"malformed CSV: {detail}", "fix the CSV syntax")


def _header_problems(header: list[str], source: str) -> None:
    if not any(header):
        raise input_error(
            source,
            "the file has no header row",
            f"start with a header naming columns such as {','.join(REQUIRED + ('duration_s',))}",
        )
    problems = _Problems(source)
    for name in header:
        if name not in COLUMNS:
            problems.add(1, name or "(empty)", "unknown column", f"use only {', '.join(COLUMNS)}")
    for name in dict.fromkeys(header):
        if header.count(name) > 1:
            problems.add(1, name, "column appears twice", "keep one")
    for name in REQUIRED:
        if name not in header:
            problems.add(1, name, "missing column", "add this column")
    if not any(w in header for w in WORK):
        problems.add(1, "duration_s", "missing column", "add duration_s (seconds) or gpu_hours")
    problems.raise_if_any()


def _floats(cells: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cells of `rows` read as Python's float reads them (nan elsewhere), and the rows it cannot read."""
    import pandas as pd

    values = np.full(len(cells), np.nan)
    values[rows] = pd.to_numeric(pd.Series(cells[rows], dtype=object), errors="coerce").to_numpy(dtype=float)
    unreadable = np.zeros(len(cells), bool)
    for i in np.flatnonzero(rows & np.isnan(values)):  # what pandas leaves (nan, inf spelt out, 1_000, bad text)
        try:
            values[i] = float(cells[i])
        except ValueError:
            unreadable[i] = True
    return values, unreadable


def _numbers(
    table: _Table,
    column: str,
    rows: np.ndarray,
    problems: _Problems,
    order: int,
    *,
    lower: float,
    strict: bool,
    integer: bool = False,
    upper: float = 1e300,
) -> tuple[np.ndarray, np.ndarray]:
    """The column's numbers in `rows` (its non-empty cells of well-formed rows) and the rows that pass;
    one problem per bad cell, for the first check it fails."""
    cells = table.column(column)
    rows = rows & (cells != "")
    values, bad = _floats(cells, rows)
    problems.add_rows(bad, column, order, lambda i: f"not a number (got {cells[i]!r})",
                      "write a plain number such as 3600")
    relation = ">" if strict else ">="
    with np.errstate(invalid="ignore"):
        checks = (
            (~np.isfinite(values), lambda i: f"not a finite number (got {cells[i]!r})", "write a finite number"),
            (values <= lower if strict else values < lower, lambda i: f"must be {relation} {lower:g} (got {cells[i]})",
             f"use a value {relation} {lower:g}"),
            (values > upper, lambda i: f"too large (got {cells[i]})", f"use a value <= {upper:g}"),
            (integer & (values != np.floor(values)), lambda i: f"must be a whole number (got {cells[i]})",
             "write an integer"),
        )
    for failed, message, hint in checks:
        now = rows & ~bad & failed
        problems.add_rows(now, column, order, message, hint)
        bad |= now
    return values, rows & ~bad


def _choice(table: _Table, column: str, rows: np.ndarray, problems: _Problems, order: int,
            options: tuple[str, ...], default: str) -> np.ndarray:
    """Codes into `options`: empty cells take the default, unknown names are a problem (and the default)."""
    cells = np.where(table.column(column) == "", default, table.column(column))
    code = {name: k for k, name in enumerate(options)}
    unknown = np.array([cell not in code for cell in cells], bool)
    problems.add_rows(rows & unknown, column, order, lambda i: f"unknown {column} {cells[i]!r}",
                      f"use one of {', '.join(options)}")
    return np.array([code.get(cell, code[default]) for cell in cells], np.int64)


def _job_ids(table: _Table, rows: np.ndarray, problems: _Problems, order: int) -> list[str]:
    """Each row's job_id (empty: 'row' + its number among the non-blank rows); a repeat is a problem."""
    import pandas as pd

    cells = table.column("job_id")
    ids = [cell or f"row{k}" for k, cell in enumerate(cells, start=1)]
    line_by_id = pd.Series(table.lines[rows], index=np.array(ids, dtype=object)[rows])
    repeat = line_by_id.index.duplicated(keep="first")
    first_line = line_by_id[~repeat]
    for job_id, line in list(line_by_id[repeat].items())[:MAX_PROBLEMS]:
        problems.add(int(line), "job_id", f"duplicate job_id {job_id!r} (first on line {first_line[job_id]})",
                     "give each job a unique id", order)
    return ids


def parse_trace_csv(text: str, source: str = "trace.csv") -> Workload:
    """Parse CSV text (see the module doc for the schema) into a Workload."""
    import pandas as pd

    table = _read_table(text, source)
    _header_problems(table.header, source)
    problems = _Problems(source, table)
    width = len(table.header)
    problems.add_rows(table.fields != width, "(row)", 0,
                      lambda i: f"has {table.fields[i]} fields, the header has {width}",
                      "give every row one value per header column")
    ok = table.fields == width  # the rows whose cells are checked
    for order, (column, hint) in enumerate((("submit_s", "give the submit time in seconds"),
                                            ("gpus", "give the number of GPUs")), start=1):
        problems.add_rows(ok & (table.column(column) == ""), column, order, lambda i: "empty", hint)
    submit, _ = _numbers(table, "submit_s", ok, problems, 1, lower=0.0, strict=False)
    gpus, gpus_ok = _numbers(table, "gpus", ok, problems, 2, lower=1.0, strict=False, integer=True, upper=2.0**40)
    both_or_neither = ok & ((table.column("duration_s") == "") == (table.column("gpu_hours") == ""))
    problems.add_rows(both_or_neither, "duration_s", 3, lambda i: "give exactly one of duration_s and gpu_hours",
                      "fill one of the two cells and leave the other empty")
    duration, _ = _numbers(table, "duration_s", ok & ~both_or_neither, problems, 3, lower=0.0, strict=True)
    gpu_hours, gh_ok = _numbers(table, "gpu_hours", ok & ~both_or_neither, problems, 3, lower=0.0, strict=True)
    with np.errstate(all="ignore"):
        from_gpu_hours = gpu_hours * 3600.0 / gpus
    derived = gh_ok & gpus_ok
    problems.add_rows(derived & ~(np.isfinite(from_gpu_hours) & (from_gpu_hours > 0)), "gpu_hours", 3,
                      lambda i: f"gives a run time of {from_gpu_hours[i]} s",
                      "use a smaller, positive number of GPU-hours")
    duration = np.where(derived, from_gpu_hours, duration)
    kind = _choice(table, "kind", ok, problems, 4, KINDS, "other")
    outcome = _choice(table, "outcome", ok, problems, 5, OUTCOMES, "completed")
    priority, _ = _numbers(table, "priority", ok, problems, 6, lower=-1e9, strict=False, integer=True, upper=1e9)
    default_priority = np.array([DEFAULT_PRIORITY[k] for k in KINDS])[kind]
    priority = np.where(table.column("priority") == "", default_priority, priority)
    job_id = _job_ids(table, ok, problems, 7)
    checkpoints = {}
    for order, (name, strict) in enumerate(
        (("checkpoint_interval_s", True), ("checkpoint_write_s", False), ("restart_s", False)), start=8
    ):
        checkpoints[name], _ = _numbers(table, name, ok, problems, order, lower=0.0, strict=strict)
    problems.raise_if_any()
    if len(table.lines) == 0:
        raise input_error(source, "the trace has no jobs", "add one row per job under the header")
    gpu_type = table.column("gpu_type")
    codes, gpu_types = pd.factorize(pd.Series(np.where(gpu_type == "", None, gpu_type), dtype=object))

    def optional(values: np.ndarray) -> np.ndarray | None:
        return None if np.isnan(values).all() else values

    return Workload.build(
        submit,
        gpus.astype(np.int64),
        duration,
        priority=priority.astype(np.int64),
        kind=kind,
        outcome=outcome,
        gpu_type=codes.astype(np.int64),
        gpu_types=tuple(str(g) for g in gpu_types),
        checkpoint_interval_s=optional(checkpoints["checkpoint_interval_s"]),
        checkpoint_write_s=optional(checkpoints["checkpoint_write_s"]),
        restart_s=optional(checkpoints["restart_s"]),
        job_id=job_id,
        source=source,
    )


def read_trace_csv(path: str | Path) -> Workload:
    """Read a job trace CSV file (InputError with file/line/column on any problem)."""
    text = read_text(path, "CSV")
    return parse_trace_csv(text, str(path))


def trace_csv_text(workload: Workload) -> str:
    """The workload as trace CSV text (duration_s form; per-job checkpoint columns when present)."""
    out = io.StringIO()
    extra = [
        n
        for n in ("checkpoint_interval_s", "checkpoint_write_s", "restart_s")
        if getattr(workload, n) is not None
    ]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["job_id", "submit_s", "gpus", "duration_s", "kind", "priority", "outcome", "gpu_type", *extra]
    )
    ids = workload.job_id or tuple(f"job{i}" for i in range(len(workload)))
    for i in range(len(workload)):
        gt = int(workload.gpu_type[i])
        row = [
            ids[i],
            repr(float(workload.submit_s[i])),
            int(workload.gpus[i]),
            repr(float(workload.duration_s[i])),
            KINDS[workload.kind[i]],
            int(workload.priority[i]),
            OUTCOMES[workload.outcome[i]],
            workload.gpu_types[gt] if gt >= 0 else "",
        ]
        for name in extra:
            v = float(getattr(workload, name)[i])
            row.append("" if math.isnan(v) else repr(v))
        writer.writerow(row)
    return out.getvalue()


def write_trace_csv(workload: Workload, path: str | Path) -> None:
    Path(path).write_text(trace_csv_text(workload), encoding="utf-8")
