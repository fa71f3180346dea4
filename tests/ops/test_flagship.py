"""With only the flagship run, simulated interruptions and goodput match the reliability closed forms:
expected interruptions = N_nodes x r x T_wall and goodput = Daly's exponential model (exact for this
checkpoint/restart model), and Meta's first-order ETTR within its truncation error."""

from __future__ import annotations

import math

import numpy as np
import pytest

from colossim.ops import FlagshipConfig, OpsConfig, build_workload, flagship_plan, simulate
from colossim.reliability import daly_interval_s, daly_wall_time_s, ettr_daly, ettr_meta

DAY = 86_400.0
NODES = 2048  # 16,384 GPUs, the Llama 3 run's size
RATE = 3.7887e-3  # per node-day (Llama 3, colossim.reliability preset llama3_h100)


def _runs(
    make_pool,
    make_cluster,
    *,
    write_s: float,
    restart_s: float,
    days: float,
    seeds: int,
    spares: dict | None = None,
):
    mttf = DAY / (NODES * RATE)
    tau_daly = float(daly_interval_s(write_s, mttf))
    compute = days * DAY
    tau = compute / round(compute / tau_daly)  # a whole number of checkpoint intervals, as Daly's T_s / tau
    # spare capacity so the run never waits for nodes (failed nodes are away for repair ~40 h)
    cl = make_cluster(make_pool(nodes=NODES + 256, pod=512, rate=RATE))
    flag = FlagshipConfig(
        gpus=NODES * 8,
        gpu_type="h100_sxm5",
        submit_day=0.0,
        ideal_days=days,
        checkpoint_interval=tau,
        checkpoint_write_s=write_s,
        restart_s=restart_s,
    )
    out = []
    for seed in range(seeds):
        cfg = OpsConfig.model_validate(
            {
                "days": 4 * days,
                "seed": seed,
                "flagship": flag.model_dump(),
                "workload": {"jobs": 0},
                "spares": spares or {"kind": "none"},
                "sample_every_s": 10 * DAY,
            }
        )
        res = simulate(cl, build_workload(cl, cfg), cfg)
        f = res.flagship
        assert f.status == "completed"
        out.append((f.interruptions, f.wall_days * DAY, f.goodput))
    plan = flagship_plan(cfg, cl)
    assert plan.nodes == NODES and plan.mttf_s == pytest.approx(mttf)
    return np.array(out), tau, mttf, compute


@pytest.mark.parametrize("write_s,restart_s", [(60.0, 600.0), (5.0, 120.0)])
def test_interruptions_and_goodput_match_daly(make_pool, make_cluster, write_s, restart_s):
    runs, tau, mttf, compute = _runs(
        make_pool, make_cluster, write_s=write_s, restart_s=restart_s, days=20, seeds=24
    )
    k = len(runs)
    wall_expected = float(daly_wall_time_s(compute, tau, write_s, restart_s, mttf))
    expected_interruptions = NODES * RATE / DAY * wall_expected  # N r T
    interruptions, walls, goodputs = runs[:, 0], runs[:, 1], runs[:, 2]
    assert abs(interruptions.mean() - expected_interruptions) < 3 * interruptions.std(ddof=1) / math.sqrt(k)
    assert abs(walls.mean() - wall_expected) < 3 * walls.std(ddof=1) / math.sqrt(k)
    daly = float(ettr_daly(tau, write_s, restart_s, mttf))
    assert abs(goodputs.mean() - daly) < 3 * goodputs.std(ddof=1) / math.sqrt(k)
    # Wald: interruptions per wall time is the job's failure rate N r, run by run
    assert (interruptions.sum() / walls.sum()) == pytest.approx(
        NODES * RATE / DAY, rel=4 / math.sqrt(interruptions.sum())
    )


