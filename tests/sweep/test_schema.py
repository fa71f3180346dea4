"""The sweep file schema: valid files load; every bad file raises InputError naming file, field and fix."""

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colossim.inputs import InputError
from colossim.sweep.schema import DEFAULT_EVALUATOR, MAX_GRID_POINTS, SweepSpec, load_sweep

VALID = {"models": ["llama3_70b", "llama3_405b"], "clusters": ["colossus_phase1"], "gpu_counts": [1024, 2048],
         "global_batch_sizes": [1536], "objectives": ["throughput"]}


def write(tmp_path: Path, data, name="s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def problems(tmp_path, data) -> str:
    with pytest.raises(InputError) as info:
        load_sweep(write(tmp_path, data))
    return info.value.render()


def test_valid_file_loads_with_defaults(tmp_path):
    assert load_sweep(write(tmp_path, {k: v for k, v in VALID.items() if k != "objectives"})).objectives == ["time"]
    spec = load_sweep(write(tmp_path, VALID))
    assert spec.evaluator == DEFAULT_EVALUATOR
    assert spec.top_k == 1 and spec.objectives == ["throughput"] and spec.save_every_s == 1.0
    assert spec.chunking.target_chunk_s == 0.5 and spec.chunking.points_per_chunk is None
    assert spec.n_points == 2 * 1 * 2 * 1 * 1


def test_unknown_field_names_path_and_fix(tmp_path):
    text = problems(tmp_path, {**VALID, "chunking": {"target_chunk": 1.0}})
    assert "s.yaml" in text and "chunking.target_chunk" in text and "remove it or check its spelling" in text


def test_missing_list_names_the_field(tmp_path):
    data = dict(VALID)
    del data["gpu_counts"]
    text = problems(tmp_path, data)
    assert "gpu_counts" in text and "add this field" in text


@pytest.mark.parametrize("field,value", [("gpu_counts", [0]), ("gpu_counts", [True]), ("gpu_counts", ["8"]),
                                         ("global_batch_sizes", [-4]), ("models", []), ("gpu_counts", [8, 8]),
                                         ("top_k", 0), ("objectives", ["Max Throughput"]),
                                         ("objectives", [])])
def test_bad_values_are_rejected_with_their_path(tmp_path, field, value):
    assert field in problems(tmp_path, {**VALID, field: value})


def test_chunk_target_below_100ms_is_rejected(tmp_path):
    text = problems(tmp_path, {**VALID, "chunking": {"target_chunk_s": 0.01}})
    assert "chunking.target_chunk_s" in text and "greater than or equal to 0.1" in text


@pytest.mark.parametrize("ref", ["os:system", "subprocess:run", "sweep_evaluators:toy_layouts", "not a name"])
def test_evaluator_must_be_registered_so_a_sweep_file_names_no_code(tmp_path, ref):
    text = problems(tmp_path, {**VALID, "evaluator": ref})
    assert f"evaluator: evaluator {ref!r} is not registered" in text
    assert "entry-point group 'colossim.evaluators'" in text and "plan" in text


def test_registered_evaluators_load_by_name_and_by_their_target(tmp_path):
    assert load_sweep(write(tmp_path, {**VALID, "evaluator": "toy_layouts"})).evaluator == "toy_layouts"
    by_target = load_sweep(write(tmp_path, {**VALID, "evaluator": "sweep_evaluators:toy"}))
    assert by_target.evaluator == "toy_layouts"  # one canonical name, so the point keys are the same
    legacy = load_sweep(write(tmp_path, {**VALID, "evaluator": "colossim.sweep.tasks:evaluate_point"}))
    assert legacy.evaluator == DEFAULT_EVALUATOR == "plan"


def test_non_finite_option_is_rejected(tmp_path):
    assert "options" in problems(tmp_path, {**VALID, "options": {"seq_len": float("nan")}})


def test_grid_too_large_says_to_split(tmp_path):
    side = int(MAX_GRID_POINTS ** 0.5) + 1
    text = problems(tmp_path, {**VALID, "gpu_counts": list(range(1, side + 1)),
                               "global_batch_sizes": list(range(1, side + 1))})
    assert "split the sweep" in text


def test_empty_and_malformed_files(tmp_path):
    assert "empty" in problems(tmp_path, "")
    assert "malformed YAML" in problems(tmp_path, "models: [a, b\n")
    assert "file not found" in problems_missing(tmp_path)


def problems_missing(tmp_path) -> str:
    with pytest.raises(InputError) as info:
        load_sweep(tmp_path / "nope.yaml")
    return info.value.render()


# -- fuzzing: any YAML document either loads or fails with an InputError, never another exception ----------
scalars = (st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=True)
           | st.text(max_size=12))
values = st.recursive(scalars, lambda inner: (st.lists(inner, max_size=4)
                                              | st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=12)
fields = st.sampled_from([*SweepSpec.model_fields, "chunking.points_per_chunk", "typo", "gpu_count"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=fields, value=values)
def test_fuzzed_field_values_fail_cleanly(tmp_path, field, value):
    data = dict(VALID)
    if field.startswith("chunking."):
        data["chunking"] = {field.split(".")[1]: value}
    else:
        data[field] = value
    try:
        spec = load_sweep(write(tmp_path, data))
    except InputError as exc:
        assert exc.problems and "s.yaml" in exc.render()
    else:
        assert spec.n_points >= 1


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_fuzzed_text_fails_cleanly(tmp_path, text):
    try:
        load_sweep(write(tmp_path, text))
    except InputError as exc:
        assert exc.render().startswith("error in")
