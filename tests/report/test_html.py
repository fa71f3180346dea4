"""The HTML renderer makes one self-contained page that a real browser renders without errors."""

import io
import os
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from colossim.report.document import Figure, Paragraph, Report, Section, Table
from colossim.report.html import render_html

from .chromium import chromium_binary, dump_dom


def _png() -> bytes:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1, 2], [1, 3, 2])
    ax.set_xlabel("time (days)")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _report() -> Report:
    table = Table("growth", "Growth", "GPUs by phase.", pd.DataFrame({"phase": ["a", "b"], "gpus": [1, 2]}))
    figure = Figure("curve", "A curve", "Shows a curve.", _png())
    return Report("T <title>", "sub", (Section("one", "One", (Paragraph("x & y"), table, figure)),))


def test_html_is_self_contained_and_escaped():
    page = render_html(_report())
    assert "T &lt;title&gt;" in page and "x &amp; y" in page
    assert not re.search(r'src="(http|//)', page), "no external resources"
    assert 'id="figure-curve"' in page and 'id="table-growth"' in page
    assert "data:image/png;base64," in page


@pytest.mark.skipif(chromium_binary() is None and not os.environ.get("CI"),
                    reason="Debian chromium not installed (make test installs it)")
def test_html_renders_in_headless_chromium(tmp_path):
    path = tmp_path / "r.html"
    path.write_text(render_html(_report()), encoding="utf-8")
    dom = dump_dom(path)
    assert 'data-figures="1"' in dom
    assert 'data-figures-ok="yes"' in dom
    assert 'data-js-errors="0"' in dom
