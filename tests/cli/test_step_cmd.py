"""`colossim step` from flags and from a YAML file: tables, JSON, clean exit code 2 on bad input."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from colossim.cli.main import app

runner = CliRunner()
FLAGS = [
    "step",
    "--model",
    "llama3-405b",
    "--gpus",
    "16384",
    "--gpu",
    "h100_sxm5",
    "--tp",
    "8",
    "--pp",
    "16",
    "--vpp",
    "2",
    "--pp-split",
    "uneven",
    "--gbs",
    "2048",
]


def test_step_table():
    out = runner.invoke(app, FLAGS)
    assert out.exit_code == 0, out.output
    assert "step time" in out.output and "pipeline bubble" in out.output and "MFU" in out.output


def test_step_json_matches_file_request(tmp_path):
    flags = json.loads(runner.invoke(app, [*FLAGS, "--json"]).output)
    f = tmp_path / "run.yaml"
    f.write_text(
        "model: llama3-405b\ngpu: h100_sxm5\ngpus: 16384\n"
        "layout: {tp: 8, pp: 16, vpp: 2, pp_split: uneven, global_batch: 2048}\n"
    )
    out = runner.invoke(app, ["step", "--file", str(f), "--json"])
    assert out.exit_code == 0, out.output
    from_file = json.loads(out.output)
    assert from_file == flags
    step = from_file["step"]
    assert from_file["layout"]["dp"] == 128
    for key in (
        "step_time_s",
        "compute_s",
        "tp_s",
        "cp_s",
        "ep_s",
        "pp_s",
        "dp_s",
        "bubble_s",
        "optimizer_s",
        "tokens_per_s",
        "mfu",
        "hfu",
        "memory",
    ):
        assert key in step
    assert set(step["memory"]) >= {"weights_gb", "activations_gb", "total_gb", "fits"}


def test_bad_input_exits_2_with_a_message(tmp_path):
    out = runner.invoke(
        app,
        ["step", "--model", "llama3-70b", "--gpus", "96", "--gpu", "h100_sxm5", "--tp", "3", "--gbs", "64"],
    )
    assert out.exit_code == 2 and "tp=3" in out.output and "Traceback" not in out.output
    missing = runner.invoke(app, ["step", "--model", "llama3-70b"])
    assert missing.exit_code == 2 and "--gpu" in missing.output
    f = tmp_path / "bad.yaml"
    f.write_text(
        "model: llama3-70b\ngpu: h100_sxm5\ngpus: 64\nlayout: {global_batch: 64, zero_stage: 5}\nfoo: 1\n"
    )
    out = runner.invoke(app, ["step", "--file", str(f)])
    assert out.exit_code == 2 and "foo" in out.output


def test_flags_override_the_files_fields_and_say_which(tmp_path):
    f = tmp_path / "run.yaml"
    f.write_text(
        "model: llama3-405b\ngpu: h100_sxm5\ngpus: 16384\n"
        "layout: {tp: 8, pp: 16, vpp: 2, pp_split: uneven, global_batch: 2048}\n"
    )
    mixed = runner.invoke(app, ["step", "--file", str(f), "--tp", "4", "--json"])
    assert mixed.exit_code == 0, mixed.output
    assert "note: --tp overrides" in mixed.stderr and "layout.tp: 8 -> 4" in mixed.stderr
    flags_only = [*FLAGS, "--json"]
    flags_only[flags_only.index("--tp") + 1] = "4"
    assert json.loads(mixed.stdout) == json.loads(runner.invoke(app, flags_only).stdout)
    assert json.loads(mixed.stdout)["layout"]["tp"] == 4


def test_a_bad_flag_over_a_file_names_the_flag(tmp_path):
    f = tmp_path / "run.yaml"
    f.write_text("model: llama3-70b\ngpu: h100_sxm5\ngpus: 64\nlayout: {global_batch: 64}\n")
    out = runner.invoke(app, ["step", "--file", str(f), "--zero", "7"])
    assert out.exit_code == 2 and "--zero (layout.zero_stage)" in out.stderr and "run.yaml" in out.stderr
    out = runner.invoke(app, ["step", "--file", str(f), "--tp", "3"])
    assert out.exit_code == 2 and "--tp (layout): tp*pp*cp = 3 does not divide 64 GPUs" in out.stderr


def test_flags_alone_name_the_flag_of_a_bad_field():
    out = runner.invoke(app, ["step", "--model", "llama3-70b", "--gpus", "64", "--gpu", "h100_sxm5", "--gbs", "64",
                              "--offload", "2"])
    assert out.exit_code == 2 and "--offload (layout.activation_offload)" in out.stderr
