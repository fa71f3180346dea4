"""The HTML renderer: one self-contained page from Jinja2 templates (package data), escaped text, clickable
sources, stacked or scrolling tables, collapsible groups, links to its data files and a footer that says what
made it; a real browser renders it without errors."""

from __future__ import annotations

import os
import re

import pandas as pd
import pytest

from colossim import __version__
from colossim.report.document import Figure, Panel, Paragraph, Provenance, Report, Section, Table
from colossim.report.html import linked, render_html

from .chromium import chromium_binary, probe

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50" role="img" aria-label="a line">'
       "<title>a line</title><text x='5' y='20'>x</text></svg>")


def _report(provenance: Provenance | None = None) -> Report:
    table = Table("growth", "Growth", "GPUs by phase.", pd.DataFrame({"phase": ["a", "b"], "gpus": [1, 2]}))
    sources = Table("assumptions", "Inputs", "Each input.", pd.DataFrame({
        "area": ["site", "site", "catalog"], "name": ["pue", "water", "h100"], "value": ["1.2", "1.05", "x"],
        "source": ["see https://example.org/pue-report.pdf.", "utility filing", "vendor sheet"],
        "estimate": [True, False, None]}), narrow="stack", group_by="area")
    figure = Figure("curve", "A curve", "Shows a curve.", "The curve rises 3x.", (Panel("curve-line", SVG, "a line"),))
    return Report("T <title>", "sub", (Section("one", "One", (Paragraph("x & y"), table, figure, sources)),),
                  provenance=provenance)


def test_html_is_self_contained_and_escaped():
    page = render_html(_report())
    assert "T &lt;title&gt;" in page and "x &amp; y" in page
    assert not re.search(r'(src|href)="(https?:)?//', page.split('<section id="one">')[0]), "no external resources"
    assert "<link" not in page and "<script" not in page and "@import" not in page
    assert 'id="figure-curve"' in page and 'id="table-growth"' in page and 'id="panel-curve-line"' in page
    assert SVG in page, "figures are inline SVG"
    assert '<p class="takeaway">The curve rises 3x.</p>' in page


def test_sources_are_links_and_other_text_stays_text():
    assert str(linked("see https://example.org/a.pdf.")) == (
        'see <a href="https://example.org/a.pdf" title="https://example.org/a.pdf" rel="noreferrer">'
        "example.org/a.pdf</a>.")
    long = "https://www.example.org/" + "x" * 80
    assert f'href="{long}"' in linked(long) and ">example.org/" + "x" * 27 + "\u2026</a>" in linked(long)
    assert str(linked("<b>vendor</b> sheet")) == "&lt;b&gt;vendor&lt;/b&gt; sheet"
    page = render_html(_report())
    assert '<a href="https://example.org/pue-report.pdf" title=' in page


def test_grouped_table_is_collapsible_and_stacks_on_phones():
    page = render_html(_report())
    groups = re.findall(r'<details class="group"><summary>(\w+) <span class="count">\(([^)]*)\)', page)
    assert groups == [("site", "2 rows, 1 estimates"), ("catalog", "1 row")]
    assert 'class="stack"' in page and 'data-label="source"' in page


def test_page_links_its_data_files_and_says_what_made_it():
    page = render_html(_report(Provenance("9.9.9", "2026-01-02", "colossim report colossus --out x")))
    for link in ("report.json", "tables/growth.csv", "tables/growth.parquet", "figures/curve-line.svg"):
        assert f'href="{link}"' in page, link
    footer = page[page.index("<footer>"):]
    assert "colossim 9.9.9" in footer and "2026-01-02" in footer
    assert "<code>colossim report colossus --out x</code>" in footer
    default = render_html(_report())
    assert f"colossim {__version__}" in default and "Python API" in default


@pytest.mark.skipif(chromium_binary() is None and not os.environ.get("CI"),
                    reason="Debian chromium not installed (make test installs it)")
def test_html_renders_in_headless_chromium(tmp_path):
    path = tmp_path / "r.html"
    path.write_text(render_html(_report()), encoding="utf-8")
    measured = probe(path, 400)
    assert measured["errors"] == [] and measured["viewport"] == 400
    assert measured["scroll_width"] <= 400, measured["wide"]
    assert [f["id"] for f in measured["figures"]] == ["figure-curve"]
    assert measured["figures"][0]["svgs"][0]["title"] == "a line"
