"""A job across GPU generations: uneven micro-batches per replica balanced by speed, one shape for every
partition, the slowest link, and its cost against separate jobs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from colossim.catalog import load_catalog
from colossim.cluster import parse_cluster
from colossim.models.zoo import get_model
from colossim.plan.hetero import _balance, _free_batch, _replica_options, plan_cross_generation
from colossim.plan.machine import choose_machines

TWO_GENERATIONS = {
    "name": "two-generations",
    "site": "us_average",
    "fabric": {"switch": "quantum2_qm9700"},
    "phases": [{"name": "p1", "start": "2025-01-01", "source": "test",
                "add": [{"system": "dgx_h100", "count": 16}, {"system": "dgx_b200", "count": 8}]}],
}


def test_balance_equalises_linear_step_times():
    # T_i = a_i + b_i k_i with sum d_i k_i = K: T* = (K + sum d a / b) / sum d / b (closed form)
    a, b = np.array([0.0, 0.0]), np.array([1.0, 2.0])
    assert list(_balance(30, np.array([1, 1]), a, b)) == [20, 10]  # T* = 30 / 1.5 = 20
    assert list(_balance(30, np.array([2, 1]), a, b)) == [24, 6]  # T* = 30 / 2.5 = 12
    counts = _balance(31, np.array([3, 5]), np.array([0.5, 0.1]), np.array([0.3, 0.7]))
    assert counts.sum() == 31 and np.all(counts >= 0)


@given(total=st.integers(10, 5000), d=st.lists(st.integers(1, 50), min_size=2, max_size=3),
       b=st.lists(st.floats(0.01, 5.0), min_size=3, max_size=3), a=st.lists(st.floats(0.0, 2.0), min_size=3,
                                                                                max_size=3))
def test_balance_is_exact_and_within_a_micro_batch_of_the_optimum(total, d, b, a):
    replicas = np.array(d)
    a_, b_ = np.array(a[: len(d)]), np.array(b[: len(d)])
    counts = _balance(total, replicas, a_, b_)
    assert counts.sum() == total and np.all(counts >= 0)
    t_star = (total + np.sum(replicas * a_ / b_)) / np.sum(replicas / b_)  # the continuous optimum
    used = counts > 0
    step = np.max((a_ + b_ * np.ceil(counts / replicas))[used])
    assert step <= max(t_star, float(np.max(a_))) + float(np.max(b_)) * 2 + 1e-9


def test_replica_counts_are_the_searchs():
    assert list(_replica_options(100, 1)) == [1, 2, 4, 8, 16, 32, 64, 100]
    assert list(_replica_options(100, 4)) == [4, 8, 16, 32, 64, 100]


def test_free_batch_fills_the_job_time_within_the_batch_tolerance():
    # two equal partitions of 4 replicas, 1 s a micro-batch, a 16-micro-batch target: 2 each in 2 s
    replicas, per = _free_batch(np.zeros(2), np.ones(2), np.zeros(2), np.array([4, 4]), 16, 1)
    assert list(replicas) == [4, 4] and list(per) == [2, 2]
    # a partition twice as fast takes twice the micro-batches
    replicas, per = _free_batch(np.zeros(2), np.array([1.0, 0.5]), np.zeros(2), np.array([4, 4]), 24, 1)
    assert per[1] == 2 * per[0] and abs(int(replicas @ per) / 24 - 1) <= 0.25


@pytest.fixture(scope="module")
def two_gen():
    catalog = load_catalog()
    spec = parse_cluster(TWO_GENERATIONS, "test", catalog)
    choice, machines = choose_machines(spec, "all", None, None, catalog)
    assert choice.cross_generation and [m.gpu for m in machines] == ["h100", "b200"]
    return machines


def test_a_job_across_h100_and_b200(two_gen):
    model = get_model("llama3-8b")
    plan = plan_cross_generation(model, two_gen, global_batch=256)
    groups = {g.partition: g for g in plan.groups}
    assert sum(g.sequences for g in plan.groups) == 256 == plan.global_batch  # a fixed batch stays exact
    assert groups["b200"].microbatches >= groups["h100"].microbatches  # the faster GPU takes more
    assert plan.gpus <= 192 and plan.layout.dp == sum(g.replicas for g in plan.groups)
    assert plan.layout.tp <= 8 and plan.nvlink_domain == 8
    assert plan.link_gbps_per_gpu == min(m.hardware.scale_out_gbps_per_gpu for m in two_gen)
    assert plan.memory_gpu == "h100_sxm5"  # 80 GB < 180 GB
    assert all(g.memory_gb <= g.usable_gb for g in plan.groups)
    # the job waits for the slowest replica: no group's own step is longer than the job's
    assert all(g.step_time_s <= plan.step_time_s + 1e-12 and g.wait_s >= 0 for g in plan.groups)
    assert plan.tokens_per_s == pytest.approx(256 * model.seq_len / plan.step_time_s)
    # one job never beats every partition on its own job at once
    assert plan.tokens_per_s <= plan.separate_tokens_per_s * (1 + 1e-9)
    assert {s.partition for s in plan.separate} == {"h100", "b200"}
    assert any("slowest NIC" in line for line in plan.costs())


def test_one_partition_is_not_a_cross_generation_job(two_gen):
    with pytest.raises(ValueError, match="at least two partitions"):
        plan_cross_generation(get_model("llama3-8b"), two_gen[:1])
