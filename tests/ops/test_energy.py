"""The simulator's energy is the fleet power chain's: a fully busy machine draws what `cluster` says."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from colossim.catalog import load_catalog
from colossim.cluster import load_cluster
from colossim.cluster.figures import cluster_figures
from colossim.cluster.power import fleet_at
from colossim.energy.fleet import fleet_power
from colossim.ops import OpsConfig, build_workload, pools_from_cluster, simulate
from colossim.ops.energy import fleet_energy, pool_power_w

DAY = 86_400.0


def _fully_busy(spec, days: float):
    """Every in-service node held busy (serving at 100 % all day), no failures: the machine at its
    sustained draw."""
    cluster = pools_from_cluster(spec)
    cfg = OpsConfig.model_validate({
        "days": days, "seed": 1, "failures": {"enabled": False}, "sample_every_s": DAY,
        "workload": {"jobs": 1, "target_load": 0.01}, "serving": {"peak_share": 1.0, "curve": [1.0]},
    })
    return cluster, simulate(cluster, build_workload(cluster, cfg), cfg)


@pytest.mark.parametrize("at", [date(2024, 10, 15), date(2025, 9, 1)])  # 100k H100; H100 + H200 + GB200
def test_a_fully_busy_colossus_draws_the_cluster_sustained_power(at):
    # issue 11: `cluster`'s sustained facility power and the simulator's energy of the same fully busy
    # machine agree within 2 %
    spec = load_cluster("colossus")
    cluster, res = _fully_busy(spec, (at - spec.phases[0].start).days + 64 + 10)
    day = (at - cluster.start).days
    ser = res.series
    i = int(np.searchsorted(ser.t_s, (day + 1) * DAY))  # the sample at the end of that day
    assert ser.serving_gpus[i] == ser.capacity_gpus[i] == cluster.capacity_gpus_at(day * DAY)
    cluster_mw = cluster_figures(spec, load_catalog(), at).facility_power_mw
    assert ser.power_mw[i] == pytest.approx(cluster_mw, rel=0.02)


def test_pool_power_is_the_fleet_chain_per_gpu():
    # one GPU of each pool, busy, plus its overhead share, equals the fleet chain's power of the whole
    # cluster divided by its GPUs (the overhead per GPU is the cluster's, shared out by nameplate)
    spec = load_cluster("colossus")
    cluster = pools_from_cluster(spec)
    fleet = fleet_at(spec, load_catalog())
    busy_w, idle_w, overhead_w = pool_power_w(cluster.pools)
    gpus = np.array([p.max_gpus for p in cluster.pools], dtype=float)
    chain_kw = fleet_power(fleet).it_kw
    assert float(np.sum(gpus * (busy_w + overhead_w))) / 1e3 == pytest.approx(chain_kw, rel=1e-9)
    assert np.all(idle_w < busy_w)
    chain_idle_kw = fleet_power(fleet, utilisation=0.0).it_kw
    assert float(np.sum(gpus * (idle_w + overhead_w))) / 1e3 == pytest.approx(chain_idle_kw, rel=1e-9)


def test_unknown_tdp_gives_no_energy_and_down_gpus_draw_only_overhead(make_pool):
    assert fleet_energy(np.ones(1), np.zeros(1), np.ones(1), (make_pool(tdp_w=None),), 1.2) is None
    pools = (make_pool(),)
    down = fleet_energy(np.zeros(1), np.zeros(1), np.full(1, 3600.0), pools, 1.2)
    _, _, overhead_w = pool_power_w(pools)
    assert down.it_kwh[0] == pytest.approx(overhead_w[0] / 1e3)
    assert down.facility_kwh[0] == pytest.approx(1.2 * down.it_kwh[0])
