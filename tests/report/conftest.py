"""One quick report per test session (a shorter simulated period; every other question as in the real
report), and the files it writes."""

from __future__ import annotations

import pytest

from colossim.report.build import build_report
from colossim.report.context import ReportOptions
from colossim.report.write import write_report


@pytest.fixture(scope="session")
def quick_options() -> ReportOptions:
    return ReportOptions().quicker()


@pytest.fixture(scope="session")
def report(quick_options):
    return build_report(quick_options)


@pytest.fixture(scope="session")
def written(report, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    return out, write_report(report, out)
