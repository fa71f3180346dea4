"""The hardware catalog: GPUs, systems, network parts, sites and their plant (turbines, batteries, cooling),
as sourced data."""

from colossim.catalog.load import Catalog, build_catalog, load_catalog, load_catalog_with
from colossim.catalog.plant import Battery, CoolingDesign, Turbine
from colossim.catalog.schema import PRECISIONS, Gpu, Nic, Optic, Precision, Site, Switch, System

__all__ = [
    "Battery", "Catalog", "CoolingDesign", "Gpu", "Nic", "Optic", "PRECISIONS", "Precision", "Site", "Switch",
    "System", "Turbine",
    "build_catalog", "load_catalog", "load_catalog_with",
]
