"""Serving power and cost through the one fleet power chain and the partition's catalog price."""

import pytest

from colossim.cluster import load_cluster
from colossim.energy.fleet import fleet_power
from colossim.plan.machine import job_machine
from colossim.serve.power import serving_cost

MACHINE = job_machine(load_cluster("colossus"), "gb200")


def test_a_fully_busy_partition_draws_what_the_fleet_chain_says():
    n = MACHINE.gpus_available
    util = 0.6
    cost = serving_cost(MACHINE, 1.0, n, 1e6)  # compute-bound: the training utilisation
    power = fleet_power(MACHINE.fleet(n), MACHINE.economics.power.train_utilisation, MACHINE.economics.pue)
    assert cost.facility_mw == pytest.approx(power.facility_mw, rel=1e-9)
    assert util < 1


def test_idle_gpus_draw_idle_power_and_cost_counts_every_gpu():
    n = MACHINE.gpus_available
    full = serving_cost(MACHINE, 0.5, n, 1e6)
    half = serving_cost(MACHINE, 0.5, n / 2, 1e6)
    pue = MACHINE.economics.pue
    expected = (n / 2 * full.it_w_per_gpu + n / 2 * full.idle_it_w_per_gpu) * pue / 1e6
    assert half.facility_mw == pytest.approx(expected, rel=1e-6)
    mtok_h = 1e6 * 3600 / 1e6
    assert full.cost_usd_per_mtok == pytest.approx(
        (n * full.usd_per_gpu_hour + full.facility_mw * 1e3 * MACHINE.economics.usd_per_kwh) / mtok_h)


def test_compute_bound_serving_draws_more_than_decode():
    n = MACHINE.gpus_available
    assert serving_cost(MACHINE, 1.0, n, 1.0).it_w_per_gpu > serving_cost(MACHINE, 0.0, n, 1.0).it_w_per_gpu
