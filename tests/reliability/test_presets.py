"""The shipped presets load, carry sources, and bad preset files fail with an InputError naming the field."""

import copy
import functools
from importlib import resources
from typing import get_args

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from colossim.inputs import InputError, validate
from colossim.reliability.presets import (
    CheckpointStateName,
    FailurePresetName,
    PresetsFile,
    RepairPresetName,
    RestartPresetName,
    StoragePresetName,
    load_presets,
    parse_presets,
)


@functools.cache
def _shipped_text() -> str:
    return (resources.files("colossim.reliability") / "presets.yaml").read_text()


@functools.cache
def _shipped_data() -> dict:
    return yaml.safe_load(_shipped_text())


def _shipped() -> dict:
    return copy.deepcopy(_shipped_data())


def test_every_literal_name_has_a_sourced_entry():
    presets = load_presets()
    for names, section in (
        (FailurePresetName, presets.failure_rates),
        (RepairPresetName, presets.repair_times),
        (RestartPresetName, presets.restart_times),
        (StoragePresetName, presets.storage),
        (CheckpointStateName, presets.checkpoint_states),
    ):
        assert set(get_args(names)) == set(section)
        for entry in section.values():
            assert len(entry.source) > 20


def test_llama3_printed_gpu_category_is_58_7_percent():
    # Llama 3 paper (arXiv 2407.21783) text: GPU issues are 58.7 % of unexpected interruptions; the
    # printed Table 5 percentages of the GPU rows sum to that (reliability.md sec. 2.1).
    mix = load_presets().failure_rates["llama3_h100"].mix
    assert sum(m.percent for m in mix if m.paper_category == "GPU") == pytest.approx(58.7, abs=1e-9)
    # ...and the printed percentages sum to 94.9 % (the typo that forces normalisation).
    assert sum(m.percent for m in mix) == pytest.approx(94.9, abs=1e-9)


def test_unknown_field_names_its_path():
    data = _shipped()
    data["failure_rates"]["llama3_h100"]["colour"] = "red"
    with pytest.raises(InputError) as err:
        parse_presets(yaml.safe_dump(data), "test.yaml")
    assert "failure_rates.llama3_h100.colour" in str(err.value)


def test_missing_preset_is_named():
    data = _shipped()
    del data["restart_times"]["deadpool"]
    with pytest.raises(InputError, match="deadpool"):
        parse_presets(yaml.safe_dump(data), "test.yaml")


def test_mix_and_mix_from_together_are_rejected():
    data = _shipped()
    data["failure_rates"]["meta_rsc1_a100"]["mix"] = data["failure_rates"]["lablup_b200"]["mix"]
    with pytest.raises(InputError, match="exactly one"):
        parse_presets(yaml.safe_dump(data), "test.yaml")


def test_rate_must_agree_with_observed_counts():
    data = _shipped()
    data["failure_rates"]["llama3_h100"]["failures_per_1000_node_days"] = 4.5
    with pytest.raises(InputError, match="observed"):
        parse_presets(yaml.safe_dump(data), "test.yaml")


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=60, deadline=None)
@given(
    section=st.sampled_from(
        ["failure_rates", "repair_times", "restart_times", "storage", "checkpoint_states"]
    ),
    field=st.sampled_from(
        [
            "name",
            "source",
            "mean_h",
            "seconds",
            "write_gb_s",
            "bytes_per_param",
            "failures_per_1000_node_days",
            "gpus_per_node",
            "mix",
        ]
    ),
    value=_SCALARS,
    pick=st.integers(0, 10),
)
def test_fuzzed_values_fail_cleanly_or_load(section, field, value, pick):
    data = _shipped()
    key = sorted(data[section])[pick % len(data[section])]
    data[section][key][field] = value
    try:
        validate(data, PresetsFile, "fuzz.yaml")
    except InputError as err:
        assert "fuzz.yaml" in str(err)


def test_checkpoint_practices_are_sourced_15_and_30_minutes():
    # colossus_record_2026.md sec. 7: "every 15-30 minutes" (NVIDIA, M); Check-N-Run's default 30 min (M)
    practices = load_presets().checkpoint_practices
    assert {k: v.interval_s for k, v in practices.items()} == {"practice_30min": 1800, "practice_15min": 900}
    assert all("15-30 minutes" in v.source for v in practices.values())
