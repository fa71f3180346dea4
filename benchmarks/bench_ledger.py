"""Time of the supply ledger (issue 14): each built-in site's daily dispatch from its first dated event to the
record's cut-off (grid, batteries, turbine fleets, hour by hour over a daily shape, a week of passes per day),
one date's figures with their permit checks, and the whole `cluster --at DATE` figures of Colossus 1.

No speed goal is set by the issue; the figures say what the ledger adds to `cluster` and the report. The
machine is shared: the minimum of REPEATS runs is the least disturbed.
Run: .venv/bin/python benchmarks/bench_ledger.py
"""

from __future__ import annotations

import time
from datetime import date

from colossim.catalog import load_catalog
from colossim.cluster import cluster_figures, list_scenarios, load_cluster
from colossim.cluster.ledger import supply_ledger
from colossim.cluster.supply_day import supply_day

REPEATS = 5


def _best(fn) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    catalog = load_catalog()
    for name in list_scenarios():
        spec = load_cluster(name, catalog)
        if spec.supply is None:
            continue
        book = supply_ledger(spec, catalog)
        fleets = len(book.fleets)
        seconds = _best(lambda spec=spec: supply_ledger(spec, catalog))
        day = _best(lambda spec=spec, book=book: supply_day(book, book.end, spec.supply.permits))
        print(f"{name:22s} ledger {book.days:4d} days x {fleets} fleets: {seconds * 1e3:6.1f} ms; "
              f"one day's figures and permit checks: {day * 1e3:5.1f} ms")
    spec = load_cluster("colossus", catalog)
    whole = _best(lambda: cluster_figures(spec, catalog, date(2025, 9, 1)))
    print(f"cluster_figures(colossus, 2025-09-01), ledger included: {whole * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
