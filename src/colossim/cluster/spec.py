"""The cluster description: a site, a scale-out fabric, storage, and phases that add or retire systems.

Counts are in system units (8-GPU servers or NVL72 racks) as listed in the catalog. A phase lists what
it ADDS on its start date; later phases build on earlier ones. Numbers carry units in their names.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from colossim.catalog.schema import Transport
from colossim.cluster import defaults
from colossim.cluster.spec_base import Fraction, IsoDate, Strict
from colossim.cluster.supply_spec import SupplyTimeline

SiteUse = Literal["training", "inference_lease"]
VariantKind = Literal["claimed", "observed"]


class SystemCount(Strict):
    """`count` units of one catalog system (8-GPU servers or NVL72 racks)."""

    system: str = Field(min_length=1, description="catalog system id")
    count: int = Field(ge=0, le=100_000_000)
    systems_per_rack: int | None = Field(
        default=None, ge=1, le=64, description="override of the catalog's usual packing"
    )
    note: str = ""


class StorageSpec(Strict):
    write_gb_s: float = Field(ge=0, description="sustained checkpoint write bandwidth, GB/s")
    read_gb_s: float = Field(ge=0, description="peak read bandwidth, GB/s")
    capacity_pb: float = Field(ge=0, le=1e6)
    power_kw_per_pb: float = Field(default=defaults.STORAGE_KW_PER_PB, ge=0, le=1000)
    estimate: bool = False
    source: str = ""


class FabricSpec(Strict):
    """The scale-out (back-end) network, and a front-end network for the systems' extra NICs.

    `oversubscription` is downlink:uplink bandwidth at one boundary: above the leaf for a plain
    fat tree, above each pod of `gpus_per_pod` GPUs for a rail-optimized fabric.
    """

    kind: Literal["fat_tree", "rail_optimized"] = "fat_tree"
    switch: str = Field(min_length=1, description="catalog switch id (its port mode fixes the radix)")
    nic: str | None = Field(default=None, description="override of every system's scale-out NIC")
    gbps_per_gpu: float | None = Field(
        default=None, gt=0, le=100_000, description="override of the scale-out bandwidth per GPU"
    )
    tiers: int | None = Field(default=None, ge=1, le=5, description="None = smallest that fits")
    oversubscription: float = Field(default=1.0, ge=1.0, le=64.0)
    gpus_per_pod: int | None = Field(default=None, ge=1, le=10_000_000)
    switch_optic: str | None = Field(default=None, description="default: the switch's usual optic")
    frontend: bool = Field(default=True, description="also size a front-end fabric for the extra NICs")
    frontend_oversubscription: float = Field(default=1.0, ge=1.0, le=64.0)
    transport: Transport | None = Field(
        default=None, description="what the scale-out delivers to collectives (perf/collectives.yaml); None: "
        "the switch's (catalog `transport`): spectrum_x on an SN5600, infiniband on a Quantum switch")
    sharp: bool = Field(default=False, description="in-network reduction (InfiniBand SHARP) for all-reduces; "
                        "the switch must offer it (catalog `in_network_reduction`)")
    source: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> FabricSpec:
        if self.nic is not None and self.gbps_per_gpu is not None:
            raise ValueError("give either nic or gbps_per_gpu, not both")
        if self.kind == "rail_optimized" and self.gpus_per_pod is None:
            raise ValueError("a rail_optimized fabric needs gpus_per_pod")
        if self.kind == "fat_tree" and self.gpus_per_pod is not None:
            raise ValueError("gpus_per_pod applies to kind: rail_optimized only")
        return self


class Phase(Strict):
    name: str = Field(min_length=1)
    start: IsoDate
    add: list[SystemCount] = []
    retire: list[SystemCount] = Field(default=[], description="units removed, oldest first")
    gas_turbine_share: Fraction | None = Field(
        default=None, description="share of energy from gas turbines from this phase on"
    )
    storage: StorageSpec | None = Field(default=None, description="storage in place from this phase on")
    use: SiteUse | None = Field(
        default=None, description="what the site is used for from this phase on (default: as before; training)")
    cooling: str | None = Field(default=None, description="catalog cooling design of what this phase adds "
                                "(default: the cluster's `cooling`)")
    confidence: Literal["high", "medium", "low"] = "medium"
    note: str = ""
    source: str = Field(min_length=3)


class Variant(Strict):
    """One reading of a contested public record: the `claimed` figures or the independently `observed` ones.
    Scenarios of one `family` are shown side by side (`colossim cluster NAME --compare-variants`)."""

    family: str = Field(min_length=1)
    kind: VariantKind
    note: str = ""


class ClusterSpec(Strict):
    name: str = Field(min_length=1)
    description: str = ""
    site: str = Field(min_length=1, description="catalog site id")
    cooling: str | None = Field(default=None, description="catalog cooling design (default: the site's water use)")
    supply: SupplyTimeline | None = Field(
        default=None, description="dated grid, turbines, batteries and water source (replaces gas_turbine_share)")
    supply_from: str | None = Field(default=None, description="take the supply timeline of this built-in scenario "
                                    "(a variant of the same site)")
    variant: Variant | None = None
    record_until: IsoDate | None = Field(default=None, description="the public record's cut-off date")
    pue: float | None = Field(default=None, ge=1.0, le=3.0, description="default: the site's pue_default")
    gas_turbine_share: Fraction = 0.0
    cpu_other_fraction: Fraction = defaults.CPU_OTHER_FRACTION
    fabric: FabricSpec
    storage: StorageSpec | None = None
    phases: list[Phase] = Field(min_length=1)
    source: str = ""

    @model_validator(mode="after")
    def _ordered_unique_phases(self) -> ClusterSpec:
        names = [p.name for p in self.phases]
        if len(set(names)) != len(names):
            raise ValueError("phase names must be unique")
        starts = [p.start for p in self.phases]
        if starts != sorted(starts):
            raise ValueError("phases must be listed in order of their start dates")
        if self.supply is not None and self.supply_from is not None:
            raise ValueError("give either supply or supply_from, not both")
        if self.supply is not None and (self.gas_turbine_share or any(p.gas_turbine_share is not None
                                                                       for p in self.phases)):
            raise ValueError("give either a supply timeline or gas_turbine_share, not both: with `supply` the "
                             "turbine share follows from the dispatch")
        return self
