"""Point keys follow the content of the inputs: the validated cluster and model, not their names."""

import pytest
from sweep_helpers import spec

from colossim.inputs import InputError
from colossim.sweep.digests import canonical, digest, input_digests, resolved_grid
from colossim.sweep.schema import SweepSpec

CLUSTER = """\
name: small
site: us_average
fabric: {switch: spectrum4_sn5600}
phases:
  - {name: p1, start: 2024-03-01, add: [{system: dgx_h100, count: COUNT}], source: test}
"""


def _plan_spec(cluster_path) -> SweepSpec:
    return SweepSpec.model_validate({"models": ["llama3-8b"], "clusters": [str(cluster_path), "colossus"],
                                     "gpu_counts": [64], "global_batch_sizes": [256]})


def test_an_edited_cluster_file_changes_only_its_own_keys(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(CLUSTER.replace("COUNT", "16"))
    s = _plan_spec(path)
    before = {p.cluster: p.key for p in resolved_grid(s)}
    path.write_text("# a comment and other spacing change nothing the search sees\n"
                    + CLUSTER.replace("COUNT", "16").replace(": ", ":  "))
    assert {p.cluster: p.key for p in resolved_grid(s)} == before  # the validated content is the same
    path.write_text(CLUSTER.replace("COUNT", "32"))
    after = {p.cluster: p.key for p in resolved_grid(s)}
    assert after[str(path)] != before[str(path)] and after["colossus"] == before["colossus"]


def test_unknown_models_and_bad_cluster_files_stop_the_sweep_before_any_work(tmp_path):
    with pytest.raises(InputError) as info:
        input_digests(SweepSpec.model_validate({"models": ["llama3-8b", "gpt9"], "clusters": ["colossus"],
                                                "gpu_counts": [64], "global_batch_sizes": [256]}), "s.yaml")
    assert "s.yaml" in info.value.render() and "models.1: unknown model 'gpt9'" in info.value.render()
    bad = tmp_path / "bad.yaml"
    bad.write_text(CLUSTER.replace("COUNT", "-1"))
    with pytest.raises(InputError, match="phases.0.add.0.count"):
        input_digests(_plan_spec(bad))


def test_without_a_resolver_a_file_stands_for_its_bytes_and_a_name_for_itself(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("x: 1\n")
    s = spec(evaluator="noop", clusters=[str(path), "fast"])
    first = input_digests(s)
    path.write_text("x: 2\n")
    second = input_digests(s)
    assert first[("cluster", str(path))] != second[("cluster", str(path))]
    assert first[("cluster", "fast")] == second[("cluster", "fast")] == digest({"name": "fast"})


def test_canonical_form_ignores_key_order():
    assert digest({"a": 1, "b": [1, 2]}) == digest({"b": [1, 2], "a": 1})
    assert canonical({"s": {3, 1, 2}}) == {"s": [1, 2, 3]}
