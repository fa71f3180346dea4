"""Scheduling policies. Each lives in its own module: a pydantic config (`kind: Literal[...]`) that
declares its code and capabilities, and its compiled schedule and arrival passes. Add a policy by adding
a module, its config to `PolicyConfig` and its two passes to colossim.ops.sim.policies.dispatch."""

from typing import Annotated

from pydantic import Field

from colossim.ops.sim.policies.backfill import BackfillConfig
from colossim.ops.sim.policies.base import Capabilities, PolicyBase, PolicyCode, QueueOrder, QuotaConfig
from colossim.ops.sim.policies.fifo import FifoConfig
from colossim.ops.sim.policies.priority import PriorityConfig

PolicyConfig = Annotated[FifoConfig | PriorityConfig | BackfillConfig, Field(discriminator="kind")]
POLICY_KINDS = ("fifo", "priority", "backfill")

__all__ = [
    "POLICY_KINDS",
    "BackfillConfig",
    "Capabilities",
    "FifoConfig",
    "PolicyBase",
    "PolicyCode",
    "PolicyConfig",
    "PriorityConfig",
    "QueueOrder",
    "QuotaConfig",
]
