"""The report's serving section (colossim.report.sections.serving) on the built-in Colossus scenario."""

import pytest

from colossim.report.context import ReportOptions, build_context
from colossim.report.sections import serving


@pytest.fixture(scope="module")
def section():
    return serving.build(build_context(ReportOptions().quicker()))


def test_partitions_cover_the_cluster_once_and_totals_add_up(section):
    n = section.numbers["serving"]
    assert n["available"]
    parts = n["partitions"]
    assert {p["partition"] for p in parts} == {"h100+h200", "gb200"}  # the cluster's partitions
    assert sum(p["gpus"] for p in parts) == 230_024  # 150k H100 + 50k H200 + 417 NVL72 racks
    assert n["total_output_tokens_per_s"] == pytest.approx(sum(p["output_tokens_per_s"] for p in parts))
    assert n["total_power_mw"] == pytest.approx(sum(p["power_mw"] for p in parts))


def test_every_partition_meets_the_stated_target(section):
    n = section.numbers["serving"]
    for p in n["partitions"]:
        assert p["ttft_p99_s"] <= n["ttft_target_s"] + 1e-9 and p["tpot_p99_s"] <= n["tpot_target_s"] + 1e-9


def test_serving_inputs_are_listed_with_sources(section):
    names = {a.name for a in section.assumptions}
    assert {"latency target", "request mix", "serve.weight_stream_efficiency", "serving pue"} <= names
    assert all(a.source for a in section.assumptions)
