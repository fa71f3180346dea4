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
