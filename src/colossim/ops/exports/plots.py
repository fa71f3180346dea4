"""Plots of an operations simulation (matplotlib; written only when asked; imports the core, not back).

Uses matplotlib's object API (Figure + Agg canvas), so it needs no display and no global pyplot state.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from colossim.ops.exports.results import STATUSES, OpsResult
from colossim.ops.exports.waits import wait_counts

DAY_S = 86_400.0


def _save(fig: Figure, path: Path) -> Path:
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    return path


def plot_capacity(result: OpsResult, path: Path) -> Path:
    s = result.series
    days = s.t_s / DAY_S
    fig = Figure(figsize=(9, 4.5))
    ax = fig.add_subplot()
    stack = [s.busy_gpus, s.serving_gpus, s.idle_gpus, s.spare_gpus, s.down_gpus]
    ax.stackplot(days, *stack, labels=["busy", "serving", "idle", "spare", "down"], step="post", alpha=0.85)
    ax.plot(
        days,
        s.capacity_gpus + s.burn_in_gpus,
        color="k",
        lw=0.8,
        ls="--",
        label="delivered (incl. burn-in)",
    )
    ax.set_xlabel("day")
    ax.set_ylabel("GPUs")
    ax.set_title("Capacity and its use")
    ax.legend(loc="upper left", fontsize=8)
    return _save(fig, path)


def plot_utilisation(result: OpsResult, path: Path) -> Path:
    s = result.series
    days = s.t_s / DAY_S
    fig = Figure(figsize=(9, 4.5))
    ax = fig.add_subplot()
    ax.plot(days, s.utilisation, lw=0.8, label="utilisation (busy / in service for training)")
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("day")
    ax.set_ylabel("share")
    ax2 = ax.twinx()
    ax2.plot(days, s.power_mw, color="tab:red", lw=0.8, label="facility power (MW)")
    ax2.set_ylabel("MW")
    ax.set_title("Utilisation and power")
    fig.legend(loc="lower right", fontsize=8)
    return _save(fig, path)


def plot_queue(result: OpsResult, path: Path) -> Path:
    s = result.series
    days = s.t_s / DAY_S
    fig = Figure(figsize=(9, 4.5))
    ax = fig.add_subplot()
    ax.plot(days, s.queued_jobs, lw=0.8, label="queued jobs")
    ax.plot(days, s.running_jobs, lw=0.8, label="running jobs")
    ax.set_xlabel("day")
    ax.set_ylabel("jobs")
    ax.set_title("Queue")
    ax.legend(fontsize=8)
    return _save(fig, path)


def job_times_figure(result: OpsResult) -> Figure:
    """Left: the jobs that started, by how long they waited, "no wait" a bar of its own (a log axis would drop
    it); right: the CDF of run and completion times, log seconds."""
    j = result.jobs
    fig = Figure(figsize=(12, 4.5))
    bars, cdf = fig.subplots(1, 2, width_ratios=(1, 1.3))
    labels, counts = wait_counts(j.queue_s)
    drawn = bars.bar(np.arange(len(labels)), counts, color=["tab:green"] + ["tab:orange"] * (len(labels) - 1))
    bars.bar_label(drawn, labels=[f"{int(c):,}" for c in counts], fontsize=7)
    bars.set_xticks(np.arange(len(labels)), labels, rotation=30, ha="right", fontsize=8)
    bars.set_ylabel("jobs")
    not_started = int(np.count_nonzero(~np.isfinite(j.queue_s)))
    bars.set_title(f"Wait to start ({int(counts.sum()):,} started, {not_started:,} not started)", fontsize=10)
    for name, values in (("run time", j.run_s), ("completion time", j.end_s - j.submit_s)):
        v = np.sort(values[np.isfinite(values) & (values > 0)])
        if v.size:
            cdf.plot(v, np.arange(1, v.size + 1) / v.size, label=name)
    cdf.set_xscale("log")
    cdf.set_xlabel("seconds")
    cdf.set_ylabel("share of jobs")
    status = result.status_counts()
    cdf.set_title("Job times (CDF); " + ", ".join(f"{k} {status[k]}" for k in STATUSES if status[k]), fontsize=10)
    cdf.legend(fontsize=8)
    return fig


def plot_job_times(result: OpsResult, path: Path) -> Path:
    return _save(job_times_figure(result), path)


def plot_result(result: OpsResult, out_dir: str | Path) -> list[Path]:
    """Write the four standard plots as PNG files into out_dir (created if needed; the CLI checks that it
    can be written before the run)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return [
        plot_capacity(result, out / "ops_capacity.png"),
        plot_utilisation(result, out / "ops_utilisation.png"),
        plot_queue(result, out / "ops_queue.png"),
        plot_job_times(result, out / "ops_job_times.png"),
    ]
