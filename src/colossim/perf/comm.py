"""Collective communication times, vectorised, on a two-level topology: NVLink domains (HGX server of 8,
NVL72 rack of 72) joined by a scale-out fabric with a NIC per GPU.

Each collective runs with the fastest of NCCL's protocols (collectives.yaml, from NCCL's own tuning model):
  t = base latency + steps x per-step latency + bytes on the wire / (bus bandwidth x protocol fraction),
so achieved bus bandwidth rises with the message size along the measured nccl-tests curves (LL for small
messages, LL128 in between, Simple for large ones). Bytes on the wire per rank follow Thakur, Rabenseifner
& Gropp (IJHPCA 2005) and nccl-tests doc/PERFORMANCE.md: ring all-reduce 2(n-1)/n of the buffer,
reduce-scatter and all-gather (n-1)/n, all-to-all (n-1)/n; ring steps n-1 (2(n-1) for all-reduce), tree
all-reduce 2 log2 n. Groups that span domains run hierarchically: the part inside each domain over NVLink,
the rest across domains over the NICs of all k members in parallel (each carries 1/k of the data).
NVLink SHARP (NVLS) and in-network reduction (InfiniBand SHARP) raise all-reduce bandwidth where present.

`links` arguments are anything with the fields of `Links` (a HardwareArrays has them).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from colossim.inputs import parse_yaml_text, validate

COLLECTIVES_FILE = "colossim/perf/collectives.yaml"


class Links(NamedTuple):
    """What the collective model needs of a machine (floats or arrays, one per row)."""

    nvlink_bw: np.ndarray | float  # bytes/s per GPU, one direction, ring bus bandwidth at large messages
    nvls_gain: np.ndarray | float  # all-reduce bandwidth factor inside a domain (NVLink SHARP; 1 = none)
    net_bw: np.ndarray | float  # bytes/s per GPU over the scale-out fabric (efficiency, oversubscription)
    net_lat_scale: np.ndarray | float  # network per-step latency / NCCL's (fabric kind)
    sharp_gain: np.ndarray | float  # all-reduce bandwidth factor across domains (in-network reduction)


# ------------------------------------------------------------------ constants (collectives.yaml)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProtocolSpec(_Strict):
    bandwidth_fraction: float = Field(gt=0, le=1)
    base_us: float = Field(ge=0)
    nvlink_step_us: float = Field(ge=0)
    network_step_us: float = Field(ge=0)


class AlgorithmSpec(_Strict):
    ll: ProtocolSpec
    ll128: ProtocolSpec
    simple: ProtocolSpec


class NcclSpec(_Strict):
    source: str = Field(min_length=3)
    ring: AlgorithmSpec
    tree: AlgorithmSpec


class ScaleUpSpec(_Strict):
    ring_busbw_fraction: float = Field(gt=0, le=1)
    nvls_allreduce_gain: float = Field(ge=1)
    estimate: bool = False
    source: str = Field(min_length=3)


class ScaleOutSpec(_Strict):
    efficiency: float = Field(gt=0, le=1)
    latency_scale: float = Field(gt=0)
    sharp_allreduce_gain: float = Field(ge=1)
    estimate: bool = False
    source: str = Field(min_length=3)


class CollectiveConstants(_Strict):
    nccl: NcclSpec
    scale_up: dict[str, ScaleUpSpec]
    scale_out: dict[str, ScaleOutSpec]


@lru_cache(maxsize=1)
def load_collectives() -> CollectiveConstants:
    """The shipped collective constants (parsed once, on first use)."""
    text = (resources.files("colossim.perf") / "collectives.yaml").read_text(encoding="utf-8")
    return validate(parse_yaml_text(text, COLLECTIVES_FILE), CollectiveConstants, COLLECTIVES_FILE)


@dataclass(frozen=True)
class _Proto:
    frac: float
    base: float  # s
    step_nv: float  # s
    step_net: float  # s


@lru_cache(maxsize=1)
def _protocols() -> tuple[tuple[_Proto, ...], tuple[_Proto, ...]]:
    n = load_collectives().nccl

    def conv(a: AlgorithmSpec) -> tuple[_Proto, ...]:
        return tuple(_Proto(p.bandwidth_fraction, p.base_us * 1e-6, p.nvlink_step_us * 1e-6,
                            p.network_step_us * 1e-6) for p in (a.ll, a.ll128, a.simple))

    return conv(n.ring), conv(n.tree)


def _fastest(wire, steps, bw, network: bool, lat_scale=1.0, tree: bool = False):
    """Fastest protocol's time to move `wire` bytes per rank in `steps` steps at bus bandwidth `bw`."""
    ring, trees = _protocols()
    best = None
    for p in trees if tree else ring:
        step = p.step_net * lat_scale if network else p.step_nv
        t = p.base + steps * step + wire / (bw * p.frac)
        best = t if best is None else np.minimum(best, t)
    return best


