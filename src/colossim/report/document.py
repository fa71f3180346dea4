"""The report as plain data: sections of paragraphs, lists, tables and figures, rendered elsewhere."""

from __future__ import annotations

from dataclasses import dataclass, field

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

    def label(self, key: str) -> str:
        return self.labels.get(key, key)

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
class Figure:
    """A rendered figure: PNG bytes plus the title and one-line caption a newcomer needs."""

    name: str
    title: str
    caption: str
    png: bytes


Block = Paragraph | Bullets | Table | Figure


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    numbers: dict = field(default_factory=dict)

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]

    def section(self, id: str) -> Section:
        for s in self.sections:
            if s.id == id:
                return s
        raise KeyError(f"no section '{id}' in the report")
