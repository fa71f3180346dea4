"""Pools installed at a date and after each phase, with retirements taken from the oldest pools."""

from datetime import date

from colossim.cluster import inventory, load_cluster, parse_cluster, phase_snapshots


def test_colossus_inventory_by_date(catalog):
    spec = load_cluster("colossus", catalog)
    assert inventory(spec, catalog, date(2024, 1, 1)) == []
    phase1 = inventory(spec, catalog, date(2024, 9, 2))
    assert sum(p.gpus for p in phase1) == 100_000  # Musk, 2 Sep 2024
    assert {p.gpu for p in phase1} == {"h100_sxm5"}
    assert all(p.nvlink_domain == 8 and p.gpus_per_system == 8 for p in phase1)
    everything = inventory(spec, catalog)
    gpus = {}
    for pool in everything:
        gpus[pool.gpu] = gpus.get(pool.gpu, 0) + pool.gpus
    # colossus_facts.md sec. 3: ~150k H100 + 50k H200 + ~30k GB200 (417 NVL72 racks)
    assert gpus == {"h100_sxm5": 150_000, "h200_sxm": 50_000, "gb200_nvl72_gpu": 417 * 72}
    gb200 = [p for p in everything if p.gpu == "gb200_nvl72_gpu"]
    assert (
        gb200[0].nvlink_domain == 72 and gb200[0].power_max_kw == catalog.systems["gb200_nvl72"].power_max_kw
    )


def test_snapshots_grow_phase_by_phase(catalog):
    spec = load_cluster("colossus", catalog)
    snaps = phase_snapshots(spec, catalog)
    # the record adds the May 2026 lease of the whole site (colossus_record_2026.md sec. 1a): no hardware change
    assert [s.phase for s in snaps] == ["phase-1", "phase-2", "phase-3", "anthropic-lease"]
    assert snaps[-1].pools == snaps[-2].pools
    assert [s.gpus for s in snaps] == [100_000, 200_000, 230_024, 230_024]


def test_retirement_takes_the_oldest_pools_first(catalog, minimal):
    minimal["phases"].append(
        {"name": "p2", "start": "2025-01-01", "source": "test", "add": [{"system": "dgx_h100", "count": 10}]}
    )
    minimal["phases"].append(
        {
            "name": "p3",
            "start": "2026-01-01",
            "source": "test",
            "retire": [{"system": "dgx_h100", "count": 20}],
        }
    )
    spec = parse_cluster(minimal, "test", catalog)
    pools = inventory(spec, catalog)
    # 16 from p1 and 4 of the 10 from p2 are retired
    assert [(p.phase, p.systems) for p in pools] == [("p2", 6)]
    assert inventory(spec, catalog, date(2025, 6, 1))[0].systems == 16


def test_rack_packing_override(catalog):
    spec = load_cluster("colossus", catalog)
    dell = [p for p in inventory(spec, catalog, date(2024, 9, 2)) if p.system == "dell_xe9680_h100"]
    assert dell[0].systems_per_rack == 8 and catalog.systems["dell_xe9680_h100"].systems_per_rack == 4


def test_snapshots_default_to_the_shipped_catalog(catalog):
    spec = load_cluster("colossus-2", catalog)
    # the record: online 17 Jan 2026 with the claimed "first batch of 550k" (110k GB200 + 440k GB200/GB300), then
    # GB300 racks to 1.5 GW in April ((1,500 - 1,039 MW) / 142 kW = 3,247 racks, colossus_record_2026.md sec. 2b)
    assert [s.gpus for s in phase_snapshots(spec)] == [(1_528 + 2 * 3_056) * 72, (1_528 + 2 * 3_056 + 3_247) * 72]
