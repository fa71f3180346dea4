"""Collective communication costs (alpha-beta), vectorised, on a two-level topology: NVLink domains
(HGX server of 8, NVL72 rack of 72) joined by a scale-out network with a NIC per GPU.

Bandwidths are per GPU, one direction, achievable (bus bandwidth in nccl-tests terms). A buffer of
S bytes on each of n ranks costs, per Thakur, Rabenseifner & Gropp (IJHPCA 2005) and nccl-tests
doc/PERFORMANCE.md: ring all-reduce 2(n-1)/n * S/B + 2(n-1)*alpha; reduce-scatter and all-gather
(n-1)/n * S/B + (n-1)*alpha; tree all-reduce 2 * S/B + 2*log2(n)*alpha; all-to-all (n-1)/n * S/B.
Groups that span domains run hierarchically: the part inside each domain over NVLink, the rest
across domains over the NICs of all k members in parallel (each carries 1/k of the data).
"""

from __future__ import annotations

import numpy as np


def members_per_domain(n, stride, domain):
    """Ranks of a group (n ranks, `stride` GPUs apart, domains of `domain` consecutive GPUs) in one domain."""
    return np.clip(np.floor(domain / stride), 1.0, n)


def ring_allreduce(nbytes, n, bw, lat):
    return 2.0 * (n - 1.0) / n * nbytes / bw + 2.0 * (n - 1.0) * lat


def tree_allreduce(nbytes, n, bw, lat):
    """NCCL double binary tree: full bandwidth term, logarithmic latency (better for many ranks)."""
    return np.where(n > 1.0, 2.0 * nbytes / bw + 2.0 * np.log2(np.maximum(n, 1.0)) * lat, 0.0)


def ring_gather(nbytes, n, bw, lat):
    """Ring reduce-scatter or all-gather of a buffer of `nbytes` (the full, unsharded size)."""
    return (n - 1.0) / n * nbytes / bw + (n - 1.0) * lat


def allreduce_time(nbytes, n, k, bw_in, bw_out, lat_in, lat_out):
    """All-reduce over n ranks with k per domain: reduce-scatter inside, all-reduce of 1/k across
    domains (ring or tree, whichever is faster), all-gather inside. k >= n is all-NVLink,
    k = 1 all-network."""
    domains = np.maximum(n / k, 1.0)
    across = np.minimum(
        ring_allreduce(nbytes / k, domains, bw_out, lat_out),
        tree_allreduce(nbytes / k, domains, bw_out, lat_out),
    )
    return np.where(n > 1.0, 2.0 * ring_gather(nbytes, k, bw_in, lat_in) + across, 0.0)


def gather_cost(n, k, bw_in, bw_out, lat_in, lat_out):
    """(seconds per byte, latency) of `gather_time`, which is linear in the buffer size: reuse both when
    the same group moves several buffers (gradients, then parameters)."""
    domains = np.maximum(n / k, 1.0)
    per_byte = (k - 1.0) / k / bw_in + (domains - 1.0) / domains / (k * bw_out)
    latency = (k - 1.0) * lat_in + (domains - 1.0) * lat_out
    return np.where(n > 1.0, per_byte, 0.0), np.where(n > 1.0, latency, 0.0)


def gather_time(nbytes, n, k, bw_in, bw_out, lat_in, lat_out):
    """Reduce-scatter (or all-gather) over n ranks with k per domain, hierarchical as above."""
    domains = np.maximum(n / k, 1.0)
    return np.where(
        n > 1.0,
        ring_gather(nbytes, k, bw_in, lat_in) + ring_gather(nbytes / k, domains, bw_out, lat_out),
        0.0,
    )


def all_to_all_time(nbytes, n, k, bw_in, bw_out, lat_in, lat_out):
    """Each rank spreads `nbytes` evenly over n ranks; (k-1)/n of it stays in the domain (NVLink), (n-k)/n
    crosses the network; both move at once, so the slower side sets the time."""
    inside = nbytes * (k - 1.0) / n / bw_in
    outside = nbytes * (n - k) / n / bw_out
    lat = lat_in + np.where(n > k, lat_out, 0.0)
    return np.where(n > 1.0, np.maximum(inside, outside) + lat, 0.0)


def dedup_all_to_all_time(token_bytes, tokens, top_k, n, k, bw_in, bw_out, lat_in, lat_out):
    """MoE dispatch that sends a token once per destination domain and fans it out inside over NVLink
    (DeepEP / HybridEP). With uniform routing a token's top_k experts on n ranks in n/k domains reach
    (n/k - 1) * (1 - (1 - k/n)^top_k) remote domains on average."""
    domains = np.maximum(n / k, 1.0)
    remote = (domains - 1.0) * (1.0 - (1.0 - 1.0 / domains) ** top_k)
    outside = tokens * token_bytes * remote / bw_out
    inside = tokens * token_bytes * (top_k * (k - 1.0) / n + remote) / bw_in
    lat = lat_in + np.where(n > k, lat_out, 0.0)
    return np.where(n > 1.0, np.maximum(inside, outside) + lat, 0.0)


def p2p_time(nbytes, bw, lat):
    return nbytes / bw + lat


def exposed(comm, window, fraction, enabled):
    """What stays on the critical path of `comm` overlapped with `window` seconds of compute: at best
    (1 - fraction) of it, and all of what the window cannot cover; all of it when overlap is off."""
    # max(comm * (1 - f), comm - window) == comm - min(f * comm, window)
    return comm - np.minimum(fraction * comm, window) * enabled


__all__ = [
    "all_to_all_time",
    "allreduce_time",
    "dedup_all_to_all_time",
    "exposed",
    "gather_time",
    "members_per_domain",
    "p2p_time",
    "ring_allreduce",
    "ring_gather",
    "tree_allreduce",
]
