"""run_sweep: the final table, resuming from the journal, and clear errors instead of empty tables."""

import json

import pandas as pd
import pytest
from sweep_helpers import spec

from colossim.inputs import InputError
from colossim.sweep.digests import resolved_grid
from colossim.sweep.executors import LocalExecutor, SerialExecutor
from colossim.sweep.grid import POINT_COLUMNS
from colossim.sweep.runner import SweepError, run_sweep
from colossim.sweep.store import MANIFEST, journal_dir
from colossim.sweep.tasks import run_chunk


def table(path) -> pd.DataFrame:
    return pd.read_parquet(path) if str(path).endswith(".parquet") else pd.read_csv(path)


def test_table_has_every_feasible_point_in_grid_order(tmp_path):
    s = spec(models=["tiny", "large"])
    summary = run_sweep(s, tmp_path / "r.parquet", SerialExecutor())
    frame = table(tmp_path / "r.parquet")
    points = resolved_grid(s)
    feasible = [p for p in points if not (p.model == "large" and p.gpus == 8)]  # 1120 GB of state > 8 x 80 GB
    assert summary.points_total == len(points) and summary.points_infeasible == len(points) - len(feasible)
    assert list(dict.fromkeys(frame["point_key"])) == [p.key for p in feasible]
    assert list(frame.columns[:7]) == [*POINT_COLUMNS, "point_key", "rank"]
    assert not frame.duplicated(["point_key", "rank"]).any()
    assert summary.rows == len(frame)
    assert {"tp", "pp", "dp", "step_time_s", "tokens_per_s"} <= set(frame.columns)
    first = summary.infeasible[0]
    assert first["point"].startswith("model=large") and "fits large" in first["reason"]


def test_rows_match_direct_evaluation(tmp_path):
    s = spec()
    run_sweep(s, tmp_path / "r.csv", LocalExecutor(2))
    frame = table(tmp_path / "r.csv")
    direct = pd.DataFrame(run_chunk(resolved_grid(s)).rows)
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), direct[frame.columns], check_dtype=False)


def test_resume_runs_only_missing_points(tmp_path):
    s = spec(models=["tiny", "small", "large"], chunking={"points_per_chunk": 2}, save_every_s=0)
    out = tmp_path / "r.parquet"
    run_sweep(s, out, SerialExecutor())
    reference = table(out)
    manifest = journal_dir(out) / MANIFEST
    lines = manifest.read_text().splitlines(keepends=True)
    manifest.write_text("".join(lines[:3]))  # as if the run had stopped after three chunks
    kept = sum(len(json.loads(x)["done"]) for x in lines[:3])
    summary = run_sweep(s, out, SerialExecutor())
    assert summary.points_done_before == kept and summary.points_run == s.n_points - kept
    pd.testing.assert_frame_equal(table(out), reference)


def test_a_grown_grid_reuses_finished_points(tmp_path):
    out = tmp_path / "r.parquet"
    run_sweep(spec(gpu_counts=[8, 16]), out, SerialExecutor())
    summary = run_sweep(spec(gpu_counts=[8, 16, 64]), out, SerialExecutor())
    assert summary.points_done_before == 2 * 2 * 2 and summary.points_run == 2 * 2  # models x clusters x GPUs
    smaller = run_sweep(spec(gpu_counts=[8]), out, SerialExecutor())
    assert smaller.points_run == 0 and set(table(out)["gpus"]) == {8}  # the table holds only this grid


def test_finished_chunks_are_saved_in_groups(tmp_path):
    out = tmp_path / "r.parquet"
    run_sweep(spec(chunking={"points_per_chunk": 1}, save_every_s=3600), out, SerialExecutor())
    lines = (journal_dir(out) / MANIFEST).read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["chunks"] == 12
    out2 = tmp_path / "r2.parquet"
    run_sweep(spec(chunking={"points_per_chunk": 1}, save_every_s=0), out2, SerialExecutor())
    assert len((journal_dir(out2) / MANIFEST).read_text().splitlines()) == 12
    pd.testing.assert_frame_equal(table(out), table(out2))


def test_calibration_leaves_out_the_slow_first_point(tmp_path):
    import sweep_evaluators

    sweep_evaluators._WARM["done"] = False
    s = spec(evaluator="slow_first_call", models=["a", "b"], clusters=["x"],
             gpu_counts=list(range(1, 21)))
    summary = run_sweep(s, tmp_path / "r.parquet", SerialExecutor())
    # 20 ms per warm point, 37 points left after 3 calibration points, 1 worker: the target (0.5 s) allows
    # 25 points, balance ceil(37 / 4) = 10, the 100 ms floor 5; judged by the 0.5 s first call it would be 1.
    assert summary.points_per_chunk == 10


def test_progress_reports_reach_the_total(tmp_path):
    seen = []
    run_sweep(spec(), tmp_path / "r.parquet", SerialExecutor(), progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 12) and seen[-1] == (12, 12)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_no_feasible_point_is_an_input_error_not_an_empty_table(tmp_path):
    with pytest.raises(InputError) as info:
        run_sweep(spec(models=["huge"]), tmp_path / "r.parquet", SerialExecutor(), source="big.yaml")
    text = info.value.render()
    assert "big.yaml" in text and "none of the 6 grid points" in text and "fits huge" in text
    for gpus in (8, 16, 64):  # one line per distinct reason, each covering the two clusters
        assert f"no layout of {gpus} GPUs fits huge (32000 GB of state)" in text
    assert text.count("and 1 more") == 3
    assert not (tmp_path / "r.parquet").exists()


def test_bad_request_names_the_point_and_keeps_finished_work(tmp_path):
    s = spec(models=["tiny", "gpt9"], chunking={"points_per_chunk": 1})
    with pytest.raises(InputError) as info:
        run_sweep(s, tmp_path / "r.parquet", SerialExecutor(), source="s.yaml")
    assert "model=gpt9" in info.value.render() and "unknown model 'gpt9'" in info.value.render()
    manifest = (journal_dir(tmp_path / "r.parquet") / MANIFEST).read_text().splitlines()
    recorded = [k for line in manifest for k in json.loads(line)["done"]]
    assert sorted(recorded) == sorted(p.key for p in resolved_grid(s) if p.model == "tiny")  # saved before gpt9


def test_evaluator_bug_raises_sweep_error_with_traceback(tmp_path):
    with pytest.raises(SweepError, match="ZeroDivisionError") as info:
        run_sweep(spec(evaluator="buggy"), tmp_path / "r.parquet", SerialExecutor())
    assert "1 / 0" in str(info.value)


def test_unknown_output_format_is_refused_before_any_work(tmp_path):
    with pytest.raises(InputError, match="unknown output format"):
        run_sweep(spec(), tmp_path / "r.json", SerialExecutor())
    assert not any(tmp_path.iterdir())
