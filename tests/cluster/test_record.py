"""The built-in scenarios as the dated public record has them (colossus_record_2026.md): every phase and
supply step names its source and the record's confidence, and the figures of each site by date."""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest
import yaml

from colossim.cluster import cluster_figures, list_scenarios, load_cluster


def _raw(name: str) -> dict:
    text = (resources.files("colossim.cluster") / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 (BaseLoader: strings only, no objects)


@pytest.mark.parametrize("name", list_scenarios())
def test_every_phase_and_step_states_its_source_and_confidence(name):
    raw = _raw(name)
    for phase in raw["phases"]:
        assert phase["confidence"] in ("high", "medium", "low") and len(phase["source"]) > 20, phase["name"]
        assert len(phase.get("note", "")) > 40, f"{name} {phase['name']}: say what the record says"
    for kind in ("grid", "turbines", "batteries", "water"):
        for step in raw.get("supply", {}).get(kind, []):
            assert step["confidence"] in ("high", "medium", "low") and len(step["source"]) > 10, (kind, step)


def test_colossus_gpus_by_date(catalog):
    # sec. 1a: 100k H100 on 2 Sep 2024 (H); 200k Hopper by the Grok 3 launch (M); 230k incl. 30k GB200 in Jul 2025
    # (M); ">220,000" leased on 6 May 2026 (H)
    spec = load_cluster("colossus", catalog)
    expected = {date(2024, 9, 2): 100_000, date(2025, 2, 17): 200_000, date(2025, 7, 1): 230_024,
                date(2026, 5, 6): 230_024}
    assert {d: cluster_figures(spec, catalog, d).gpus for d in expected} == expected


def test_macrohardrr_is_the_gap_to_musks_2_gw_on_the_southaven_plant(catalog):
    # sec. 2b: "~2 GW" with the third building (Musk, 30 Dec 2025) - Colossus 2's claimed 1,039 MW of racks -
    # Colossus 1's ~300 MW = ~660 MW [d]; sec. 3b: 41 permitted turbines, ~1,200 MW combined continuous (M)
    spec = load_cluster("macrohardrr", catalog)
    fig = cluster_figures(spec, catalog, date(2026, 4, 1))
    assert fig.gpu_systems_power_max_mw == pytest.approx(660, rel=0.01)
    supply = fig.supply
    assert supply.turbine_units == 41 and supply.grid_capacity_mw == 0
    assert supply.turbine_capacity_mw == pytest.approx(1_200, rel=0.07)  # ISO ratings against site-rated ~1,200
    assert supply.unserved_mw == 0 and supply.turbine_share == 1
    # before the plant: no published supply at all
    assert cluster_figures(spec, catalog, date(2026, 2, 15)).supply.unserved_mw > 600
