"""The assumptions behind a result as the terminal shows them: one row per assumption with a short reference
([1], [2], ...), and each distinct source printed once below (a site's long source backs six rows: it is
printed once, not six times)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Group
from rich.table import Table


@dataclass(frozen=True)
class AssumptionRow:
    name: str
    values: tuple[str, ...]  # one per value column
    unit: str
    source: str


def numbered(sources: Sequence[str]) -> dict[str, int]:
    """Each distinct source and its number, in order of first use."""
    out: dict[str, int] = {}
    for s in sources:
        out.setdefault(s, len(out) + 1)
    return out


def assumptions_view(title: str, value_columns: Sequence[str], rows: Sequence[AssumptionRow]) -> Group:
    """The table of assumptions (source as [n]) and the numbered list of their sources."""
    refs = numbered([r.source for r in rows])
    table = Table(title=title)
    for col in ("name", *value_columns, "unit", "source"):
        table.add_column(col, overflow="fold", justify="right" if col == "source" else "left")
    for r in rows:
        table.add_row(r.name, *r.values, r.unit, f"[{refs[r.source]}]")
    notes = Table(title="sources", show_header=False, box=None, padding=(0, 1))
    notes.add_column("ref", justify="right", no_wrap=True)
    notes.add_column("source", overflow="fold")
    for source, n in refs.items():
        notes.add_row(f"[{n}]", source)
    return Group(table, notes)


__all__ = ["AssumptionRow", "assumptions_view", "numbered"]
