"""Screenshots of every figure of the report at 1400 and 400 px wide, for review: builds the quick report
(ReportOptions().quicker(), the tests' report) or the full one (--full), writes it and photographs each figure in
headless Chromium (Debian's package) into out/report-screenshots/ (or the folder given).

    .venv/bin/python scripts/report_screenshots.py [--full] [OUT_DIR]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "report"))

from chromium import chromium_binary, figure_screenshots, probe  # noqa: E402

from colossim.report.build import build_report  # noqa: E402
from colossim.report.context import ReportOptions  # noqa: E402
from colossim.report.write import write_report  # noqa: E402


def main(argv: list[str]) -> int:
    full = "--full" in argv
    rest = [a for a in argv if a != "--full"]
    out = Path(rest[0]) if rest else ROOT / "out" / "report-screenshots"
    if chromium_binary() is None:
        print("chromium is not installed (apt-get install chromium, or make browser)", file=sys.stderr)
        return 2
    report = build_report(ReportOptions() if full else ReportOptions().quicker())
    with tempfile.TemporaryDirectory() as tmp:
        write_report(report, Path(tmp))
        for width in (1400, 400):
            measured = probe(Path(tmp) / "index.html", width)
            print(f"{width} px: page {measured['scroll_width']} px wide, {measured['height']:,} px tall, "
                  f"{len(measured['errors'])} errors, {len(measured['figures'])} figures")
            for shot in figure_screenshots(Path(tmp) / "index.html", width, out):
                print(f"  {shot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
