"""Collectives of one serving iteration, on the training model's collective functions (colossim.perf.comm).

Serving moves small messages (a few hundred tokens x hidden), where latency dominates: runtimes then use a
one-shot all-reduce inside the NVLink domain (every GPU reads its n-1 peers' buffers and reduces locally,
one synchronisation: TensorRT-LLM custom all-reduce, vLLM custom_all_reduce), and NCCL's ring/tree for large
ones. The time is the faster of the two; groups that leave the NVLink domain use NCCL only.
"""

from __future__ import annotations

import numpy as np

from colossim.perf.comm import (
    all_to_all_time,
    allreduce_time,
    load_collectives,
    members_per_domain,
    p2p_time,
    ring_allreduce,
)
from colossim.perf.hardware import HardwareArrays


def _latency(in_domain, hw: HardwareArrays):
    """One small message's latency: NCCL's LL base plus one step, on NVLink or the network (collectives.yaml)."""
    ll = load_collectives().nccl.ring.ll
    return 1e-6 * (ll.base_us + np.where(in_domain, ll.nvlink_step_us, ll.network_step_us * hw.net_lat_scale))


def oneshot_allreduce_time(nbytes, n, bw, lat):
    """One-shot all-reduce of `nbytes` over n GPUs of one NVLink domain: (n-1) x nbytes in over NVLink + latency."""
    return np.where(n > 1.0, (n - 1.0) * nbytes / bw + lat, 0.0)


def nccl_allreduce_time(nbytes, n, k, hw: HardwareArrays):
    """perf.comm.allreduce_time, with its multi-domain terms evaluated only for the groups that leave the NVLink
    domain (none in a valid serving layout: tensor parallelism stays inside it); a group inside one domain
    takes allreduce_time's one-domain branch, the ring at NVLink bandwidth times the NVLS gain."""
    one_domain = k >= n
    inside = ring_allreduce(nbytes, n, hw.nvlink_bw * hw.nvls_gain)
    if np.all(one_domain):
        return inside
    if np.ndim(n) != 1:
        return allreduce_time(nbytes, n, k, hw)
    span = np.flatnonzero(~one_domain)
    links = _rows(hw, span, n.shape[0])
    out = np.array(np.broadcast_to(inside, np.broadcast_shapes(np.shape(inside), n.shape)))
    nbytes = np.broadcast_to(nbytes, out.shape)
    out[..., span] = allreduce_time(nbytes[..., span], n[span], k[span], links)
    return out


def _tp_allreduce_time(nbytes, n, hw: HardwareArrays, oneshot_lat):
    k = members_per_domain(n, 1.0, hw.nvlink_domain)
    nccl = nccl_allreduce_time(nbytes, n, k, hw)
    inside = n <= hw.nvlink_domain
    oneshot = oneshot_allreduce_time(nbytes, n, hw.nvlink_bw, oneshot_lat)
    if np.all(inside):
        return np.minimum(nccl, oneshot)
    return np.where(inside, np.minimum(nccl, oneshot), nccl)


def tp_allreduce_time(nbytes, n, hw: HardwareArrays, oneshot_lat, groups=None):
    """All-reduce of `nbytes` over the n GPUs of a tensor-parallel group: the faster of NCCL and the one-shot
    kernel inside the NVLink domain, NCCL beyond it. `groups` (serve.step.row_groups of n, optional) evaluates
    each group size once for all its rows, so what depends only on the size is computed per size, not per row;
    a group of one GPU takes no time."""
    if groups is None or np.ndim(n) != 1:
        return _tp_allreduce_time(nbytes, n, hw, oneshot_lat)
    rows = n.shape[0]
    out = np.zeros(np.broadcast_shapes(np.shape(nbytes), n.shape))
    nbytes = np.broadcast_to(nbytes, out.shape)
    for size, idx in groups:
        if size > 1.0:
            out[..., idx] = _tp_allreduce_time(nbytes[..., idx], size, _rows(hw, idx, rows), oneshot_lat)
    return out


def _rows(hw: HardwareArrays, idx, rows: int) -> HardwareArrays:
    """The hardware of rows `idx` (fields that are one value per row; scalars as they are)."""
    if all(isinstance(v, float) for v in hw):  # one GPU type for all rows (HardwareArrays of floats)
        return hw
    return type(hw)(*(v[idx] if np.ndim(v) == 1 and np.shape(v)[0] == rows else v for v in hw))


def expert_all_to_all_time(nbytes, n, hw: HardwareArrays):
    """MoE dispatch (or combine) of `nbytes` per GPU spread over n expert-parallel GPUs."""
    k = members_per_domain(n, 1.0, hw.nvlink_domain)
    return all_to_all_time(nbytes, n, k, hw)


def stage_send_time(nbytes, gpus_in_replica, hw: HardwareArrays):
    """Activations from one pipeline stage to the next: NVLink when the replica sits in one domain."""
    inside = gpus_in_replica <= hw.nvlink_domain
    return p2p_time(nbytes, inside, hw)


def kv_transfer_time(nbytes, gpus, same_domain, hw: HardwareArrays):
    """A request's KV cache from its prefill replica to its decode replica, over each of the replica's `gpus`
    links in parallel: NVLink when both replicas share an NVLink domain (an NVL72 rack), else the NICs."""
    bw = np.where(same_domain, hw.nvlink_bw, hw.net_bw) * gpus
    return nbytes / bw + _latency(same_domain, hw)


__all__ = ["expert_all_to_all_time", "kv_transfer_time", "nccl_allreduce_time", "oneshot_allreduce_time",
           "stage_send_time", "tp_allreduce_time"]
