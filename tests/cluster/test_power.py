"""A cluster in the fleet power chain: the same power and energy whichever command asks."""

from __future__ import annotations

from datetime import date

import pytest

from colossim.cluster import cluster_figures, fleet_at, job_fleet, load_cluster, partitions
from colossim.energy import default_power_model, fleet_energy, fleet_power


@pytest.fixture(scope="module")
def colossus(catalog):
    return load_cluster("colossus", catalog)


@pytest.mark.parametrize("at", [date(2024, 9, 2), date(2025, 2, 17), None])
def test_a_busy_day_of_gpu_hours_is_the_clusters_sustained_power(colossus, catalog, at):
    # issue 11: `cluster`'s sustained power and an energy ledger of busy GPU-hours (the simulator's input) agree
    fig = cluster_figures(colossus, catalog, at)
    fleet = fleet_at(colossus, catalog, at)
    busy = [p.gpus * 24.0 for p in fleet.pools]
    day = fleet_energy(fleet, busy, 0.0, 24.0, pue=fig.pue)
    assert day.facility_kwh / 1e3 == pytest.approx(fig.facility_power_mw * 24.0, rel=1e-9)
    assert day.it_kwh / 1e3 == pytest.approx(fig.it_power_mw * 24.0, rel=1e-9)
    assert fleet_power(fleet, 1.0, fig.pue).facility_mw == pytest.approx(fig.facility_power_peak_mw, rel=1e-9)


def test_an_idle_cluster_draws_its_idle_floor_and_overhead(colossus, catalog):
    fig = cluster_figures(colossus, catalog)
    fleet = fleet_at(colossus, catalog)
    idle = fleet_energy(fleet, 0.0, [p.gpus for p in fleet.pools], 1.0, pue=fig.pue)
    assert idle.facility_kwh / 1e3 == pytest.approx(fleet_power(fleet, 0.0, fig.pue).facility_mw, rel=1e-9)
    assert idle.facility_kwh / 1e3 < fig.facility_power_mw


def test_partition_jobs_add_up_to_the_cluster(colossus, catalog):
    fleet = fleet_at(colossus, catalog)
    parts = partitions(colossus, catalog)
    jobs = [job_fleet(fleet, p.pools, catalog, p.gpus) for p in parts]
    pm = default_power_model()
    total = sum(fleet_power(j, None, 1.2, pm).facility_kw for j in jobs)
    assert total == pytest.approx(fleet_power(fleet, None, 1.2, pm).facility_kw, rel=1e-9)
    with pytest.raises(ValueError):
        job_fleet(fleet, parts[1].pools, catalog, parts[1].gpus + 1)
