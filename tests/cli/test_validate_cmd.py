"""`colossim validate`: per-run table and summary, JSON with the documented fields, bad files exit 2."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from colossim.cli.main import app

runner = CliRunner()


def test_validate_json_defaults_to_the_shipped_runs():
    out = runner.invoke(app, ["validate", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["mape_pct"] <= 10.0 and len(data["runs"]) >= 60
    run = data["runs"][0]
    for key in ("id", "predicted_step_time_s", "target_step_time_s", "error_pct", "status", "defaults"):
        assert key in run
    assert "h100_sxm5" in data["by_gpu"]


def test_validate_table_prints_mape():
    out = runner.invoke(app, ["validate"])
    assert out.exit_code == 0 and "MAPE" in out.output and "error by GPU" in out.output


def test_validate_bad_file_exits_2(tmp_path):
    f = tmp_path / "runs.yaml"
    f.write_text("- id: x\n")
    out = runner.invoke(app, ["validate", str(f)])
    assert out.exit_code == 2 and "Traceback" not in out.output


def test_validate_an_empty_list_exits_2_with_a_message(tmp_path):
    f = tmp_path / "runs.yaml"
    f.write_text("[]\n")
    out = runner.invoke(app, ["validate", str(f)])
    assert out.exit_code == 2 and "lists no runs" in out.stderr and "nan" not in out.output.lower()


def test_validate_refuses_a_fifo_and_a_device_without_blocking(tmp_path):
    import os
    import threading

    fifo = tmp_path / "runs.yaml"
    os.mkfifo(fifo)
    for path in (fifo, "/dev/zero"):
        results = []
        worker = threading.Thread(target=lambda p=path, r=results: r.append(runner.invoke(app, ["validate", str(p)])),
                                  daemon=True)  # a blocking read would leave it stuck, not the test run
        worker.start()
        worker.join(timeout=30)
        assert results, f"validate {path} did not return within 30 s"
        assert results[0].exit_code == 2 and "not a regular file" in results[0].stderr


def test_validate_cuts_a_huge_bad_key(tmp_path):
    f = tmp_path / "runs.yaml"
    f.write_text("- id: x\n  ? " + "k" * 2_000_000 + "\n  : 1\n")
    out = runner.invoke(app, ["validate", str(f)])
    assert out.exit_code == 2 and "(2,000,000 characters)" in out.stderr and len(out.stderr) < 5000
