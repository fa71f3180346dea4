"""Whole-process time of the Colossus plans issue 11 asks for, and what the process spends before planning.

Goals (issue 11): `colossim plan --model llama3-405b --scenario colossus --gpus 200000 --json` and the same for
deepseek-v3 succeed in < 3 s, whole process each; `--gpus 230000` plans a cross-generation job.
Each command runs REPEATS times in a fresh process; the minimum and the median are printed (the machine is
shared: the minimum is the least disturbed run). `colossim --help` is timed the same way: it is the start-up
every command pays (imports) before it plans anything.
Run: .venv/bin/python benchmarks/bench_fleet.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPEATS = 5
COLOSSIM = [str(Path(sys.executable).with_name("colossim"))]
CASES = (
    ("--help",),
    ("plan", "--model", "llama3-405b", "--scenario", "colossus", "--gpus", "200000", "--json"),
    ("plan", "--model", "deepseek-v3", "--scenario", "colossus", "--gpus", "200000", "--json"),
    ("plan", "--model", "llama3-405b", "--scenario", "colossus", "--gpus", "230000", "--json"),
)


def _run(args: tuple[str, ...]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([*COLOSSIM, *args], capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


def main() -> None:
    for args in CASES:
        times, out = [], ""
        for _ in range(REPEATS):
            wall, out = _run(args)
            times.append(wall)
        what = ""
        if "--json" in args:
            data = json.loads(out)
            cross = data.get("cross_generation")
            what = (f"cross-generation job: {cross['gpus']:,} GPUs, {cross['tokens_per_s']:,.0f} tokens/s, "
                    f"{cross['gain_vs_best_partition']:+.1%} vs the best partition, "
                    f"{cross['gain_vs_separate']:+.1%} vs separate jobs" if cross else
                    f"partition {data['partition']}, best {data['layouts'][0]['tokens_per_s']:,.0f} tokens/s, "
                    f"search {data['search_time_s']:.2f} s")
        print(f"colossim {' '.join(args)}\n  min {min(times):.2f} s, median {statistics.median(times):.2f} s "
              f"over {REPEATS} processes; {what}")


if __name__ == "__main__":
    main()
