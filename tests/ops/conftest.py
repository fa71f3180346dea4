"""Shared helpers for the ops tests: small clusters and configs built from plain numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from colossim.ops import Delivery, OpsCluster, PoolSpec

SHARED_DATA = Path(__file__).parents[2] / ".." / "shared" / "data"


def pool(
    name: str = "p",
    nodes: int = 64,
    *,
    gpn: int = 8,
    domain: int = 8,
    pod: int = 16,
    gpu: str = "h100_sxm5",
    at_s: float = 0.0,
    burn_in_s: float = 0.0,
    rate: float | None = None,
    tdp_w: float | None = 700.0,
    deliveries: tuple[Delivery, ...] | None = None,
) -> PoolSpec:
    return PoolSpec(
        name,
        gpu,
        gpn,
        domain,
        pod,
        tdp_w,
        deliveries or (Delivery(at_s, nodes),),
        burn_in_s,
        failures_per_node_day=rate,
    )


def cluster(*pools: PoolSpec, pue: float | None = 1.25) -> OpsCluster:
    return OpsCluster("test", tuple(pools) or (pool(),), pue=pue)


@pytest.fixture
def make_pool():
    return pool


@pytest.fixture
def make_cluster():
    return cluster


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("shared/data is not available next to the repository")
    return SHARED_DATA
