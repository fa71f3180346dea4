"""The report as plain data: sections of paragraphs, tables and figures, rendered elsewhere."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    """A table whose column names carry units; `name` is the stem of its CSV/Parquet file."""

    name: str
    title: str
    caption: str
    frame: pd.DataFrame


@dataclass(frozen=True)
class Figure:
    """A rendered figure: PNG bytes plus the title and one-line caption a newcomer needs."""

    name: str
    title: str
    caption: str
    png: bytes


Block = Paragraph | Table | Figure


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
