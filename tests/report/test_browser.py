"""The real report's page in headless Chromium at 1400 and 400 px wide: no horizontal overflow of the page
(tables scroll inside their own box), no script or console error, every figure present with a titled SVG per
panel; and a screenshot of each figure at both widths (under the test's tmp folder; see
scripts/report_screenshots.py for a copy to review)."""

from __future__ import annotations

import os

import pytest

from .chromium import chromium_binary, figure_screenshots, probe

needs_chromium = pytest.mark.skipif(chromium_binary() is None and not os.environ.get("CI"),
                                    reason="Debian chromium not installed (make test installs it)")


@needs_chromium
@pytest.mark.parametrize("width", [1400, 400])
def test_report_reads_at_desktop_and_phone_width(report, written, width):
    out, _ = written
    measured = probe(out / "index.html", width)
    assert measured["viewport"] == width
    assert measured["scroll_width"] <= width, f"the page overflows sideways: {measured['wide']}"
    assert measured["wide"] == [], "elements past the right edge"
    assert measured["errors"] == []
    assert measured["sections"] == len(report.sections)
    by_id = {f["id"]: f for f in measured["figures"]}
    assert set(by_id) == {f"figure-{f.name}" for f in report.figures()}
    for f in report.figures():
        shown = by_id[f"figure-{f.name}"]
        assert len(shown["svgs"]) == len(f.panels), f.name
        for svg, panel in zip(shown["svgs"], f.panels, strict=True):
            assert svg["title"] == panel.alt and svg["label"] == panel.alt, panel.name
            assert svg["texts"] > 3 and svg["width"] > 150 and svg["height"] > 80, panel.name
            assert svg["width"] <= width, panel.name
    for box in measured["tables"]:
        assert box["right"] <= width + 0.5, box["id"]


@needs_chromium
def test_a_screenshot_of_each_figure_at_both_widths(report, written, tmp_path):
    from PIL import Image

    out, _ = written
    for width in (1400, 400):
        shots = figure_screenshots(out / "index.html", width, tmp_path / "shots")
        assert sorted(p.name for p in shots) == sorted(f"{f.name}-{width}px.png" for f in report.figures())
        for shot in shots:
            with Image.open(shot) as image:
                assert image.width == width and image.height > 150, shot.name
                grey = image.convert("L").resize((64, 64)).getcolors(maxcolors=4096) or []
                assert len(grey) > 8, f"{shot.name} is blank"
