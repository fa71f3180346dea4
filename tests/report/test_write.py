"""Files of a written report: index.html, report.json, tables as CSV and Parquet, each chart as an SVG file."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pandas as pd


def test_every_table_figure_and_the_json_are_written(report, written):
    out, paths = written
    assert (out / "index.html") in paths and (out / "report.json") in paths
    for t in report.tables():
        csv = pd.read_csv(out / "tables" / f"{t.name}.csv")
        assert list(csv.columns) == [str(c) for c in t.frame.columns]
        assert len(csv) == len(t.frame)
        parquet = pd.read_parquet(out / "tables" / f"{t.name}.parquet")
        assert list(parquet.columns) == list(csv.columns) and len(parquet) == len(csv)
    for f in report.figures():
        for p in f.panels:
            svg = out / "figures" / f"{p.name}.svg"
            assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg", p.name
    from colossim.stamp import json_stamp

    assert json.loads((out / "report.json").read_text(encoding="utf-8")) == {**report.numbers, **json_stamp()}
    assert all(p.is_relative_to(out) for p in paths)


def test_growth_csv_keeps_numbers_with_units_in_the_header(report, written):
    out, _ = written
    growth = pd.read_csv(out / "tables" / "growth.csv")
    assert growth["gpus"].tolist() == [p["gpus"] for p in report.numbers["growth"]]
    assert {"peak_bf16_eflops", "facility_power_mw", "co2_kt_per_year", "capex_usd_bn_low"} <= set(growth.columns)


def test_every_link_of_the_page_to_its_own_files_resolves(written):
    out, _ = written
    page = (out / "index.html").read_text(encoding="utf-8")
    local = [h for h in re.findall(r'href="([^"#][^"]*)"', page) if not h.startswith(("http://", "https://"))]
    assert local, "the page links its data files"
    for href in local:
        assert (out / href).exists(), href


def test_html_inlines_every_chart_and_loads_nothing_from_the_network(report, written):
    out, _ = written
    page = (out / "index.html").read_text(encoding="utf-8")
    assert page.count("<svg ") == sum(len(f.panels) for f in report.figures())
    assert "<script" not in page and "<link" not in page and not re.search(r'src="', page)
    for s in report.sections:
        assert f'<section id="{s.id}">' in page

