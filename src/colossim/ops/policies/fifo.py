"""First come, first served: start jobs in submit order; the first that does not fit blocks the rest."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from colossim.ops.policies.base import Host, start_in_order


class FifoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["fifo"] = "fifo"

    def build(self) -> Fifo:
        return Fifo()


class Fifo:
    def key(self, host: Host, job: int) -> tuple:
        return (host.submit_s(job), job)

    def on_arrival(self, host: Host, job: int, t: float) -> None:
        if host.queue.head() == job:
            self.schedule(host, t)

    def schedule(self, host: Host, t: float) -> None:
        start_in_order(host, t)
