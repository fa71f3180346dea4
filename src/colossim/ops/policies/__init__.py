"""Scheduling policies. Each lives in its own module as a pydantic config (`kind: Literal[...]`) with a
`build()` that returns the small scheduler object; add a policy by adding a module and its config here."""

from typing import Annotated

from pydantic import Field

from colossim.ops.policies.backfill import BackfillConfig, EasyBackfill
from colossim.ops.policies.base import Host, JobQueue, Reservation, Scheduler
from colossim.ops.policies.fifo import Fifo, FifoConfig
from colossim.ops.policies.priority import PriorityConfig, PriorityScheduler

PolicyConfig = Annotated[FifoConfig | PriorityConfig | BackfillConfig, Field(discriminator="kind")]
POLICY_KINDS = ("fifo", "priority", "backfill")

__all__ = [
    "BackfillConfig",
    "EasyBackfill",
    "Fifo",
    "FifoConfig",
    "Host",
    "JobQueue",
    "POLICY_KINDS",
    "PolicyConfig",
    "PriorityConfig",
    "PriorityScheduler",
    "Reservation",
    "Scheduler",
]
