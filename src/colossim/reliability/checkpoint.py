"""Checkpoint size, write/read time, blocking time (blocking vs asynchronous) and restart time.

Sizes are bytes (GB = 1e9 bytes, GiB = 2**30), bandwidths GB/s, times seconds.
- size = parameters x bytes per parameter (mixed-precision Adam: 2 + 4 + 4 + 4 = 14 bytes,
  ZeRO, Rajbhandari et al. SC20; presets.yaml `checkpoint_states`).
- blocking save: the job waits until the state is on storage: size / aggregate storage write bandwidth.
- asynchronous (in-memory first, e.g. MegaScale, PyTorch DCP async, Gemini): the job only waits for
  the device-to-host copy of each GPU's shard: (size / shards) / host-link bandwidth; the persist to
  storage runs in the background, so checkpoints cannot come more often than the persist time.
- in-memory (Gemini; GEMINI, SOSP'23): host-memory copies replicated on peer hosts are the recovery
  point; the job waits for the device-to-host copy, nothing limits the interval, and a restart copies
  the shards back from host memory (a persist to storage at a slower cadence is not modelled).
- restart = fixed recovery time (detect, reschedule, initialise) + checkpoint read time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from colossim.reliability.presets import (
    CheckpointStateName,
    HostLinkName,
    RestartPresetName,
    StoragePresetName,
    load_presets,
)

CheckpointMode = Literal["blocking", "async", "in_memory"]
GB = 1e9


def bytes_per_param(state: CheckpointStateName) -> float:
    """Bytes per parameter saved for a state format (sourced in presets.yaml)."""
    return load_presets().checkpoint_states[state].bytes_per_param


def checkpoint_bytes(params: float, state: CheckpointStateName | float = "adam_mixed_bf16") -> float:
    """size = parameters x bytes/param (ZeRO, Rajbhandari et al. SC20: weights + 12 B of Adam state)."""
    if params <= 0:
        raise ValueError("params must be > 0")
    per_param = float(state) if isinstance(state, int | float) else bytes_per_param(state)
    if per_param <= 0:
        raise ValueError("bytes per parameter must be > 0")
    return params * per_param


def transfer_time_s(size_bytes, gb_s):
    """time = bytes / bandwidth (bandwidth in GB/s = 1e9 B/s)."""
    gb_s = np.asarray(gb_s, dtype=float)
    if np.any(gb_s <= 0):
        raise ValueError("bandwidth must be > 0")
    return np.asarray(size_bytes, dtype=float) / (gb_s * GB)


def restart_time_s(fixed_s: float, size_bytes: float, read_gb_s: float) -> float:
    """restart = recovery fixed time + checkpoint read time (reliability.md sec. 4.3)."""
    return float(fixed_s + transfer_time_s(size_bytes, read_gb_s))


@dataclass(frozen=True)
class CheckpointCost:
    """What one checkpoint costs: the time the job is stopped (blocking_s), the persist that runs in the
    background off the critical path (background_s, async mode only) and the restart time after a
    failure (restart_s, including reading the checkpoint back)."""

    mode: CheckpointMode
    size_bytes: float
    blocking_s: float
    background_s: float
    restart_s: float

    @property
    def size_gb(self) -> float:
        return self.size_bytes / GB

    @property
    def min_interval_s(self) -> float:
        """The next snapshot waits for the previous background persist to finish."""
        return self.background_s

    def effective_blocking_s(self, interval_s):
        """Blocking time per checkpoint at a given interval: async saves stall for the unfinished
        persist when the interval is shorter than the persist time."""
        return self.blocking_s + np.maximum(0.0, self.background_s - np.asarray(interval_s, dtype=float))


@dataclass(frozen=True)
class _Link:
    """Bandwidths one checkpoint mode uses."""

    size_bytes: float
    shards: int
    storage_write_gb_s: float
    storage_read_gb_s: float
    host_link_gb_s: float | None

    def storage_write_s(self) -> float:
        return float(transfer_time_s(self.size_bytes, self.storage_write_gb_s))

    def storage_read_s(self) -> float:
        return float(transfer_time_s(self.size_bytes, self.storage_read_gb_s))

    def host_copy_s(self) -> float:
        if self.host_link_gb_s is None:
            raise ValueError("async and in-memory checkpoints need host_link_gb_s (device-to-host bandwidth)")
        return float(transfer_time_s(self.size_bytes / self.shards, self.host_link_gb_s))


# mode -> (blocking time, background persist time off the critical path, read time at restart)
_MODES = {
    # the job waits for the write to storage; restarts read from storage
    "blocking": (_Link.storage_write_s, lambda link: 0.0, _Link.storage_read_s),
    # the job waits for the device-to-host copy; the persist runs in the background; restarts read storage
    "async": (_Link.host_copy_s, _Link.storage_write_s, _Link.storage_read_s),
    # host-memory copies replicated on peers are the recovery point (Gemini, GEMINI SOSP'23, DeadPool):
    # the job waits for the device-to-host copy, restarts copy each shard back from host memory
    "in_memory": (_Link.host_copy_s, lambda link: 0.0, _Link.host_copy_s),
}


def checkpoint_cost(
    size_bytes: float,
    mode: CheckpointMode,
    storage_write_gb_s: float,
    storage_read_gb_s: float,
    restart_fixed_s: float,
    shards: int = 1,
    host_link_gb_s: float | None = None,
) -> CheckpointCost:
    """Blocking, persist and restart times for one checkpoint.

    shards: GPUs the state is split over (all GPUs with ZeRO/FSDP sharding; tp x pp otherwise), so each
    GPU copies size/shards to or from host memory in the async and in-memory modes.
    """
    if size_bytes <= 0 or shards < 1 or restart_fixed_s < 0:
        raise ValueError("need size_bytes > 0, shards >= 1 and restart_fixed_s >= 0")
    blocking, persist, read = _MODES[mode]
    link = _Link(float(size_bytes), shards, storage_write_gb_s, storage_read_gb_s, host_link_gb_s)
    return CheckpointCost(
        mode=mode,
        size_bytes=float(size_bytes),
        blocking_s=blocking(link),
        background_s=persist(link),
        restart_s=restart_fixed_s + read(link),
    )


def checkpoint_cost_from_presets(
    params: float,
    mode: CheckpointMode,
    storage: StoragePresetName,
    restart: RestartPresetName,
    state: CheckpointStateName = "adam_mixed_bf16",
    shards: int = 1,
    host_link: HostLinkName = "pcie_gen5_x16",
) -> CheckpointCost:
    presets = load_presets()
    s = presets.storage[storage]
    return checkpoint_cost(
        checkpoint_bytes(params, state),
        mode,
        s.write_gb_s,
        s.read_gb_s,
        presets.restart_times[restart].seconds,
        shards,
        presets.host_links[host_link].gb_s,
    )
