"""The hardware catalog: GPUs, systems, network parts and sites, as sourced data."""

from colossim.catalog.load import Catalog, build_catalog, load_catalog, load_catalog_with
from colossim.catalog.schema import PRECISIONS, Gpu, Nic, Optic, Precision, Site, Switch, System

__all__ = [
    "Catalog", "Gpu", "Nic", "Optic", "PRECISIONS", "Precision", "Site", "Switch", "System",
    "build_catalog", "load_catalog", "load_catalog_with",
]
