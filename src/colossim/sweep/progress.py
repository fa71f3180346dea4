"""A rich progress bar for sweeps: grid points done, rate and time left (drawn on stderr)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from colossim.sweep.runner import Progress as ProgressCallback


@contextmanager
def rich_progress(console: Console, label: str = "sweep") -> Iterator[ProgressCallback]:
    """Yields a (done, total) callback that drives a progress bar. Points already in the journal when the
    sweep resumes are shown as done from the start and do not count towards the speed estimate."""
    # the label is user text (the sweep file's name): shown as it is, never read as markup
    bar = Progress(TextColumn("{task.description}", markup=False, style="bold"), BarColumn(), MofNCompleteColumn(),
                   TaskProgressColumn(), TextColumn("elapsed"), TimeElapsedColumn(), TextColumn("left"),
                   TimeRemainingColumn(), console=console, transient=False)
    task = None

    def update(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            task = bar.add_task(label, total=total, completed=done)
        else:
            bar.update(task, completed=done, total=total)

    with bar:
        yield update
