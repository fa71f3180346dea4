"""The cluster's fabric kind reaches the collective model: an InfiniBand (Quantum-2, SHARP) and a
Spectrum-X Ethernet cluster of the same size give different data-parallel times, each from its sourced
collectives.yaml entry."""

from __future__ import annotations

import pytest

from colossim.cluster import parse_cluster
from colossim.inputs import InputError
from colossim.models.zoo import get_model
from colossim.perf import evaluate, hardware_for, layout_arrays, model_arrays
from colossim.perf.comm import load_collectives
from colossim.plan.machine import job_machines


def _cluster(switch: str, **fabric) -> dict:
    return {"name": f"128 dgx on {switch}", "site": "us_average", "fabric": {"switch": switch, **fabric},
            "phases": [{"name": "p1", "start": "2025-01-01", "source": "test",
                        "add": [{"system": "dgx_h100", "count": 128}]}]}


def _machine(data: dict):
    (machine,) = job_machines(parse_cluster(data, "test.yaml"))
    return machine


# a communication-heavy layout: Llama 3 70B, TP 8 inside the server, 128 data-parallel replicas across the
# fabric, 2 micro-batches a step, gradients all-reduced with nothing to hide them behind
LAYOUT = dict(tp=8, pp=1, dp=128, mbs=1, gbs=256, zero=0, recompute=0, sp=True, ovl_dp=False)


def _dp_s(hardware) -> float:
    out = evaluate(model_arrays(get_model("llama3-70b")), layout_arrays(**LAYOUT), hardware.arrays())
    assert bool(out.valid[0])
    return float(out.dp_s[0])


def test_infiniband_sharp_and_spectrum_x_give_different_dp_times():
    ib = _machine(_cluster("quantum2_qm9700", sharp=True))
    sx = _machine(_cluster("spectrum4_sn5600"))
    # the fabric kind comes from the catalog switch (hardware_catalog.yaml: Quantum-2 SHARPv3; the SN5600 is
    # the Spectrum-X switch, NVIDIA's Colossus release)
    assert (ib.hardware.fabric, ib.hardware.sharp) == ("infiniband", True)
    assert (sx.hardware.fabric, sx.hardware.sharp) == ("spectrum_x", False)
    t_ib, t_sx = _dp_s(ib.hardware), _dp_s(sx.hardware)
    assert t_ib < t_sx  # SHARP halves the bytes each GPU sends across nodes
    # each time is the collective model's for that collectives.yaml entry, nothing else differs
    for machine, t in ((ib, t_ib), (sx, t_sx)):
        hw = machine.hardware
        assert t == pytest.approx(_dp_s(hardware_for("h100_sxm5", fabric=hw.fabric, sharp=hw.sharp,
                                                     nvlink_domain=hw.nvlink_domain,
                                                     scale_out_gbps_per_gpu=hw.scale_out_gbps_per_gpu)), rel=1e-12)
        assert load_collectives().scale_out[hw.fabric].source
    # without SHARP, InfiniBand and Spectrum-X differ by their sourced efficiencies and latencies only
    plain = _machine(_cluster("quantum2_qm9700"))
    assert t_ib < _dp_s(plain.hardware) != t_sx


def test_a_cluster_may_name_its_transport():
    roce = _machine(_cluster("spectrum4_sn5600", transport="ethernet"))
    assert roce.hardware.fabric == "ethernet"
    assert _dp_s(roce.hardware) > _dp_s(_machine(_cluster("spectrum4_sn5600")).hardware)


def test_sharp_on_a_switch_without_it_is_refused_with_the_field():
    with pytest.raises(InputError) as err:
        parse_cluster(_cluster("spectrum4_sn5600", sharp=True), "test.yaml")
    assert "fabric.sharp" in str(err.value) and "in-network reduction" in str(err.value)