def test_goodput_matches_meta_first_order_where_it_is_valid(make_pool, make_cluster):
    write_s, restart_s = 5.0, 120.0
    runs, tau, mttf, _ = _runs(
        make_pool, make_cluster, write_s=write_s, restart_s=restart_s, days=20, seeds=24
    )
    goodputs = runs[:, 2]
    meta = float(ettr_meta(tau, write_s, restart_s, mttf))
    x = (restart_s + tau / 2) / mttf  # the formula's expansion variable (reliability.md sec. 4.1)
    truncation = x * x + write_s / (2 * mttf)  # neglected 2nd-order terms and failures during writes
    assert x < 0.1
    assert abs(goodputs.mean() - meta) < 3 * goodputs.std(ddof=1) / math.sqrt(len(runs)) + truncation


def test_hot_spares_give_the_same_goodput(make_pool, make_cluster):
    """A spare swapped in (restart in place) costs the same restart as requeueing onto free nodes."""
    write_s, restart_s = 60.0, 600.0
    runs, tau, mttf, _ = _runs(
        make_pool,
        make_cluster,
        write_s=write_s,
        restart_s=restart_s,
        days=20,
        seeds=16,
        spares={"kind": "reserved", "fraction": 0.05},
    )
    daly = float(ettr_daly(tau, write_s, restart_s, mttf))
    assert abs(runs[:, 2].mean() - daly) < 3 * runs[:, 2].std(ddof=1) / math.sqrt(len(runs))


def test_young_and_daly_intervals_come_from_the_jobs_mttf(make_pool, make_cluster):
    cl = make_cluster(make_pool(nodes=NODES, rate=RATE))
    for rule in ("young", "daly"):
        cfg = OpsConfig(
            flagship=FlagshipConfig(gpus=NODES * 8, checkpoint_interval=rule, checkpoint_write_s=30.0)
        )
        plan = flagship_plan(cfg, cl)
        mttf = DAY / (NODES * RATE)
        young = math.sqrt(2 * 30.0 * mttf)  # Young 1974
        assert plan.checkpoint_interval_s == pytest.approx(
            young if rule == "young" else float(daly_interval_s(30.0, mttf))
        )


def test_flagship_only_gives_the_goodput_of_colossim_train(make_pool, make_cluster):
    """The flagship takes `colossim train`'s plan as it is (GPUs, ideal days, interval, blocking write,
    restart) and the same failure preset, so with only the flagship on a pool that never makes it wait,
    its mean goodput over seeds equals train's Monte Carlo mean within their combined spread."""
    from colossim.cluster import load_cluster
    from colossim.models.zoo import get_model
    from colossim.plan.machine import job_machine
    from colossim.train import ReliabilityOptions, plan_training

    spec = load_cluster("colossus")
    plan = plan_training(get_model("llama3-8b"), spec, job_machine(spec, "h100_sxm5"), 1.5e13, gpus=1024,
                         options=ReliabilityOptions(failures="llama3_h100", monte_carlo_runs=2000, seed=3))
    flag = FlagshipConfig.from_training(plan)
    nodes = plan.gpus // 8
    cl = make_cluster(make_pool(nodes=nodes + 64, pod=512))  # the preset's rate, spare nodes for repairs
    runs = []
    for seed in range(40):
        cfg = OpsConfig.model_validate({"days": 4 * plan.expected_days, "seed": seed, "workload": {"jobs": 0},
                                        "flagship": flag.model_dump(), "failures": {"preset": "llama3_h100"},
                                        "sample_every_s": 10 * DAY})
        res = simulate(cl, build_workload(cl, cfg), cfg)
        assert res.flagship.status == "completed"
        runs.append(res.flagship.goodput)
    sim = np.array(runs)
    mc = plan.monte_carlo.goodput
    spread = math.hypot(sim.std(ddof=1) / math.sqrt(len(sim)), mc.std_error)
    assert plan.checkpoint.expected_failures_per_day * plan.expected_days > 5  # failures do matter here
    assert abs(sim.mean() - mc.mean) < 3 * spread
    assert flagship_plan(cfg, cl).checkpoint.interval_s == pytest.approx(plan.checkpoint.interval_s)
