"""What drawing and rendering the report costs, and how big its page is (issue 16 item 2).

Builds the quick report once (ReportOptions().quicker(): the tests' report; the charts are drawn inside each
section's build, whose time is printed), then times render_html (REPEATS runs) and write_report, and prints the
page's size, its number of SVG charts and their sizes. Timings on a shared 2-core machine are noisy: the
minimum is the least disturbed run.
Run: .venv/bin/python benchmarks/bench_report_render.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from colossim.report.build import build_report
from colossim.report.context import ReportOptions
from colossim.report.html import render_html
from colossim.report.write import write_report

REPEATS = 5


def main() -> None:
    started = time.perf_counter()
    report = build_report(ReportOptions().quicker())
    print(f"quick report built in {time.perf_counter() - started:.1f} s "
          f"(sections: {', '.join(f'{k} {v:.1f} s' for k, v in report.numbers['section_build_s'].items())})")
    times = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        page = render_html(report)
        times.append(time.perf_counter() - t)
    print(f"render_html: min {min(times) * 1e3:.0f} ms, median {statistics.median(times) * 1e3:.0f} ms "
          f"over {REPEATS} runs")
    panels = [p for f in report.figures() for p in f.panels]
    svg_kb = [len(p.svg.encode()) / 1024 for p in panels]
    print(f"page: {len(page.encode()) / 1024:,.0f} KiB, {len(report.figures())} figures, {len(panels)} SVG charts "
          f"(mean {statistics.mean(svg_kb):,.0f} KiB, largest {max(svg_kb):,.0f} KiB)")
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        written = write_report(report, Path(tmp))
        print(f"write_report: {len(written)} files in {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
