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

Empty cells take the default. Every problem is reported as an InputError naming the file, the line and
the column (up to 20 problems at once).
"""

from __future__ import annotations

import csv
import io
import math
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


class _Problems:
    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[InputProblem] = []

    def add(self, line: int, column: str, message: str, hint: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(InputProblem(f"line {line}, column {column}", message, hint))

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(self.source, self.items)


def _number(
    text: str,
    line: int,
    column: str,
    problems: _Problems,
    *,
    lower: float,
    strict: bool,
    integer: bool = False,
    upper: float = 1e300,
) -> float | None:
    try:
        value = float(text)
    except ValueError:
        problems.add(line, column, f"not a number (got {text!r})", "write a plain number such as 3600")
        return None
    if not math.isfinite(value):
        problems.add(line, column, f"not a finite number (got {text!r})", "write a finite number")
        return None
    if (value <= lower) if strict else (value < lower):
        problems.add(
            line,
            column,
            f"must be {'>' if strict else '>='} {lower:g} (got {text})",
            f"use a value {'>' if strict else '>='} {lower:g}",
        )
        return None
    if value > upper:
        problems.add(line, column, f"too large (got {text})", f"use a value <= {upper:g}")
        return None
    if integer and value != int(value):
        problems.add(line, column, f"must be a whole number (got {text})", "write an integer")
        return None
    return value


def parse_trace_csv(text: str, source: str = "trace.csv") -> Workload:
    """Parse CSV text (see the module doc for the schema) into a Workload."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise input_error(source, f"malformed CSV: {exc}", "fix the CSV syntax", "line 1") from None
    if header is None or not any(h.strip() for h in header):
        raise input_error(
            source,
            "the file has no header row",
            f"start with a header naming columns such as {','.join(REQUIRED + ('duration_s',))}",
        )
    names = [h.strip() for h in header]
    problems = _Problems(source)
    for name in names:
        if name not in COLUMNS:
            problems.add(1, name or "(empty)", "unknown column", f"use only {', '.join(COLUMNS)}")
    for name in set(names):
        if names.count(name) > 1:
            problems.add(1, name, "column appears twice", "keep one")
    for name in REQUIRED:
        if name not in names:
            problems.add(1, name, "missing column", "add this column")
    if not any(w in names for w in WORK):
        problems.add(1, "duration_s", "missing column", "add duration_s (seconds) or gpu_hours")
    problems.raise_if_any()
    idx = {name: i for i, name in enumerate(names)}

    cols: dict[str, list] = {name: [] for name in COLUMNS}
    ids_seen: dict[str, int] = {}
    gpu_types: list[str] = []
    row_no = 0
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not c.strip() for c in row):
                continue
            row_no += 1
            if len(row) != len(names):
                problems.add(
                    line,
                    "(row)",
                    f"has {len(row)} fields, the header has {len(names)}",
                    "give every row one value per header column",
                )
                continue
            cell = {name: row[i].strip() for name, i in idx.items()}
            submit = gpus = None
            if cell["submit_s"] == "":
                problems.add(line, "submit_s", "empty", "give the submit time in seconds")
            else:
                submit = _number(cell["submit_s"], line, "submit_s", problems, lower=0.0, strict=False)
            if cell["gpus"] == "":
                problems.add(line, "gpus", "empty", "give the number of GPUs")
            else:
                gpus = _number(
                    cell["gpus"], line, "gpus", problems, lower=1.0, strict=False, integer=True, upper=2.0**40
                )
            dur_text, gh_text = cell.get("duration_s", ""), cell.get("gpu_hours", "")
            duration = None
            if (dur_text == "") == (gh_text == ""):
                problems.add(
                    line,
                    "duration_s",
                    "give exactly one of duration_s and gpu_hours",
                    "fill one of the two cells and leave the other empty",
                )
            elif dur_text:
                duration = _number(dur_text, line, "duration_s", problems, lower=0.0, strict=True)
            else:
                gh = _number(gh_text, line, "gpu_hours", problems, lower=0.0, strict=True)
                if gh is not None and gpus is not None:
                    duration = gh * 3600.0 / gpus
                    if not math.isfinite(duration) or duration <= 0:
                        problems.add(
                            line,
                            "gpu_hours",
                            f"gives a run time of {duration} s",
                            "use a smaller, positive number of GPU-hours",
                        )
                        duration = None
            kind = cell.get("kind", "") or "other"
            if kind not in KINDS:
                problems.add(line, "kind", f"unknown kind {kind!r}", f"use one of {', '.join(KINDS)}")
                kind = "other"
            outcome = cell.get("outcome", "") or "completed"
            if outcome not in OUTCOMES:
                problems.add(
                    line, "outcome", f"unknown outcome {outcome!r}", f"use one of {', '.join(OUTCOMES)}"
                )
                outcome = "completed"
            prio_text = cell.get("priority", "")
            priority: float | None = DEFAULT_PRIORITY[kind]
            if prio_text:
                priority = _number(
                    prio_text, line, "priority", problems, lower=-1e9, strict=False, integer=True, upper=1e9
                )
            job_id = cell.get("job_id", "") or f"row{row_no}"
            if job_id in ids_seen:
                problems.add(
                    line,
                    "job_id",
                    f"duplicate job_id {job_id!r} (first on line {ids_seen[job_id]})",
                    "give each job a unique id",
                )
            ids_seen.setdefault(job_id, line)
            gtype = cell.get("gpu_type", "")
            if gtype and gtype not in gpu_types:
                gpu_types.append(gtype)
            extras = {}
            for name, strict in (
                ("checkpoint_interval_s", True),
                ("checkpoint_write_s", False),
                ("restart_s", False),
            ):
                text = cell.get(name, "")
                extras[name] = (
                    _number(text, line, name, problems, lower=0.0, strict=strict) if text else math.nan
                )
            if None in (submit, gpus, duration, priority) or None in extras.values():
                continue
            cols["submit_s"].append(submit)
            cols["gpus"].append(int(gpus))
            cols["duration_s"].append(duration)
            cols["kind"].append(KINDS.index(kind))
            cols["outcome"].append(OUTCOMES.index(outcome))
            cols["priority"].append(int(priority))
            cols["job_id"].append(job_id)
            cols["gpu_type"].append(gpu_types.index(gtype) if gtype else -1)
            for name, value in extras.items():
                cols[name].append(value)
    except csv.Error as exc:
        problems.add(reader.line_num, "(row)", f"malformed CSV: {exc}", "fix the CSV syntax")
    problems.raise_if_any()
    if not cols["submit_s"]:
        raise input_error(source, "the trace has no jobs", "add one row per job under the header")

    def optional(name: str):
        arr = np.array(cols[name], dtype=float)
        return None if np.isnan(arr).all() else arr

    return Workload.build(
        cols["submit_s"],
        cols["gpus"],
        cols["duration_s"],
        priority=cols["priority"],
        kind=cols["kind"],
        outcome=cols["outcome"],
        gpu_type=cols["gpu_type"],
        gpu_types=tuple(gpu_types),
        checkpoint_interval_s=optional("checkpoint_interval_s"),
        checkpoint_write_s=optional("checkpoint_write_s"),
        restart_s=optional("restart_s"),
        job_id=cols["job_id"],
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
