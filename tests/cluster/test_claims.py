"""The claims-vs-observed table (colossus_record_2026.md sec. 9): sources and confidence on both sides, and the
model's figures for the claimed and observed variants within the record's ranges."""

from __future__ import annotations

import pytest

from colossim.cluster.claims import claims_table, load_claims
from colossim.cluster.variants import family


@pytest.fixture(scope="module")
def rows(catalog):
    return {r.id: r for r in claims_table(catalog=catalog)}


def test_every_claim_has_who_when_source_and_confidence():
    for c in load_claims().claims:
        for side in (c.claimed, c.observed):
            assert side.who and side.when and len(side.source) > 10 and side.confidence in ("high", "medium", "low")


def test_the_variants_reproduce_both_sides_of_colossus_2(rows):
    # 1 GW claimed vs ~350 MW of cooling by satellite; 1.5 GW in April vs Epoch's 1 GW around May
    for key in ("c2-power-online", "c2-power-spring"):
        r = rows[key]
        assert r.model_claimed == pytest.approx(r.claimed, rel=0.05)
        assert r.model_observed == pytest.approx(r.observed, rel=0.02)
    gpus = rows["c2-gpus"]  # 550k claimed; 180-210k GB200-class GPUs in 350 MW [d]
    assert gpus.model_claimed == pytest.approx(550_000, rel=0.01) and 180_000 <= gpus.model_observed <= 210_000


def test_colossus_1_turbines_and_nox(rows):
    t = rows["c1-turbines"]
    assert (t.model_claimed, t.model_observed) == (15, 35)
    nox = rows["c1-nox"]
    assert nox.model_claimed < nox.claimed  # the permitted units within the 87-ton cap (78.9 t)
    assert nox.model_observed > 5 * nox.model_claimed  # the unpermitted fleet, far above it


def test_what_usd_5b_buys_lands_in_the_records_range(rows):
    # sec. 5c [d]: USD 5B buys 850-2,500 NVL72 racks depending on the price per rack
    racks = rows["dell-order"].model_observed
    assert 850 <= racks <= 2_500


def test_families_pair_claimed_with_observed(catalog):
    name, members = family("colossus-2-observed", catalog)
    assert name == "colossus-2" and [(m.name, m.kind) for m in members] == [
        ("colossus-2", "claimed"), ("colossus-2-observed", "observed")]
    _, campus = family("colossus-campus", catalog)
    assert {m.kind for m in campus} == {"claimed", "observed"} and all(m.campus for m in campus)