# ------------------------------------------------------------------ one level (all NVLink or all network)


def ring_gather(nbytes, n, bw, network: bool = False, lat_scale=1.0):
    """Ring reduce-scatter or all-gather of a buffer of `nbytes` (the full, unsharded size) over n ranks."""
    return np.where(n > 1.0, _fastest((n - 1.0) / n * nbytes, n - 1.0, bw, network, lat_scale), 0.0)


def ring_allreduce(nbytes, n, bw, network: bool = False, lat_scale=1.0):
    return np.where(n > 1.0, _fastest(2.0 * (n - 1.0) / n * nbytes, 2.0 * (n - 1.0), bw, network, lat_scale), 0.0)


def tree_allreduce(nbytes, n, bw, network: bool = False, lat_scale=1.0):
    """NCCL double binary tree: the ring's bandwidth term, logarithmic steps (better for many ranks)."""
    steps = 2.0 * np.log2(np.maximum(n, 1.0))
    return np.where(n > 1.0, _fastest(2.0 * (n - 1.0) / n * nbytes, steps, bw, network, lat_scale, tree=True), 0.0)


# ------------------------------------------------------------------ hierarchical collectives


def members_per_domain(n, stride, domain):
    """Ranks of a group (n ranks, `stride` GPUs apart, domains of `domain` consecutive GPUs) in one domain."""
    return np.clip(np.floor(domain / stride), 1.0, n)


def allreduce_time(nbytes, n, k, links):
    """All-reduce over n ranks with k per domain. Inside one domain (k >= n): a ring at the NVLink bus
    bandwidth times the NVLS gain. Across domains: reduce-scatter inside, all-reduce of 1/k across the
    domains (ring or tree, whichever is faster; SHARP gain where the fabric reduces), all-gather inside."""
    if not np.any(n > 1.0):  # groups of one GPU (expert tensor parallelism off): nothing to reduce
        link_shapes = (np.shape(getattr(links, f)) for f in Links._fields)
        return np.zeros(np.broadcast_shapes(np.shape(nbytes), np.shape(n), np.shape(k), *link_shapes))
    nv = links.nvlink_bw * links.nvls_gain
    inside = ring_allreduce(nbytes, n, nv)
    domains = np.maximum(n / k, 1.0)
    net = links.net_bw * links.sharp_gain
    across = np.minimum(ring_allreduce(nbytes / k, domains, net, True, links.net_lat_scale),
                        tree_allreduce(nbytes / k, domains, net, True, links.net_lat_scale))
    spanning = 2.0 * ring_gather(nbytes, k, links.nvlink_bw) + across
    return np.where(n > 1.0, np.where(k >= n, inside, spanning), 0.0)


def gather_time(nbytes, n, k, links):
    """Reduce-scatter (or all-gather) of a buffer of `nbytes` over n ranks with k per domain: a ring inside
    each domain, then a ring of 1/k of the buffer across the domains."""
    domains = np.maximum(n / k, 1.0)
    inside = ring_gather(nbytes, np.minimum(k, n), links.nvlink_bw)
    across = ring_gather(nbytes / k, domains, links.net_bw, True, links.net_lat_scale)
    return np.where(n > 1.0, inside + np.where(k >= n, 0.0, across), 0.0)


def gather_cost(n, k, links):
    """(seconds per byte, latency) of a hierarchical reduce-scatter or all-gather on NCCL's Simple protocol,
    the one large buffers take: linear in the buffer size, so a group moving several buffers (gradients,
    weights, per-layer shares) computes it once. Data-parallel buckets are tens of MB and more (Megatron's
    40M-parameter buckets, FSDP's per-layer units), where Simple is the fastest protocol."""
    ring, _ = _protocols()
    simple = ring[2]
    k = np.minimum(k, n)
    domains = np.maximum(n / k, 1.0)
    per_byte = (k - 1.0) / k / links.nvlink_bw + np.where(k >= n, 0.0, (domains - 1.0) / domains / (k * links.net_bw))
    latency = (np.where(k > 1.0, simple.base + (k - 1.0) * simple.step_nv, 0.0)
               + np.where(domains > 1.0, simple.base + (domains - 1.0) * simple.step_net * links.net_lat_scale, 0.0))
    return np.where(n > 1.0, per_byte, 0.0), np.where(n > 1.0, latency, 0.0)


def _a2a_latency(n, k, links):
    ring, _ = _protocols()
    simple = ring[2]
    return simple.base + simple.step_nv + np.where(n > k, simple.step_net * links.net_lat_scale, 0.0)


