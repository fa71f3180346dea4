"""The shipped calibration: one block per GPU family with sources; machines built from catalog GPUs."""

from __future__ import annotations

import pytest

from colossim.catalog import load_catalog
from colossim.inputs import InputError
from colossim.perf import hardware_for, load_calibration
from colossim.perf.hardware import parse_calibration


def test_every_family_is_sourced_and_maps_catalog_gpus():
    cal = load_calibration()
    gpus = load_catalog().gpus
    assert set(cal.families) >= {"ampere", "hopper", "blackwell"}
    for name, fam in cal.families.items():
        assert len(fam.source) > 40, name
        for gpu in fam.scale_out_gbps_per_gpu:
            assert gpu in gpus, (name, gpu)
        for key in fam.fit_priors:  # every fitted constant names where it started
            assert key in ("gemm_eff.bf16", "gemm_eff.fp8", "attention_eff"), key


def test_calibration_yaml_comments_every_value():
    from importlib import resources

    text = (resources.files("colossim.perf") / "calibration.yaml").read_text()
    value_lines = [
        ln
        for ln in text.splitlines()
        if ":" in ln
        and not ln.strip().startswith("#")
        and ln.strip().split(":")[1].strip()
        and not ln.strip().startswith(("source", "-"))
    ]
    for line in value_lines:
        key = line.strip().split(":")[0]
        if key in ("default_family", "scale_out_gbps_per_gpu", "fit_priors"):
            continue
        assert "#" in line, f"uncommented calibration value: {line.strip()}"


def test_hardware_defaults_come_from_the_gpu_and_its_system():
    h100 = hardware_for("h100_sxm5")
    assert (h100.nvlink_domain, h100.scale_out_gbps_per_gpu, h100.family) == (8, 400.0, "hopper")
    gb300 = hardware_for("gb300")
    assert (gb300.nvlink_domain, gb300.scale_out_gbps_per_gpu) == (72, 800.0)
    arr = hardware_for("h100_sxm5", scale_out_gbps_per_gpu=200, oversubscription=2.0).arrays()
    assert arr.net_bw == pytest.approx(200 / 8 * 1e9 * h100.calibration.nic_eff / 2.0)
    assert arr.peak_fp8 == pytest.approx(1978.9e12)


def test_bad_hardware_inputs_fail_cleanly():
    with pytest.raises(KeyError, match="use one of"):
        hardware_for("h1000")
    with pytest.raises(InputError, match="oversubscription"):
        hardware_for("h100_sxm5", oversubscription=0.5)


def test_calibration_file_rejects_a_gpu_in_two_families():
    cal = load_calibration().model_dump()
    hopper = cal["families"]["hopper"]
    hopper["scale_out_gbps_per_gpu"]["a100_sxm4_80gb"] = 200
    hopper["host_link_gb_s"]["a100_sxm4_80gb"] = 25
    hopper["host_memory_gb"]["a100_sxm4_80gb"] = 128
    import yaml

    with pytest.raises(InputError, match="both families"):
        parse_calibration(yaml.safe_dump(cal), "cal.yaml")
