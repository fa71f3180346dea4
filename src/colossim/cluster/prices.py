"""One price per system, from the catalog: GPU systems at their catalog price range, and what a GPU of a
partition costs all-in (its systems' mid price per GPU plus its share of the cluster's network)."""

from __future__ import annotations

from collections.abc import Sequence

from colossim.catalog import Catalog
from colossim.cluster.inventory import Pool


def system_price_range(system_id: str, catalog: Catalog) -> tuple[float, float] | None:
    """(low, high) USD of one unit, or None when the catalog has no price for it."""
    price = catalog.systems[system_id].price
    return None if price is None else (price.usd_low, price.usd_high)


def servers_capex(pools: Sequence[Pool], catalog: Catalog) -> tuple[float, float]:
    """(low, high) USD of the GPU systems of `pools` (systems without a price count 0)."""
    low = high = 0.0
    for pool in pools:
        price = system_price_range(pool.system, catalog)
        if price is not None:
            low += pool.systems * price[0]
            high += pool.systems * price[1]
    return low, high


def capex_range_per_gpu(pools: Sequence[Pool], catalog: Catalog,
                        network_usd_per_gpu: tuple[float, float]) -> tuple[float, float] | None:
    """(low, high) USD per GPU of a partition: its systems' catalog price range per GPU, GPU-weighted, plus the
    network's low and high per GPU; None when one of its systems has no catalog price."""
    gpus = sum(p.gpus for p in pools)
    if gpus <= 0 or any(catalog.systems[p.system].price is None for p in pools):
        return None
    low, high = servers_capex(pools, catalog)
    return low / gpus + network_usd_per_gpu[0], high / gpus + network_usd_per_gpu[1]


def capex_per_gpu(pools: Sequence[Pool], catalog: Catalog, network_usd_per_gpu: float) -> tuple[float, str] | None:
    """USD per GPU of a partition (GPU-weighted mid price of its systems + the network per GPU) and a source
    line naming the prices; None when one of its systems has no catalog price."""
    gpus = sum(p.gpus for p in pools)
    if gpus <= 0:
        return None
    total, parts = 0.0, []
    for system in sorted({p.system for p in pools}):
        price = catalog.systems[system].price
        if price is None:
            return None
        n = sum(p.gpus for p in pools if p.system == system)
        per_gpu = price.usd_mid / catalog.systems[system].gpus
        total += per_gpu * n
        parts.append(f"{system} USD {price.usd_low / 1e3:,.0f}-{price.usd_high / 1e3:,.0f}k per "
                     f"{catalog.systems[system].gpus} GPUs")
    usd = total / gpus + network_usd_per_gpu
    source = (f"catalog prices (mid), GPU-weighted: {'; '.join(parts)}; + network USD {network_usd_per_gpu:,.0f} "
              "per GPU (the cluster's switches and optics, mid); estimates")
    return usd, source
