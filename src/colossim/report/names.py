"""Human names for what the catalog knows by id: the report's figures say "H100 SXM5 80GB", never "h100_sxm5"."""

from __future__ import annotations

import re
from collections.abc import Iterable

from colossim.catalog import Catalog

_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)\s*$")


def gpu_name(catalog: Catalog, gpu_id: str) -> str:
    """The catalog's name of a GPU type without its trailing note ('B200 GPU in a GB200 NVL72 rack')."""
    if gpu_id not in catalog.gpus:
        return gpu_id
    return _TRAILING_NOTE.sub("", catalog.gpus[gpu_id].name) or catalog.gpus[gpu_id].name


def gpu_short_name(catalog: Catalog, gpu_id: str) -> str:
    """The short name a sentence uses: the catalog's shortest alias in capitals ('GB200', 'H100')."""
    from colossim.cluster.partitions import short_name

    return short_name(catalog.gpus[gpu_id]).upper() if gpu_id in catalog.gpus else gpu_id


def system_name(catalog: Catalog, system_id: str) -> str:
    """The catalog's name of a system ('Dell PowerEdge XE9712 (GB200 NVL72, IR7000 rack)')."""
    return catalog.systems[system_id].name if system_id in catalog.systems else system_id


def gpus_name(catalog: Catalog, gpu_ids: Iterable[str]) -> str:
    """Several GPU types together (a partition): 'H100 SXM5 80GB + H200 SXM 141GB'."""
    return " + ".join(gpu_name(catalog, g) for g in gpu_ids)


__all__ = ["gpu_name", "gpu_short_name", "gpus_name", "system_name"]
