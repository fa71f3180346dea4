"""Placement and spares settings (the compiled rules are in colossim.ops.sim.placement and poolstate).

Placement: where a gang job goes. `topology` (default) keeps a job inside as few pods as possible (one
pod if any has room, the fullest that fits; else the largest free pods with the remainder in the
tightest pod that holds it; among pools the one needing fewest pods, then the fullest). `first_fit` is
the topology-blind baseline (pools in list order, pods in index order).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from colossim.ops.sim.placement import FIRST_FIT, TOPOLOGY


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TopologyPlacement(_Strict):
    """Keep each job inside as few pods as possible (then best fit)."""

    code: ClassVar[int] = TOPOLOGY
    kind: Literal["topology"] = "topology"


class FirstFitPlacement(_Strict):
    """Topology-blind baseline: first pool in list order, pods in index order."""

    code: ClassVar[int] = FIRST_FIT
    kind: Literal["first_fit"] = "first_fit"


PlacementConfig = Annotated[TopologyPlacement | FirstFitPlacement, Field(discriminator="kind")]
