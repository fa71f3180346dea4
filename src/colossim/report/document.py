"""The report as plain data: sections of paragraphs, lists, tables and figures, rendered elsewhere."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import pandas as pd

from colossim.report.format import fmt_value


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    """A short list of facts (key numbers, caveats)."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table. `frame` columns are machine keys with units in their names (they head the CSV/Parquet
    file `name`); `labels` maps a key to the header a reader sees (with its unit); `formats` maps a key
    to a Python format spec such as ',.0f' (default: a readable number format)."""

    name: str
    title: str
    caption: str
    frame: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)
    summary: bool = False  # also printed in the terminal summary
    transpose: bool = False  # shown with one column per row of `frame` (its first column heads them)
    narrow: Literal["scroll", "stack"] = "scroll"  # on a phone: scroll inside its box, or one card per row
    group_by: str | None = None  # a column of `frame`: its rows shown in one collapsible group per value

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

    def groups(self) -> list[tuple[str, Table]]:
        """(value, the rows with it, without the column) for each value of `group_by`, in first-seen order."""
        if self.group_by is None:
            return [("", self)]
        keys = list(dict.fromkeys(self.frame[self.group_by]))
        return [(str(k), replace(self, frame=self.frame[self.frame[self.group_by] == k]
                                 .drop(columns=[self.group_by]).reset_index(drop=True), group_by=None))
                for k in keys]

    def display(self) -> tuple[list[str], list[list[str]]]:
        """Header and formatted rows as a reader sees them (transposed when asked)."""
        cols = [str(c) for c in self.frame.columns]
        rows = [[fmt_value(v, self.formats.get(c)) for v, c in zip(r, cols, strict=True)]
                for r in self.frame.itertuples(index=False)]
        if not self.transpose:
            return [self.label(c) for c in cols], rows
        header = [self.label(cols[0]), *(r[0] for r in rows)]
        return header, [[self.label(c), *(r[i] for r in rows)] for i, c in enumerate(cols) if i > 0]


@dataclass(frozen=True)
class Panel:
    """One chart of a figure: an SVG drawing (text kept as text) and the words a reader without it needs."""

    name: str  # unique in the report: the file figures/NAME.svg and the salt of the SVG's ids
    svg: str  # a standalone <svg> element, no XML prolog, ids unique to this panel
    alt: str  # what the chart shows, with its numbers
    wide: bool = False  # takes the page's full width (time series); else panels flow in a grid

    def __post_init__(self) -> None:
        if not self.svg.lstrip().startswith("<svg") or not self.alt.strip():
            raise ValueError(f"panel '{self.name}' needs an <svg> drawing and alt text")


@dataclass(frozen=True)
class Figure:
    """A figure: panels that re-flow with the page, a title, a one-line takeaway computed from the numbers
    it shows, and a caption saying what is drawn."""

    name: str
    title: str
    caption: str
    takeaway: str
    panels: tuple[Panel, ...]

    def __post_init__(self) -> None:
        if not self.panels or not self.takeaway.strip():
            raise ValueError(f"figure '{self.name}' needs at least one panel and a takeaway")

    @property
    def alt(self) -> str:
        """The whole figure in words: its takeaway, then each panel's alt text."""
        return " ".join([self.takeaway, *(p.alt for p in self.panels)])


Block = Paragraph | Bullets | Table | Figure


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Provenance:
    """What made the page: shown in its footer."""

    version: str  # colossim's
    built_on: str  # YYYY-MM-DD
    command: str | None = None  # the command line; None when built through the Python API


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    numbers: dict = field(default_factory=dict)
    provenance: Provenance | None = None

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def section(self, id: str) -> Section:
        for s in self.sections:
            if s.id == id:
                return s
        raise KeyError(f"no section '{id}' in the report")
