"""The report's terminal summary: its headline paragraphs and summary tables as rich tables."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.rule import Rule
from rich.table import Table as RichTable
from rich.text import Text

from colossim.report.document import Paragraph, Report, Table


def rich_table(t: Table) -> RichTable:
    header, rows = t.display()
    table = RichTable(title=t.title, title_justify="left", caption=t.caption, caption_justify="left")
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i == 0 else "right", overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def summary_renderables(report: Report) -> list[RenderableType]:
    out: list[RenderableType] = [Text(report.title, style="bold"), Text(report.subtitle)]
    for section in report.sections:
        parts: list[RenderableType] = []
        for block in section.blocks:
            if isinstance(block, Paragraph) and not parts:
                parts.append(Text(block.text))
            elif isinstance(block, Table) and block.summary:
                parts.append(rich_table(block))
        if parts:
            out += [Rule(section.title, align="left"), Group(*parts)]
    return out


def print_summary(report: Report, console: Console) -> None:
    for item in summary_renderables(report):
        console.print(item)
