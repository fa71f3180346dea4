"""Write a built report into a folder: index.html, report.json, tables/*.csv and *.parquet, figures/*.svg (one
file per chart). Called only when the user names the folder."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from colossim.report.document import Report
from colossim.report.html import render_html
from colossim.stamp import json_stamp

SVG_PROLOG = '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'


def report_json(report: Report) -> str:
    """The numbers behind the report: sorted keys, NaN as null (Report.numbers is already JSON-clean)."""
    return json.dumps({**report.numbers, **json_stamp()}, indent=2, sort_keys=True, allow_nan=False) + "\n"


def _parquet_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns that mix types convert to Arrow: integers with floats become floats, numbers with
    text become text."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            kinds = {type(v) for v in out[col] if v is not None}
            if len(kinds) > 1 and kinds <= {int, float}:
                out[col] = out[col].astype(float)
            elif len(kinds) > 1:
                out[col] = out[col].map(lambda v: None if v is None else str(v))
    return out


def write_report(report: Report, out_dir: Path) -> list[Path]:
    """Write every file of the report under `out_dir` (created if needed); returns the paths written."""
    out_dir = Path(out_dir)
    tables, figures = out_dir / "tables", out_dir / "figures"
    tables.mkdir(parents=True, exist_ok=True)
    figures.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    index = out_dir / "index.html"
    index.write_text(render_html(report), encoding="utf-8")
    written.append(index)
    numbers = out_dir / "report.json"
    numbers.write_text(report_json(report), encoding="utf-8")
    written.append(numbers)
    for t in report.tables():
        csv = tables / f"{t.name}.csv"
        t.frame.to_csv(csv, index=False)
        parquet = tables / f"{t.name}.parquet"
        _parquet_ready(t.frame).to_parquet(parquet, index=False)
        written += [csv, parquet]
    for f in report.figures():
        for panel in f.panels:
            svg = figures / f"{panel.name}.svg"
            svg.write_text(SVG_PROLOG + panel.svg + "\n", encoding="utf-8")
            written.append(svg)
    return written
