"""From colossim.cluster scenarios to simulator pools: GPU counts, dates, nodes and pods."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from colossim.catalog import load_catalog
from colossim.cluster import inventory, load_cluster, parse_cluster
from colossim.ops import load_ops_cluster, pools_from_cluster

DAY = 86_400.0


def test_colossus_pools_match_the_cluster_inventory():
    spec = load_cluster("colossus")
    cl = pools_from_cluster(spec, ramp_days=50, burn_in_days=14)
    inv = inventory(spec, load_catalog())
    by_gpu: dict[str, int] = {}
    for p in inv:
        by_gpu[p.gpu] = by_gpu.get(p.gpu, 0) + p.gpus
    assert {p.gpu: p.max_gpus for p in cl.pools} == by_gpu
    assert cl.max_gpus == sum(by_gpu.values())
    # day 0 is the first phase date minus ramp and burn-in; each phase is in service on its date
    first = min(ph.start for ph in spec.phases)
    assert cl.start == first - timedelta(days=64)
    for ph in (p for p in spec.phases if p.add):  # the May 2026 lease phase adds no hardware (issue 14)
        t = (ph.start - cl.start).days * DAY
        installed = sum(p.gpus for p in inventory(spec, load_catalog(), at=ph.start))
        assert cl.capacity_gpus_at(t) == installed
        assert cl.capacity_gpus_at(t - 15 * DAY) < installed  # still arriving or in burn-in before


def test_nodes_domains_and_pods():
    cl = load_ops_cluster("colossus")
    pools = {p.gpu: p for p in cl.pools}
    h100, gb200 = pools["h100_sxm5"], pools["gb200_nvl72_gpu"]
    assert (h100.gpus_per_node, h100.nvlink_domain_gpus, h100.pod_nodes) == (8, 8, 512)  # (128/2)^2 = 4,096 GPUs
    assert (gb200.gpus_per_node, gb200.nvlink_domain_gpus) == (4, 72)  # NVL72 racks as 4-GPU trays
    assert gb200.pod_nodes % gb200.nodes_per_domain == 0
    assert gb200.nodes_for([4, 72, 100]).tolist() == [1, 18, 36]
    # the energy model's inputs: the GPUs' TDPs (NVIDIA: H100 SXM 700 W, GB200 1,200 W) and the site's PUE
    assert (h100.tdp_w, gb200.tdp_w) == (700.0, 1200.0)
    assert 1.0 < cl.pue < 2.0


def test_retirements_become_removals(minimal_spec):
    spec = parse_cluster(minimal_spec, "mini.yaml")
    cl = pools_from_cluster(spec, start=date(2023, 12, 1), ramp_days=0, burn_in_days=0)
    (pool,) = cl.pools
    assert [d.nodes for d in pool.deliveries] == [16, -4]
    assert cl.capacity_gpus_at(0) == 0
    assert cl.capacity_gpus_at(31 * DAY) == 128
    assert cl.capacity_gpus_at(400 * DAY) == 96


@pytest.fixture
def minimal_spec():
    return {
        "name": "mini", "site": "us_average", "fabric": {"switch": "spectrum4_sn5600"},
        "phases": [
            {"name": "p1", "start": "2024-01-01", "add": [{"system": "dgx_h100", "count": 16}], "source": "test"},
            {"name": "p2", "start": "2025-01-01", "retire": [{"system": "dgx_h100", "count": 4}], "source": "test"},
        ],
    }


def test_helios_scenarios():
    cl = load_ops_cluster("helios-earth")
    assert cl.capacity_gpus_at(0) == 784 and cl.pools[0].gpus_per_node == 1


def test_colossus_lease_takes_the_site_out_of_training_on_its_date():
    spec = load_cluster("colossus")
    lease = next(ph for ph in spec.phases if ph.use == "inference_lease")
    cl = pools_from_cluster(spec, ramp_days=50, burn_in_days=14)
    t = (lease.start - cl.start).days * DAY
    before = sum(p.gpus for p in inventory(spec, load_catalog(), at=lease.start - timedelta(days=1)))
    assert cl.capacity_gpus_at(t - DAY) == before > 200_000  # the whole site trains the day before
    assert cl.capacity_gpus_at(t) == 0  # and none of it from the lease date
    assert any(f"leased out for inference from {lease.start}" in n and f"{before:,} GPUs" in n for n in cl.notes)


def test_hardware_added_during_a_lease_goes_to_the_tenant_and_all_comes_back_after(minimal_spec):
    minimal_spec["phases"][1:] = [
        {"name": "lease", "start": "2024-06-01", "use": "inference_lease", "source": "test"},
        {"name": "more", "start": "2024-09-01", "add": [{"system": "dgx_h100", "count": 4}], "source": "test"},
        {"name": "back", "start": "2025-01-01", "use": "training", "source": "test"},
    ]
    spec = parse_cluster(minimal_spec, "mini.yaml")
    cl = pools_from_cluster(spec, start=date(2023, 12, 1), ramp_days=0, burn_in_days=0)
    (pool,) = cl.pools
    assert [d.nodes for d in pool.deliveries] == [16, -16, 20]  # the 4 added while leased return with the rest
    day = {d: (date.fromisoformat(d) - date(2023, 12, 1)).days * DAY for d in ("2024-06-01", "2025-01-01")}
    assert cl.capacity_gpus_at(day["2024-06-01"] - DAY) == 128
    assert cl.capacity_gpus_at(day["2024-06-01"]) == cl.capacity_gpus_at(day["2025-01-01"] - DAY) == 0
    assert cl.capacity_gpus_at(day["2025-01-01"]) == 160
    assert any("trains again from 2025-01-01" in n for n in cl.notes)
