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
        assert set(fam.chips) == set(fam.scale_out_gbps_per_gpu), name  # every GPU has its chip facts
    for key in cal.globals.fit_priors:  # every fitted constant names where it started
        assert key in ("gemm_eff.bf16", "gemm_eff.fp8", "attention_eff", "comm_contention"), key


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
        if key in ("default_family", "scale_out_gbps_per_gpu", "fit_priors", "chips_source"):
            continue
        assert "#" in line, f"uncommented calibration value: {line.strip()}"


def test_hardware_defaults_come_from_the_gpu_and_its_system():
    h100 = hardware_for("h100_sxm5")
    assert (h100.nvlink_domain, h100.scale_out_gbps_per_gpu, h100.family) == (8, 400.0, "hopper")
    gb300 = hardware_for("gb300")
    assert (gb300.nvlink_domain, gb300.scale_out_gbps_per_gpu) == (72, 800.0)
    arr = hardware_for("h100_sxm5", scale_out_gbps_per_gpu=200, oversubscription=2.0).arrays()
    from colossim.perf.comm import load_collectives

    efficiency = load_collectives().scale_out[h100.fabric].efficiency
    assert h100.fabric == "infiniband" and efficiency == pytest.approx(0.92)  # 45-48 of 50 GB/s
    assert arr.net_bw == pytest.approx(200 / 8 * 1e9 * efficiency / 2.0)
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
    hopper["chips"]["a100_sxm4_80gb"] = {"sustained_clock": 0.97, "exp_tera_per_s": 2.44}
    import yaml

    with pytest.raises(InputError, match="both families"):
        parse_calibration(yaml.safe_dump(cal), "cal.yaml")


def test_a_power_cap_lowers_the_sustained_clock():
    free, capped = hardware_for("h100_sxm5"), hardware_for("h100_sxm5", power_cap_w=500)
    # P ~ f^3 near the top of the DVFS curve: 500/700 W -> 0.894 of the clock
    assert capped.sustained_clock == pytest.approx(free.sustained_clock * (500 / 700) ** (1 / 3))
    assert hardware_for("h100_sxm5", power_cap_w=900).sustained_clock == free.sustained_clock


def test_nvl72_parts_sustain_more_than_hgx_parts():
    assert hardware_for("gb200").sustained_clock > hardware_for("b200").sustained_clock
    assert hardware_for("gb300").sustained_clock > hardware_for("gb200").sustained_clock
