"""Where a gang job goes: which pool, and which pods inside it.

A pool's free nodes are counted per pod (a pod is the network block a job should stay inside: crossing
pods costs bandwidth). Each placement is a config class with `kind` plus a `place(free, n)` function
returning [[pod, nodes], ...], and a pool-choice rule over the pools where the job fits now.

- `topology`: fewest pods first. One pod if any has room (best fit: the fullest pod that still fits);
  otherwise the largest free pods, with the remainder put in the tightest pod that holds it.
  Among pools, the one needing fewest pods, then the one with the fewest free nodes (best fit).
- `first_fit`: pods in index order, pools in list order (topology-blind baseline).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def topology_place(free: list[int], n: int) -> list[list[int]] | None:
    """Fewest pods for n nodes from per-pod free counts (greedy largest-first is optimal for the count)."""
    if n <= 0:
        return []
    if max(free, default=0) >= n:
        best_free = min([f for f in free if f >= n])  # best fit: the fullest pod that still fits
        return [[free.index(best_free), n]]
    order = sorted(range(len(free)), key=free.__getitem__, reverse=True)
    alloc: list[list[int]] = []
    rem = n
    for i, k in enumerate(order):
        f = free[k]
        if f <= 0:
            return None
        if f >= rem:
            # the remainder fits here: use the tightest remaining pod that holds it
            best, best_free = k, f
            for k2 in order[i + 1 :]:
                f2 = free[k2]
                if f2 < rem:
                    break
                best, best_free = k2, f2
            alloc.append([best, rem])
            return alloc
        alloc.append([k, f])
        rem -= f
    return None


def first_fit_place(free: list[int], n: int) -> list[list[int]] | None:
    if n <= 0:
        return []
    alloc: list[list[int]] = []
    rem = n
    for k, f in enumerate(free):
        if f > 0:
            c = f if f < rem else rem
            alloc.append([k, c])
            rem -= c
            if rem == 0:
                return alloc
    return None


class TopologyPlacement(_Strict):
    """Keep each job inside as few pods as possible (then best fit)."""

    kind: Literal["topology"] = "topology"

    def choose(self, options: list[tuple[int, list[int], int, int]]) -> tuple[int, list[list[int]]] | None:
        """options: (pool index, per-pod free list, free nodes in pool, nodes needed there)."""
        if len(options) == 1:
            p, free, _n_free, need = options[0]
            alloc = topology_place(free, need)
            return None if alloc is None else (p, alloc)
        # pools where one pod holds the job score (1, free nodes): take the fullest such pool
        single = [
            (n_free, i) for i, (_p, free, n_free, need) in enumerate(options) if max(free, default=0) >= need
        ]
        if single:
            p, free, _n_free, need = options[min(single)[1]]
            return p, topology_place(free, need)
        best = None
        best_score = None
        for p, free, n_free, need in options:
            alloc = topology_place(free, need)
            if alloc is None:
                continue
            score = (len(alloc), n_free)
            if best_score is None or score < best_score:
                best, best_score = (p, alloc), score
        return best


class FirstFitPlacement(_Strict):
    """Topology-blind baseline: first pool in list order, pods in index order."""

    kind: Literal["first_fit"] = "first_fit"

    def choose(self, options: list[tuple[int, list[int], int, int]]) -> tuple[int, list[list[int]]] | None:
        for p, free, _n_free, need in options:
            alloc = first_fit_place(free, need)
            if alloc is not None:
                return p, alloc
        return None


PlacementConfig = Annotated[TopologyPlacement | FirstFitPlacement, Field(discriminator="kind")]
