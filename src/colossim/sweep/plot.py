"""Plot of a sweep's table: best throughput against GPU count, one line per (model, cluster, objective,
global batch). Separate from the sweep machinery; matplotlib is imported only here, on use."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from colossim.sweep.grid import POINT_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

SERIES = tuple(c for c in POINT_COLUMNS if c != "gpus")
STYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v")


def throughput_series(frame: pd.DataFrame, metric: str = "tokens_per_s") -> dict[str, pd.DataFrame]:
    """Best (rank 1) `metric` per GPU count for each series, keyed by a readable label."""
    missing = [c for c in (*POINT_COLUMNS, "rank", metric) if c not in frame.columns]
    if missing:
        raise ValueError(f"the sweep table has no column(s) {missing} to plot (the table itself is written): "
                         f"use an evaluator that returns '{metric}', or drop --plot")
    best = frame[frame["rank"] == 1]
    out = {}
    for values, group in best.groupby(list(SERIES), sort=False):
        label = " ".join(str(v) for v in values)
        out[label] = group.sort_values("gpus")[["gpus", metric]].reset_index(drop=True)
    return out


def plot_throughput(frame: pd.DataFrame, path: str | Path, metric: str = "tokens_per_s") -> Path:
    """Write a PNG (or any format matplotlib knows by suffix) of `metric` vs GPU count, log-log axes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = throughput_series(frame, metric)
    path = Path(path)
    fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
    try:
        # One colour per model; line style and marker tell the other series apart.
        colours = plt.get_cmap("tab10").colors
        models = list(dict.fromkeys(label.split(" ")[0] for label in series))
        seen: dict[str, int] = {}
        for label, data in series.items():
            model = label.split(" ")[0]
            n = seen[model] = seen.get(model, -1) + 1
            ax.plot(data["gpus"], data[metric], color=colours[models.index(model) % len(colours)],
                    linestyle=STYLES[n % len(STYLES)], marker=MARKERS[n % len(MARKERS)], label=label)
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("GPUs")
        ax.set_ylabel(metric.replace("_per_s", " / s").replace("_", " "))
        ax.set_title("Best plan per grid point (rank 1)")
        ax.grid(True, which="both", alpha=0.3)
        if series:
            ax.legend(fontsize="small", title=" ".join(SERIES), loc="upper left", bbox_to_anchor=(1.01, 1.0))
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=120)
    finally:
        plt.close(fig)
    return path
