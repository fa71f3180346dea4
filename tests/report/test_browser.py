"""The real report's page renders in headless Chromium: every figure decodes, no script error."""

from __future__ import annotations

import os
import re

import pytest

from .chromium import chromium_binary, dump_dom


@pytest.mark.skipif(chromium_binary() is None and not os.environ.get("CI"),
                    reason="Debian chromium not installed (make test installs it)")
def test_report_renders_in_headless_chromium(report, written):
    out, _ = written
    dom = dump_dom(out / "index.html")
    assert f'data-figures="{len(report.figures())}"' in dom
    assert 'data-figures-ok="yes"' in dom
    assert 'data-js-errors="0"' in dom
    assert len(re.findall(r"<section id=", dom)) == len(report.sections)
