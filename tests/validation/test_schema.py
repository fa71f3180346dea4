"""The runs schema of shared/validation/README.md: the shipped copy loads, equals the shared file, and bad
runs fail with the field path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from colossim.inputs import InputError
from colossim.validation import load_runs

SHARED = Path(__file__).parents[2] / ".." / "shared" / "validation" / "runs.yaml"


def test_shipped_runs_load():
    runs = load_runs()
    assert len(runs) >= 60
    assert {r.hardware.gpu for r in runs} >= {"a100_sxm4_80gb", "h100_sxm5", "gb200"}


# fields the shipped copy adds to the shared file, each from a cited source (see the comment in the file)
DSV3 = ("mbridge_2509_h100_dsv3", "mbridge_2509_gb200_dsv3", "mbridge_2511_gb200_dsv3_bf16",
        "mbridge_2606_gb200_dsv3_mxfp8")
RECIPE = ("recompute", "recompute_modules", "moe_dispatcher", "ep_overlap")  # Megatron-Bridge 25.09 DSv3 configs
ADDED = ({("mbridge_2511_gb200_qwen3_235b_bf16", ("model", "head_dim")),
          ("mbridge_2511_h100_qwen3_235b", ("model", "head_dim"))}
         | {(r, ("model", "moe", f)) for r in DSV3 for f in ("router_groups", "router_group_topk")}
         | {(r, (f,)) for r in DSV3[:2] for f in RECIPE})


@pytest.mark.skipif(not SHARED.exists(), reason="shared/validation/runs.yaml is not available here")
def test_shipped_copy_is_the_shared_file_plus_cited_fields():
    shipped, shared = load_runs(), load_runs(SHARED)
    assert [r.id for r in shipped] == [r.id for r in shared]
    for a, b in zip(shipped, shared, strict=True):
        da, db = a.model_dump(), b.model_dump()
        for path in {p for r, p in ADDED if r == a.id}:
            na, nb = da, db
            for key in path[:-1]:
                na, nb = na[key], nb[key]
            assert na[path[-1]] is not None and nb[path[-1]] is None
            na[path[-1]] = nb[path[-1]]
        assert da == db, a.id


def _one_run() -> dict:
    return load_runs()[0].model_dump(mode="json")


@pytest.mark.parametrize(
    "path, value, where",
    [
        (("parallelism", "tp"), 0, "parallelism.tp"),
        (("precision",), "fp16", "precision"),
        (("model", "extra"), 1, "model.extra"),
        (("target", "step_time_s"), -1, "target.step_time_s"),
        (("model", "moe"), {"experts": 64, "top_k": 8, "expert_ffn": 16, "router_groups": 8}, "model.moe"),
        (("moe_dispatcher",), "hybrid", "moe_dispatcher"),
    ],
)
def test_bad_runs_fail_with_the_field_path(tmp_path, path, value, where):
    run = _one_run()
    node = run
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    f = tmp_path / "runs.yaml"
    f.write_text(yaml.safe_dump([run]))
    with pytest.raises(InputError) as err:
        load_runs(f)
    assert any(where in p.location for p in err.value.problems), err.value.render()


def test_a_runs_file_must_be_a_list(tmp_path):
    f = tmp_path / "runs.yaml"
    f.write_text("runs: []\n")
    with pytest.raises(InputError, match="YAML list"):
        load_runs(f)


def test_recompute_modules_need_selective_recompute(tmp_path):
    run = _one_run()
    run["recompute"], run["recompute_modules"] = "full", ["mlp"]
    f = tmp_path / "runs.yaml"
    f.write_text(yaml.safe_dump([run]))
    with pytest.raises(InputError, match="recompute_modules apply to recompute: selective"):
        load_runs(f)
