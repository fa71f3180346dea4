"""What every scheduling policy shares: its code, its declared capabilities, queue order and quotas.

A policy is a pydantic config (`kind: Literal[...]`) whose class declares `code` (which compiled
schedule pass runs it) and `capabilities` (which bookkeeping the simulator keeps for it): nothing is
looked up by attribute name at run time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

QueueOrder = Literal["submit", "priority"]


class PolicyCode(IntEnum):
    FIFO = 0
    PRIORITY = 1
    BACKFILL = 2


@dataclass(frozen=True)
class Capabilities:
    """What a policy needs from the simulator."""

    reservations: bool = False  # running jobs' estimated ends, sorted per pool (EASY)
    preemption: bool = False  # may stop running jobs of lower priority
    runtime_estimates: bool = False  # reads queued jobs' run-time estimates


class QuotaConfig(BaseModel):
    """Virtual-cluster quotas: every job belongs to a group that may hold at most its share of the GPUs
    in service at once (Helios partitions its GPUs into virtual clusters this way). A job held back by
    its group's quota does not block other groups: each group keeps its own place in the queue order.
    Give the shares (`groups`), or take them from a Helios cluster's virtual clusters (`helios`: their
    mean GPU counts over the trace, ops/data/helios_*_vc_gpu_count_daily.csv)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    groups: dict[str, float] | None = Field(None, description="group name -> share of in-service GPUs")
    helios: Literal["venus", "earth"] | None = Field(None, description="the virtual clusters of a Helios cluster")
    scan_depth: int = Field(1000, ge=1, le=1_000_000, description="queued jobs examined per pass")

    @model_validator(mode="after")
    def _one_source(self) -> QuotaConfig:
        if (self.groups is None) == (self.helios is None):
            raise ValueError("give exactly one of groups (name: share) and helios (venus or earth)")
        if self.groups is not None:
            if not self.groups:
                raise ValueError("groups needs at least one group")
            bad = {k: v for k, v in self.groups.items() if not (0.0 < v <= 1.0)}
            if bad:
                raise ValueError(f"group shares must be in (0, 1], got {bad}")
        return self

    def shares(self) -> dict[str, float]:
        """Group name -> share of the in-service GPUs."""
        if self.groups is not None:
            return dict(self.groups)
        from colossim.ops.workloads.helios import helios_vc_shares

        return helios_vc_shares(self.helios)


class PolicyBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    code: ClassVar[PolicyCode]
    capabilities: ClassVar[Capabilities]
    quotas: QuotaConfig | None = Field(None, description="virtual-cluster quotas (none: one shared queue)")

    def queue_order(self) -> QueueOrder:
        return "submit"

    def preempt_enabled(self) -> bool:
        return False

    def backfill_depth(self) -> int:
        return 0

    def estimate_factor(self) -> float:
        return 1.0
