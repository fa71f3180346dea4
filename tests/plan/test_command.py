"""Every plan row prints the `colossim step` command that reproduces it: run it, get the row's numbers."""

from __future__ import annotations

import json
import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from colossim.cli.main import app
from colossim.models import get_model
from colossim.perf import hardware_for
from colossim.perf.stack import framework_stack
from colossim.plan.search import search

CASES = [("llama3-8b", "h100_sxm5", 64, "megatron_bridge", ("bf16",)),
         ("llama3-70b", "gb200", 144, "torchtitan", ("bf16", "fp8")),
         ("mixtral-8x22b", "h100_sxm5", 128, "megatron_lm", ("bf16",)),
         ("deepseek-v3", "gb200", 256, "megatron_bridge", ("fp8",))]


def _run(command: str) -> dict:
    args = shlex.split(command)
    assert args[:2] == ["colossim", "step"]
    result = CliRunner().invoke(app, args[1:] + ["--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["step"]


@settings(max_examples=8, deadline=None)
@given(case=st.sampled_from(CASES), pick=st.integers(0, 4), objective=st.sampled_from(["time", "cost"]))
def test_plan_rows_round_trip_through_the_step_command(case, pick, objective):
    model_id, gpu, gpus, framework, precisions = case
    model, hw = get_model(model_id), hardware_for(gpu)
    template = framework_stack(framework, None, hw.family == "blackwell").template(moe=model.moe is not None)
    top = search(model, hw, gpus, top_k=5, objective=objective, precisions=precisions, template=template).top
    row = top.iloc[min(pick, len(top) - 1)]
    step = _run(row["step_command"])
    assert step["step_time_s"] == pytest.approx(row["step_time_s"], rel=1e-9)
    assert step["memory"]["total_gb"] == pytest.approx(row["mem_total_gb"], rel=1e-9)
    assert step["gpus"] == row["gpus_used"]
