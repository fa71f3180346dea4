"""serve/calibration.yaml: every constant is sourced, estimates say so, and a bad file fails cleanly."""

import pytest

from colossim.inputs import InputError
from colossim.serve.constants import constants, load_serve_calibration, parse_serve_calibration


def test_every_constant_has_a_source():
    rows = load_serve_calibration().rows()
    assert len(rows) >= 15
    for r in rows:
        assert len(r["source"]) > 10, r["name"]
        if r["source"].lower().startswith("estimate"):
            assert r["estimate"], f"{r['name']} reads as an estimate but is not marked estimate: true"


def test_nvfp4_bytes_per_weight_is_values_plus_block_scales():
    # 4-bit values plus one 8-bit scale per 16 values (NVFP4)
    assert constants().w_bytes[2] == pytest.approx(0.5 + 1.0 / 16.0)


def test_missing_field_names_the_field():
    with pytest.raises(InputError) as err:
        parse_serve_calibration("weight_bytes: {}\nsource: x\n", "bad.yaml")
    assert "bad.yaml" in str(err.value) and "weight_bytes.bf16" in str(err.value)
