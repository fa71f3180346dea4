"""Hot spares: how many spare nodes keep a job at full size while failed nodes are repaired.

Failures that need a repair arrive as a Poisson process of rate N r_repair (N nodes in the job); each
node stays out for a repair time with mean T_repair and any distribution. Nodes under repair then form
an M/G/infinity queue whose occupancy at a random time is Poisson with mean a = N r_repair T_repair,
whatever the repair-time distribution (insensitivity of M/G/inf; Takacs 1962, Palm's theorem).
Spares s are enough when P(D > s) < eps. Hot spares are assumed to fail only while in use, so the
arrival rate counts the N nodes of the job.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def poisson_tail(mean: float, k):
    """P(D > k) for D ~ Poisson(mean), summed from the pmf (no cancellation) in log space."""
    if mean < 0:
        raise ValueError("mean must be >= 0")
    k = np.asarray(k, dtype=np.int64)
    if mean == 0:
        return np.zeros(k.shape)
    top = int(mean + 40.0 * math.sqrt(mean) + 60.0 + max(0, int(k.max(initial=0))))
    j = np.arange(top + 1)
    logp = -mean + j * math.log(mean) - np.concatenate(([0.0], np.cumsum(np.log(j[1:]))))
    pmf = np.exp(logp)
    tail = np.cumsum(pmf[::-1])[::-1]  # tail[j] = P(D >= j)
    return np.where(k + 1 <= top, tail[np.minimum(k + 1, top)], 0.0)


def nodes_under_repair_mean(
    nodes: float, repair_failures_per_node_hour: float, mean_repair_h: float
) -> float:
    """a = N r_repair T_repair (M/G/inf occupancy mean)."""
    if nodes < 0 or repair_failures_per_node_hour < 0 or mean_repair_h < 0:
        raise ValueError("nodes, rate and repair time must be >= 0")
    return nodes * repair_failures_per_node_hour * mean_repair_h


@dataclass(frozen=True)
class SparesPlan:
    nodes: float
    spares: int
    mean_nodes_down: float
    p_short: float  # P(nodes under repair > spares) at a random time
    eps: float

    @property
    def overprovision_fraction(self) -> float:
        return self.spares / self.nodes if self.nodes else 0.0

    def to_dict(self) -> dict[str, float]:
        return {
            "nodes": self.nodes,
            "spares": self.spares,
            "overprovision_fraction": self.overprovision_fraction,
            "mean_nodes_down": self.mean_nodes_down,
            "p_short": self.p_short,
            "eps": self.eps,
        }


def spares_needed(
    nodes: float, repair_failures_per_node_hour: float, mean_repair_h: float, eps: float = 1e-3
) -> SparesPlan:
    """Smallest s with P(Poisson(N r_repair T_repair) > s) < eps."""
    if not 0 < eps < 1:
        raise ValueError("eps must be in (0, 1)")
    a = nodes_under_repair_mean(nodes, repair_failures_per_node_hour, mean_repair_h)
    top = int(a + 40.0 * math.sqrt(a) + 60.0)
    tails = poisson_tail(a, np.arange(top + 1))
    s = int(np.argmax(tails < eps))
    return SparesPlan(nodes=nodes, spares=s, mean_nodes_down=a, p_short=float(tails[s]), eps=eps)


def sample_repair_hours(
    rng: np.random.Generator, size: int, mean_h: float, erlang_shape: int = 1
) -> np.ndarray:
    """Repair times ~ Erlang(k, mean) (k = 1 exponential; large k nearly fixed)."""
    if mean_h <= 0 or erlang_shape < 1:
        raise ValueError("need mean_h > 0 and erlang_shape >= 1")
    return rng.gamma(shape=erlang_shape, scale=mean_h / erlang_shape, size=size)


def simulate_nodes_down(
    rng: np.random.Generator,
    nodes: float,
    repair_failures_per_node_hour: float,
    mean_repair_h: float,
    horizon_h: float,
    probe_times_h: np.ndarray,
    erlang_shape: int = 1,
) -> np.ndarray:
    """Nodes under repair at each probe time: Poisson failure arrivals on [0, horizon], Erlang repairs.

    Vectorised: arrivals are sorted uniforms; a node is down at t if arrival <= t < arrival + repair.
    """
    lam = nodes * repair_failures_per_node_hour
    n = rng.poisson(lam * horizon_h)
    arrivals = np.sort(rng.uniform(0.0, horizon_h, n))
    ends = np.sort(arrivals + sample_repair_hours(rng, n, mean_repair_h, erlang_shape))
    probe = np.asarray(probe_times_h, dtype=float)
    return np.searchsorted(arrivals, probe, side="right") - np.searchsorted(ends, probe, side="right")
