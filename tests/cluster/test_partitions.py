"""Partitions: which GPUs one job can span, and which partition a request (--partition / --gpus) means."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from colossim.cluster import PartitionError, choose, load_cluster, parse_cluster, partitions
from colossim.cluster.partitions import compatible


@pytest.fixture(scope="module")
def colossus_parts(catalog):
    return partitions(load_cluster("colossus", catalog), catalog)


def test_h100_and_h200_share_a_partition_gb200_has_its_own(colossus_parts, catalog):
    # colossus_facts.md: the H200 is a drop-in HGX H100 part (same GH100 die, NVLink 4); GB200 NVL72 is not
    by_name = {p.name: p for p in colossus_parts}
    assert set(by_name) == {"h100+h200", "gb200"}
    hopper = by_name["h100+h200"]
    assert hopper.gpus_by_type == {"h100_sxm5": 150_000, "h200_sxm": 50_000}
    assert hopper.memory_gpu(catalog).id == "h100_sxm5"  # 80 GB < 141 GB: the smaller HBM bounds a mixed job
    assert hopper.nvlink_domain == 8 and by_name["gb200"].nvlink_domain == 72
    assert [p.name for p in colossus_parts] == ["h100+h200", "gb200"]  # largest first
    assert compatible(catalog.gpus["h100_sxm5"], catalog.gpus["h200_sxm"])
    assert not compatible(catalog.gpus["h100_sxm5"], catalog.gpus["gb200_nvl72_gpu"])
    assert not compatible(catalog.gpus["gb200_nvl72_gpu"], catalog.gpus["gb300_nvl72_gpu"])  # FP4 rates differ


def test_partitions_follow_the_phases(catalog):
    spec = load_cluster("colossus", catalog)
    assert [p.name for p in partitions(spec, catalog, date(2024, 9, 2))] == ["h100"]
    assert [p.gpus for p in partitions(spec, catalog, date(2025, 2, 17))] == [200_000]


def test_only_gpus_picks_the_largest_partition_that_holds_them(colossus_parts, catalog):
    choice = choose(colossus_parts, None, 16_384, catalog, "colossus")
    assert choice.single.name == "h100+h200" and "largest that holds 16,384" in choice.reason
    assert "gb200: 30,024 GPUs" in choice.reason  # says which others there are
    assert choose(colossus_parts, None, None, catalog).single.name == "h100+h200"


def test_more_than_any_partition_is_a_cross_generation_request(colossus_parts, catalog):
    choice = choose(colossus_parts, None, 230_000, catalog)
    assert choice.cross_generation and choice.gpus == 230_024
    with pytest.raises(PartitionError, match="spans 2 partitions"):
        choice.single  # noqa: B018
    assert choose(colossus_parts, "all", None, catalog).cross_generation


def test_a_partition_by_name_or_by_one_gpu_type(colossus_parts, catalog):
    assert choose(colossus_parts, "gb200", None, catalog).single.gpus == 30_024
    assert choose(colossus_parts, "gb200_nvl72_gpu", None, catalog).single.name == "gb200"
    h200 = choose(colossus_parts, "h200_sxm", None, catalog).single
    assert h200.name == "h200" and h200.gpus == 50_000 and not h200.mixed
    assert choose(colossus_parts, "H100+H200", 1000, catalog).single.name == "h100+h200"


def test_requests_no_partition_can_hold_list_the_partitions(colossus_parts, catalog):
    for selector, gpus, words in ((None, 300_000, "no partition can hold it"),
                                  ("gb200", 40_000, "exceeds partition gb200"),
                                  ("mi300x", None, "no partition or GPU type 'mi300x'"),
                                  ("all", 300_000, "exceeds the 230,024 GPUs")):
        with pytest.raises(PartitionError, match=words) as err:
            choose(colossus_parts, selector, gpus, catalog, "'colossus'")
        assert "h100+h200: 200,000 GPUs" in str(err.value) and "gb200: 30,024 GPUs" in str(err.value)
    with pytest.raises(PartitionError, match="no GPUs"):
        choose([], None, 8, catalog)


def test_a_single_type_cluster_is_one_partition(catalog, minimal):
    spec = parse_cluster(minimal, "test", catalog)
    parts = partitions(spec, catalog)
    assert len(parts) == 1 and parts[0].gpus == 128
    assert not choose(parts, "all", None, catalog).cross_generation


@settings(max_examples=60, deadline=None)
@given(gpus=st.integers(1, 400_000), selector=st.sampled_from([None, "all", "gb200", "h100+h200", "h100", "h200"]))
def test_a_choice_always_holds_the_request_or_says_why(colossus_parts, catalog, gpus, selector):
    try:
        choice = choose(colossus_parts, selector, gpus, catalog)
    except PartitionError as exc:
        assert "GPUs" in str(exc)  # names the sizes
        return
    assert choice.gpus >= gpus
    assert choice.cross_generation == (len(choice.partitions) > 1)
