"""Start-up of the command line (issue 16): `colossim --help` in < 0.3 s, and the small commands.

Each command runs REPEATS times in a fresh process (the installed `colossim` script, and `python -m colossim`);
the minimum (the least disturbed run on a shared machine) and the median are printed, with the modules
`--help` imports: it must not import any command module, numpy, pandas, pydantic or rich.
Run: .venv/bin/python benchmarks/bench_startup.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPEATS = 7
GOAL_S = 0.3
COLOSSIM = [str(Path(sys.executable).with_name("colossim"))]
CASES = (
    (COLOSSIM, ("--help",)),
    (COLOSSIM, ("--version",)),
    ([sys.executable, "-m", "colossim"], ("--help",)),
    (COLOSSIM, ("models",)),
    (COLOSSIM, ("catalog", "gpus")),
    (COLOSSIM, ("schema", "model")),
)
HEAVY = ("numpy", "pandas", "pydantic", "rich", "matplotlib", "colossim.cli.plan_cmd", "colossim.cluster")


def _wall(cmd: list[str], args: tuple[str, ...]) -> float:
    started = time.perf_counter()
    subprocess.run([*cmd, *args], capture_output=True, check=True)
    return time.perf_counter() - started


def _help_imports() -> list[str]:
    code = ("import sys\nfrom colossim.cli.main import app\nsys.argv = ['colossim', '--help']\n"
            "try:\n    app()\nexcept SystemExit:\n    pass\n"
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stderr.split()


def main() -> None:
    print(f"{'command':32s} {'min s':>7s} {'median s':>9s}")
    for cmd, args in CASES:
        times = [_wall(cmd, args) for _ in range(REPEATS)]
        name = ("python -m colossim " if "-m" in cmd else "colossim ") + " ".join(args)
        flag = "" if args != ("--help",) else ("  (goal < 0.3 s: " + ("met" if min(times) < GOAL_S else "MISSED") + ")")
        print(f"{name:32s} {min(times):7.3f} {statistics.median(times):9.3f}{flag}")
    heavy = _help_imports()
    print("heavy modules imported by --help:", ", ".join(heavy) if heavy else "none")


if __name__ == "__main__":
    main()
