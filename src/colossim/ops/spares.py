"""Spare-node pools: healthy nodes held idle per pool so a job that loses a node restarts in place.

- `none`: no spares; a job that loses a node goes back to the queue (keeping its place) and restarts
  when nodes are free.
- `reserved`: each pool keeps `fraction` of its in-service nodes (at least `min_nodes`) as hot spares.
  A failed node of a running job (of at least `min_job_nodes` nodes) is swapped for a spare and the job
  restarts in place after its restart time; a repaired node refills the spares first. Anchors: Delta
  ~5 % over-provisioning; BLOOM 4 spare nodes per 48 (8 %); OPT 12-18 buffer hosts per ~124
  (reliability.md sec. 3).
The target is ceil(fraction x nodes in service), at least min_nodes, at most the nodes in service
(colossim.ops.sim.poolstate.spare_target_for, the one place it is computed).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoSpares(_Strict):
    kind: Literal["none"] = "none"
    fraction: Literal[0.0] = 0.0
    min_nodes: Literal[0] = 0
    min_job_nodes: int = 1


class ReservedSpares(_Strict):
    kind: Literal["reserved"] = "reserved"
    fraction: float = Field(0.01, ge=0, lt=1, description="share of in-service nodes held as spares")
    min_nodes: int = Field(0, ge=0, le=10_000_000)
    min_job_nodes: int = Field(1, ge=1, description="only jobs with at least this many nodes use spares")


SparesConfig = Annotated[NoSpares | ReservedSpares, Field(discriminator="kind")]