def all_to_all_time(nbytes, n, k, links):
    """Each rank spreads `nbytes` evenly over n ranks; (k-1)/n of it stays in the domain (NVLink), (n-k)/n
    crosses the network; both move at once, so the slower side sets the time (NCCL grouped send/receive)."""
    inside = nbytes * (k - 1.0) / n / links.nvlink_bw
    outside = nbytes * (n - k) / n / links.net_bw
    return np.where(n > 1.0, np.maximum(inside, outside) + _a2a_latency(n, k, links), 0.0)


def domains_reached(n, k, top_k, groups=1.0, group_topk=1.0):
    """Mean NVLink domains (of an EP group of n ranks, k per domain) that one token's top_k experts lie in.
    Group-limited routing (DeepSeek-V3 node-limited routing; Megatron-Core moe_router_num_groups /
    moe_router_group_topk) takes the experts from the group_topk best of `groups` groups of consecutive
    experts, ranked by their top affinities, so each chosen group receives ~top_k / group_topk of them. A
    domain holds r = groups x k / n groups: with r >= 1 the chosen groups fall in
    n/k x (1 - (1 - group_topk/groups)^r) domains (group_topk when r = 1: DeepSeek-V3's 'at most 4 nodes');
    with r < 1 a group spans 1/r domains and its top_k/group_topk experts hit 1/r x (1 - (1 - r)^(top_k /
    group_topk)) of them. No group limit (groups = group_topk = 1) is the r < 1 case: uniform routing over
    n/k domains, n/k x (1 - (1 - k/n)^top_k)."""
    domains = np.maximum(n / k, 1.0)
    if np.all(group_topk >= groups):  # no group limit: uniform routing over the domains
        return domains * (1.0 - (1.0 - 1.0 / domains) ** top_k)
    r = groups * np.minimum(k, n) / np.maximum(n, 1.0)
    whole = r >= 1.0
    if np.all(whole):  # one or more groups per domain (every layout of a grouped model on NVL72 or HGX EP64)
        return np.clip(domains * (1.0 - (1.0 - np.clip(group_topk / groups, 0.0, 1.0)) ** r), 1.0, domains)
    r_split = np.minimum(r, 1.0)
    split = group_topk / r_split * (1.0 - (1.0 - r_split) ** (top_k / group_topk))
    if np.any(whole):
        split = np.where(whole, domains * (1.0 - (1.0 - np.clip(group_topk / groups, 0.0, 1.0)) ** r), split)
    return np.clip(split, 1.0, domains)


def dedup_all_to_all_time(token_bytes, tokens, top_k, n, k, links, groups=1.0, group_topk=1.0):
    """MoE dispatch that sends a token once per destination domain and fans it out inside over NVLink
    (DeepEP / HybridEP). A token reaches domains_reached(...) domains, of which the share (n/k - 1) / (n/k)
    is remote (its own domain is one of n/k alike)."""
    domains = np.maximum(n / k, 1.0)
    if np.all(domains <= 1.0):  # the whole EP group in one NVLink domain (NVL72): nothing crosses the network
        remote = 0.0
    else:
        remote = domains_reached(n, k, top_k, groups, group_topk) * (domains - 1.0) / domains
    outside = tokens * token_bytes * remote / links.net_bw
    inside = tokens * token_bytes * (top_k * (k - 1.0) / n + remote) / links.nvlink_bw
    return np.where(n > 1.0, np.maximum(inside, outside) + _a2a_latency(n, k, links), 0.0)


def p2p_time(nbytes, in_domain, links):
    """One send/receive between neighbouring ranks (pipeline or ring-attention exchange)."""
    ring, _ = _protocols()
    simple = ring[2]
    bw = np.where(in_domain, links.nvlink_bw, links.net_bw)
    lat = simple.base + np.where(in_domain, simple.step_nv, simple.step_net * links.net_lat_scale)
    return nbytes / bw + lat


def exposed(comm, window, fraction, enabled, contention=0.0):
    """What `comm` seconds of communication overlapped with `window` seconds of compute add to the critical
    path: the part the window cannot hide (at least 1 - fraction of it), plus, for the hidden part, the
    compute it slows down by taking `contention` of the GPU (NCCL and userbuffer kernels occupy SMs and
    HBM bandwidth while they run). All of it when overlap is off."""
    hidden = np.minimum(fraction * comm, window) * enabled
    return comm - hidden * (1.0 - contention)


__all__ = [
    "CollectiveConstants",
    "Links",
    "all_to_all_time",
    "allreduce_time",
    "dedup_all_to_all_time",
    "domains_reached",
    "exposed",
    "gather_cost",
    "gather_time",
    "load_collectives",
    "members_per_domain",
    "p2p_time",
    "ring_allreduce",
    "ring_gather",
    "tree_allreduce",
]
