"""Render a Report as one self-contained HTML page: Jinja2 templates and a small responsive stylesheet shipped
as package data (colossim/report/templates, colossim/report/static), figures as inline SVG, no network."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from importlib import resources

from markupsafe import Markup, escape

from colossim import __version__
from colossim.report.document import Provenance, Report, Table

_NUMBER = re.compile(r"^[-+]?[\d,.]+ ?%?$|^-$|^\d{4}-\d{2}-\d{2}$")  # right-aligned cells
_URL = re.compile(r"https?://[^\s<>\"')\];,]+(?:\([^\s<>\"()]*\)[^\s<>\"')\];,]*)*")


LINK_TEXT = 40  # characters of a URL shown as its link's text (the whole URL is the link and its tooltip)


def _link_text(url: str) -> str:
    """'https://www.example.org/a/long/path' -> 'example.org/a/long/path', cut at LINK_TEXT with an ellipsis."""
    short = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
    return short if len(short) <= LINK_TEXT else short[: LINK_TEXT - 1] + "\u2026"


def linked(text: object) -> Markup:
    """Escaped text with every http(s) URL in it as a link (sources are clickable; other text stays text)."""
    text = str(text)
    out, last = [], 0
    for m in _URL.finditer(text):
        url = m.group(0).rstrip(".")
        out.append(escape(text[last:m.start()]))
        out.append(Markup('<a href="{0}" title="{0}" rel="noreferrer">{1}</a>').format(url, _link_text(url)))
        last = m.start() + len(url)
    out.append(escape(text[last:]))
    return Markup("").join(out)


@dataclass(frozen=True)
class Cell:
    html: Markup
    css: str  # "" (a number, right-aligned), "text", or "text estimate-yes"


@dataclass(frozen=True)
class TableView:
    """What the template needs of one table (or one group of a grouped table)."""

    id: str
    group: str
    summary: str
    header: list[str]
    rows: list[list[Cell]]


SHORT_TEXT = 24  # characters: shorter text cells align like numbers (a column of ids or dates stays tidy)


def _cell(text: str, column: str) -> Cell:
    css = "" if _NUMBER.match(text) or len(text) <= SHORT_TEXT else "text"
    if column == "estimate" and text == "yes":
        css += " estimate-yes"
    return Cell(linked(text), css.strip())


def table_views(t: Table) -> list[TableView]:
    views = []
    for i, (group, part) in enumerate(t.groups()):
        header, rows = part.display()
        columns = [str(c) for c in part.frame.columns] if not part.transpose else [""] * len(header)
        estimates = sum(1 for v in part.frame.get("estimate", []) if v is True)
        summary = f"{len(part.frame):,} {'row' if len(part.frame) == 1 else 'rows'}" + (
            f", {estimates} estimates" if estimates else "")
        views.append(TableView(f"table-{t.name}" + (f"-{i + 1}" if t.group_by else ""), group, summary, header,
                               [[_cell(v, columns[j]) for j, v in enumerate(row)] for row in rows]))
    return views


def _kind(block: object) -> str:
    return type(block).__name__


@functools.cache
def _environment():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("colossim.report", "templates"), autoescape=select_autoescape(["j2"]),
                      undefined=StrictUndefined, trim_blocks=False, lstrip_blocks=False)
    env.globals.update(linked=linked, table_views=table_views, kind_of=_kind)
    return env


def stylesheet() -> str:
    return resources.files("colossim.report").joinpath("static/report.css").read_text(encoding="utf-8")


def render_html(report: Report) -> str:
    provenance = report.provenance or Provenance(__version__, date.today().isoformat())
    template = _environment().get_template("report.html.j2")
    return template.render(report=report, provenance=provenance, css=Markup(stylesheet()))
