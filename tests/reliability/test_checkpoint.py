"""Checkpoint size, write/read time, blocking (sync vs async) and restart time."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from colossim.reliability import (
    bytes_per_param,
    checkpoint_bytes,
    checkpoint_cost,
    checkpoint_cost_from_presets,
    restart_time_s,
    transfer_time_s,
)

BLOOM_PARAMS = 176_247_271_424  # BLOOM-176B model card (bigscience/bloom): 176,247,271,424 parameters


def test_mixed_precision_adam_is_14_bytes_per_param():
    # ZeRO (Rajbhandari et al. SC20): 2 B bf16 weights + 12 B fp32 optimizer state (master, m, v).
    assert bytes_per_param("adam_mixed_bf16") == 2 + 4 + 4 + 4


def test_bloom_checkpoint_size():
    # BLOOM tr11 chronicles: '2.3 TB with optimizer states (329 GB bf16 weights)'. The sizes read like
    # `du -h` output, which is binary (TiB/GiB) and rounds up to the shown digit.
    full = checkpoint_bytes(BLOOM_PARAMS, "adam_mixed_bf16")
    weights = checkpoint_bytes(BLOOM_PARAMS, "weights_bf16")
    assert math.ceil(full / 2**40 * 10) / 10 == 2.3
    assert math.ceil(weights / 2**30) == 329


def test_blocking_save_of_bloom_on_gpfs_takes_about_40_s():
    # BLOOM chronicles: the 2.3 TB checkpoint saved in 40 s; the preset bandwidth is 2.3e12 B / 40 s, so
    # BLOOM's exact size (2.47e12 B) takes 2.47/2.3 x 40 s.
    cost = checkpoint_cost_from_presets(BLOOM_PARAMS, "blocking", "bloom_gpfs", "deadpool")
    assert cost.blocking_s == pytest.approx(40 * checkpoint_bytes(BLOOM_PARAMS) / 2.3e12, rel=1e-9)
    assert cost.background_s == 0.0 and cost.min_interval_s == 0.0


def test_async_blocks_only_for_the_device_to_host_copy():
    size = 5.67e12  # 405e9 params x 14 B
    cost = checkpoint_cost(
        size,
        "async",
        storage_write_gb_s=2000,
        storage_read_gb_s=7000,
        restart_fixed_s=150,
        shards=16_384,
        host_link_gb_s=50,
    )
    assert cost.blocking_s == pytest.approx(size / 16_384 / 50e9)
    assert cost.background_s == pytest.approx(size / 2000e9)
    assert cost.restart_s == pytest.approx(150 + size / 7000e9)
    assert cost.min_interval_s == cost.background_s
    # an interval shorter than the persist stalls for the rest of it
    assert cost.effective_blocking_s(1.0) == pytest.approx(cost.blocking_s + cost.background_s - 1.0)
    assert cost.effective_blocking_s(10 * cost.background_s) == pytest.approx(cost.blocking_s)


def test_in_memory_blocks_for_the_copy_and_restarts_from_host_memory():
    size = 5.67e12
    cost = checkpoint_cost(
        size,
        "in_memory",
        storage_write_gb_s=2000,
        storage_read_gb_s=7000,
        restart_fixed_s=150,
        shards=16_384,
        host_link_gb_s=50,
    )
    shard_copy = size / 16_384 / 50e9
    assert cost.blocking_s == pytest.approx(shard_copy)
    assert cost.background_s == 0.0 and cost.min_interval_s == 0.0
    assert cost.restart_s == pytest.approx(150 + shard_copy)
    assert cost.effective_blocking_s(1.0) == pytest.approx(shard_copy)


def test_async_and_in_memory_need_a_host_link():
    for mode in ("async", "in_memory"):
        with pytest.raises(ValueError, match="host_link"):
            checkpoint_cost(1e12, mode, 100, 100, 60)


@given(size=st.floats(1e6, 1e15), bw=st.floats(0.1, 1e5), fixed=st.floats(0, 1e4))
def test_times_scale_with_size_over_bandwidth(size, bw, fixed):
    assert transfer_time_s(size, bw) == pytest.approx(size / (bw * 1e9))
    assert restart_time_s(fixed, size, bw) >= fixed
    assert transfer_time_s(2 * size, bw) == pytest.approx(2 * transfer_time_s(size, bw))


def test_bad_inputs_raise():
    for call in (
        lambda: checkpoint_bytes(-1),
        lambda: transfer_time_s(1.0, 0.0),
        lambda: checkpoint_cost(1e9, "blocking", 1, 1, 1, shards=0),
    ):
        with pytest.raises(ValueError):
            call()
    assert np.all(transfer_time_s(np.array([1e9, 2e9]), 1.0) == np.array([1.0, 2.0]))
