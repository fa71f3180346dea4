"""The terminal summary: every section's title and its summary tables, with units."""

from __future__ import annotations

from rich.console import Console

from colossim.report.terminal import print_summary


def test_summary_has_each_section_and_units(report):
    console = Console(record=True, width=120)
    print_summary(report, console)
    text = console.export_text()
    for s in report.sections:
        if s.id != "assumptions":
            assert s.title in text
    for unit in ("EFLOP/s", "MW", "GWh", "kt", "billion USD", "GPU-h", "%"):
        assert unit in text, unit
    for t in report.tables():
        if t.summary:
            assert t.title in text
