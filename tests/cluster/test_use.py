"""The May 2026 lease of Colossus 1 (colossus_record_2026.md sec. 1a, H for the deal): no training capacity
from that date, while the site keeps drawing power."""

from __future__ import annotations

from datetime import date

import pytest

from colossim.cluster import cluster_figures, load_cluster
from colossim.cluster.use import SiteLeasedError, training_date, training_snapshots, use_at

LEASE = date(2026, 5, 6)


@pytest.fixture(scope="module")
def colossus(catalog):
    return load_cluster("colossus", catalog)


def test_the_site_trains_until_the_lease(colossus):
    assert use_at(colossus, date(2026, 5, 5)) == "training"
    assert use_at(colossus, LEASE) == use_at(colossus, None) == "inference_lease"


def test_a_training_question_after_the_lease_is_refused_or_moved_before_it(colossus):
    with pytest.raises(SiteLeasedError, match="leased out for inference from 2026-05-06"):
        training_date(colossus, date(2026, 6, 1))
    at, note = training_date(colossus, None)
    assert at == date(2026, 5, 5) and "2026-05-05" in note
    assert training_date(colossus, date(2025, 9, 1)) == (date(2025, 9, 1), "")


def test_leased_phases_are_no_training_capacity_but_still_draw_power(colossus, catalog):
    kept, left_out = training_snapshots(colossus, catalog)
    assert [s.phase for s in kept] == ["phase-1", "phase-2", "phase-3"]
    assert len(left_out) == 1 and "anthropic-lease" in left_out[0]
    leased = cluster_figures(colossus, catalog, date(2026, 6, 1))
    assert leased.site_use == "inference_lease" and "no training capacity" in leased.site_use_note
    # ">220,000 GPUs" and ">300 MW" leased (both press releases): the load stays on the ledger
    assert leased.gpus > 220_000 and leased.facility_power_mw > 300 and leased.supply.demand_mw > 300


def test_a_cluster_without_a_use_trains(minimal, catalog):
    from colossim.cluster import parse_cluster

    spec = parse_cluster(minimal, "test", catalog)
    assert use_at(spec) == "training" and training_date(spec, None) == (None, "")
