"""colossim.cli.common: flags checked and named before any work, user text printed literally, output paths
checked before the work and written without half-written files, stdout kept for the JSON."""

from __future__ import annotations

import errno
import functools
import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from colossim.cli.main import app

runner = CliRunner()

# A small cluster whose names are rich markup: they must print as they are, never crash or render a link.
MARKUP_CLUSTER = """\
name: "[/bold]"
site: us_average
fabric: {switch: spectrum4_sn5600}
storage: {write_gb_s: 500, read_gb_s: 1000, capacity_pb: 5}
phases:
  - {name: "[link=https://example.com]p1[/link]", start: 2024-03-01, add: [{system: dgx_h100, count: 16}],
     source: test}
  - {name: "[red]p2", start: 2024-06-01, add: [{system: dgx_h100, count: 16}], source: test}
"""


def _clean_exit_2(res, *words: str) -> None:
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    for word in words:
        assert word in res.stderr, res.stderr


@pytest.fixture()
def markup_cluster(tmp_path):
    path = tmp_path / "markup.yaml"
    path.write_text(MARKUP_CLUSTER)
    return path


@functools.cache
def _all_modules() -> tuple[str, ...]:
    import colossim

    return tuple(m.name for m in pkgutil.walk_packages(colossim.__path__, "colossim.")
                 if m.name != "colossim.__main__")  # __main__ runs the app


def _no_work(monkeypatch, *targets: str) -> None:
    """Any of these functions being called means the command started its work before checking its flags."""
    def refuse(*_a, **_k):
        raise AssertionError("the work started before the command line was checked")

    # modules that bind `from colossim.cluster import load_cluster` when first imported: import every module
    # before the patch, or one first imported under it would keep the refusing stand-in after the test
    for module in _all_modules():
        importlib.import_module(module)
    for target in targets:
        monkeypatch.setattr(target, refuse)


@pytest.mark.parametrize("args,flag", [
    (["train", "--model", "llama3-8b", "--scenario", "colossus", "--tokens", "nan"], "--tokens"),
    (["train", "--model", "llama3-8b", "--scenario", "colossus", "--tokens", "inf"], "--tokens"),
    (["compare", "--model", "llama3-8b", "--scenario", "colossus", "--tokens", "nan"], "--tokens"),
    (["step", "--model", "llama3-8b", "--gpu", "h100_sxm5", "--gpus", "8", "--gbs", "64",
      "--oversubscription", "inf"], "--oversubscription"),
    (["step", "--model", "llama3-8b", "--gpu", "h100_sxm5", "--gpus", "8", "--gbs", "64", "--offload", "nan"],
     "--offload"),
    (["buy", "--budget", "nan", "--system", "gb200_nvl72"], "--budget"),
    (["buy", "--budget", "-inf", "--system", "gb200_nvl72"], "--budget"),
    (["report", "colossus", "--budget", "inf"], "--budget"),
    (["report", "colossus", "--ops-days", "nan"], "--ops-days"),
    (["plan", "--model", "llama3-8b", "--scenario", "colossus", "--gpus", str(10**30)], "--gpus"),
    (["simulate", "--scenario", "colossus", "--days", "inf"], "--days"),
])
def test_non_finite_and_oversized_flags_exit_2_naming_the_flag(monkeypatch, args, flag):
    _no_work(monkeypatch, "colossim.cluster.load_cluster", "colossim.cli.cluster_cmd.load_cluster",
             "colossim.report.build.build_report", "colossim.cli.step_cmd.step_breakdown")
    res = runner.invoke(app, args)
    _clean_exit_2(res)
    named = (f"{flag}: not a finite number", f"{flag}: out of range", f"Invalid value for '{flag}'")
    assert any(n in res.stderr for n in named), res.stderr  # ours, or typer's own range check


@pytest.mark.parametrize("args", [
    ["train", "--model", "llama3-8b", "--scenario", "colossus", "--tokens", "1e12", "--at", "2025-02-30"],
    ["plan", "--model", "llama3-8b", "--scenario", "colossus", "--at", "2025-13-01"],
    ["cluster", "colossus", "--at", "02/09/2024"],
    ["buy", "--budget", "1e9", "--system", "gb200_nvl72", "--at", "yesterday"],
])
def test_bad_dates_name_the_flag(args):
    _clean_exit_2(runner.invoke(app, args), "--at", "is not a calendar date", "YYYY-MM-DD")


@pytest.mark.parametrize("args,flag", [
    (["report", "colossus", "--tokens", "-1"], "--tokens"),
    (["report", "colossus", "--tokens", "0"], "--tokens"),
    (["report", "colossus", "--ops-jobs", "0"], "--ops-jobs"),
    (["report", "colossus", "--seed", "-1"], "--seed"),
    (["train", "--model", "llama3-8b", "--scenario", "colossus", "--tokens", "-5"], "--tokens"),
    (["train", "--model", "llama3-8b", "--scenario", "colossus", "--tokens", "1e12", "--runs", "1000000000"],
     "--runs"),
])
def test_out_of_range_flags_exit_2_before_any_work(monkeypatch, args, flag):
    _no_work(monkeypatch, "colossim.report.build.build_report", "colossim.cluster.load_cluster")
    _clean_exit_2(runner.invoke(app, args), f"Invalid value for '{flag}'")


