"""Fat-tree sizing against the standard folded-Clos arithmetic (Al-Fares et al., SIGCOMM 2008)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from colossim.cluster import FabricError, design_fat_tree, max_endpoints, smallest_tiers


@pytest.mark.parametrize(
    ("radix", "two_tier", "three_tier"),
    [
        # hardware_catalog.yaml fat_tree_capacity_rules: QM9700 64, SN5600 128 (400G), Q3400 144 (800G)
        (64, 2_048, 65_536),
        (128, 8_192, 524_288),
        (144, 10_368, 746_496),
    ],
)
def test_non_blocking_capacity_is_k2_over_2_and_k3_over_4(radix, two_tier, three_tier):
    assert max_endpoints(radix, 2) == two_tier == radix**2 // 2
    assert max_endpoints(radix, 3) == three_tier == radix**3 // 4


def test_three_tiers_of_128_radix_switches_hold_200k_gpus():
    # colossus_facts.md sec. 5: a 128-radix 3-tier non-blocking fat tree holds 524,288 endpoints
    tree = design_fat_tree(200_000, 128, tiers=3)
    assert tree.tiers == 3 and tree.max_endpoints == 524_288
    assert smallest_tiers(200_000, 128) == 3
    with pytest.raises(FabricError, match="tiers: 3"):
        design_fat_tree(200_000, 128, tiers=2)


def test_full_three_tier_tree_has_5k2_over_4_switches():
    # a complete k-ary fat tree: k^2/2 edge + k^2/2 aggregation + k^2/4 core switches
    k = 128
    tree = design_fat_tree(k**3 // 4, k, tiers=3)
    assert tree.switches_per_tier == (k**2 // 2, k**2 // 2, k**2 // 4)
    assert tree.switches == 5 * k**2 // 4


def test_colossus_phase1_switch_counts_match_the_fact_sheet_estimate():
    # colossus_facts.md sec. 15: ~1,600 leaf + 1,600 spine + ~800 core switches and ~300k 400G links
    tree = design_fat_tree(100_000, 128, tiers=3)
    leaf, spine, core = tree.switches_per_tier
    assert 1_500 <= leaf <= 1_650 and 1_500 <= spine <= 1_650 and 750 <= core <= 850
    assert sum(tree.links_per_tier) == pytest.approx(300_000, rel=0.01)


def test_oversubscription_at_the_leaf_shrinks_the_upper_tiers():
    flat = design_fat_tree(16_384, 64, tiers=3)
    over = design_fat_tree(16_384, 64, oversubscription=3.0, tiers=3)
    # 3:1 at the leaf: 48 ports down, 16 up per leaf
    assert over.leaf_down_ports == 48
    assert over.switches_per_tier[0] == math.ceil(16_384 / 48)
    assert over.links_per_tier[1] == pytest.approx(16_384 / 3, abs=2)
    assert over.switches < flat.switches
    assert max_endpoints(64, 2, 3.0) == 48 * 64


def test_single_switch_and_empty_fabrics():
    assert design_fat_tree(100, 128).tiers == 1
    assert design_fat_tree(100, 128).switches == 1
    empty = design_fat_tree(0, 128)
    assert empty.tiers == 0 and empty.switches == 0 and empty.switch_ports_used == 0


def test_too_many_endpoints_fail_with_advice():
    with pytest.raises(FabricError, match="more ports"):
        design_fat_tree(10**12, 64)


def test_pods_must_fit_their_tiers():
    # rail-optimized pods of 3,072 GPUs with 7:1 above the pod (Meta 24k H100 clusters)
    tree = design_fat_tree(24_576, 128, oversubscription=7.0, oversub_tier=2, pod_endpoints=3_072)
    assert tree.tiers == 3 and tree.oversubscribed
    # pod uplinks are 1/7 of the pod's endpoint links
    assert tree.links_per_tier[2] == pytest.approx(24_576 / 7, rel=0.01)
    with pytest.raises(FabricError, match="smaller pods"):
        design_fat_tree(24_576, 16, oversubscription=7.0, tiers=5, oversub_tier=2, pod_endpoints=3_072)


@given(n=st.integers(1, 2_000_000), k=st.sampled_from([32, 64, 128, 144]), o=st.sampled_from([1.0, 2.0, 3.0]))
def test_a_tree_always_holds_its_endpoints_and_uses_enough_ports(n, k, o):
    tree = design_fat_tree(n, k, o)
    assert tree.max_endpoints >= n
    assert tree.switches * k >= tree.switch_ports_used  # never more ports used than exist
    assert tree.tiers == 1 or max_endpoints(k, tree.tiers - 1, o) < n  # smallest tree that fits


@given(n=st.integers(1, 470_000), extra=st.integers(1, 50_000))
def test_more_endpoints_never_need_fewer_switches(n, extra):
    small = design_fat_tree(n, 128, tiers=3)
    large = design_fat_tree(n + extra, 128, tiers=3)
    assert all(a <= b for a, b in zip(small.switches_per_tier, large.switches_per_tier, strict=True))