def test_user_text_prints_literally_in_every_command(markup_cluster, tmp_path):
    path = str(markup_cluster)
    small = ["--model", "llama3-8b", "--tokens", "1e9"]
    commands = [
        ["cluster", path],
        ["buy", "--budget", "1e9", "--system", "dgx_h100", "--scenario", path],
        ["plan", "--model", "llama3-8b", "--cluster", path, "--gpus", "64", "--top", "2"],
        ["train", *small, "--cluster", path, "--runs", "50"],
        ["compare", *small, "--cluster", path, "--runs", "50"],
        ["report", path, *small, "--ops-days", "2", "--ops-jobs", "50"],
    ]
    for args in commands:
        res = runner.invoke(app, args)
        assert res.exit_code == 0, (args[0], res.output)
        assert "[/bold]" in res.stdout, args[0]  # the cluster name, as written
    compare = runner.invoke(app, commands[4])
    assert "[link=https://example.com]p1[/link]" in compare.stdout and "\x1b]8;" not in compare.stdout


def test_a_markup_file_name_does_not_break_the_sweep_progress_bar(tmp_path):
    sweep = tmp_path / "[red]sweep.yaml"  # read as markup, the label would lose its first five characters
    sweep.write_text("evaluator: noop\nmodels: [a]\nclusters: [b]\ngpu_counts: [1]\nglobal_batch_sizes: [1]\n")
    sys.path.insert(0, str(Path(__file__).parents[1] / "sweep"))  # the registered test evaluators
    try:
        res = runner.invoke(app, ["sweep", str(sweep), "--engine", "serial", "--out", str(tmp_path / "o.csv")])
    finally:
        sys.path.pop(0)
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["points_total"] == 1 and "[red]sweep.yaml" in res.stderr


def test_plot_under_a_file_is_refused_before_the_search(monkeypatch, tmp_path):
    (tmp_path / "file.txt").write_text("x")
    _no_work(monkeypatch, "colossim.cli.plan_cmd.search")
    res = runner.invoke(app, ["plan", "--model", "llama3-8b", "--scenario", "colossus", "--gpus", "64",
                              "--plot", str(tmp_path / "file.txt" / "x.png")])
    _clean_exit_2(res, "--plot", "is a file, not a folder")


def test_plot_into_a_new_folder_is_written(tmp_path):
    png = tmp_path / "nodir" / "x.png"
    res = runner.invoke(app, ["plan", "--model", "llama3-8b", "--scenario", "colossus", "--gpus", "64", "--top",
                              "2", "--plot", str(png)])
    assert res.exit_code == 0, res.output
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_plot_onto_a_folder_is_refused(monkeypatch, tmp_path):
    _no_work(monkeypatch, "colossim.cli.plan_cmd.search")
    res = runner.invoke(app, ["plan", "--model", "llama3-8b", "--scenario", "colossus", "--plot", str(tmp_path)])
    _clean_exit_2(res, "--plot", "is a folder")


def test_report_out_onto_a_file_is_refused_before_the_build(monkeypatch, tmp_path):
    target = tmp_path / "report.html"
    target.write_text("keep me")
    _no_work(monkeypatch, "colossim.report.build.build_report")
    res = runner.invoke(app, ["report", "colossus", "--out", str(target)])
    _clean_exit_2(res, "--out", "is a file, not a folder")
    assert target.read_text() == "keep me"


def test_a_failed_report_write_leaves_nothing_half_written(monkeypatch, tmp_path):
    from colossim.report.document import Report

    fake = Report("T", "S", (), {"build_s": 0.1})
    monkeypatch.setattr("colossim.report.build.build_report", lambda options, progress=None: fake)

    def disk_full(report, out_dir):
        (out_dir / "index.html").write_text("<html>")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("colossim.report.write.write_report", disk_full)
    out = tmp_path / "rep"
    res = runner.invoke(app, ["report", "colossus", "--json", "--out", str(out)])
    _clean_exit_2(res, "--out", "No space left on device")
    assert res.stdout == "" and not out.exists() and list(tmp_path.iterdir()) == []


def test_sweep_outputs_are_checked_before_the_sweep_runs(tmp_path):
    sweep = tmp_path / "s.yaml"
    sweep.write_text("models: [llama3-8b]\nclusters: [colossus]\ngpu_counts: [64]\nglobal_batch_sizes: [64]\n")
    (tmp_path / "f").write_text("")
    for extra, words in ((["--out", str(tmp_path / "f" / "r.parquet")], "is a file, not a folder"),
                         (["--plot", str(tmp_path)], "unknown image format"),
                         (["--plot", str(tmp_path / "f" / "p.png")], "is a file, not a folder")):
        res = runner.invoke(app, ["sweep", str(sweep), "--engine", "serial", "--no-progress", *extra])
        _clean_exit_2(res, words)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f", "s.yaml"]  # no journal, no table


def test_stdout_for_json_sends_every_writer_to_stderr():
    code = """
import os, subprocess, sys
from colossim.cli.common import print_json, stdout_for_json
with stdout_for_json():
    print("python print")
    os.write(1, b"native write\\n")
    subprocess.run([sys.executable, "-c", "print('child process')"], check=True)
print_json({"ok": True})
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True
    assert all(s in done.stderr for s in ("python print", "native write", "child process"))


def test_working_spinner_is_silent_off_a_terminal(capsys):
    from colossim.cli.common import working

    with working("a long job"):
        pass
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""  # pipes, files and tests get no spinner
