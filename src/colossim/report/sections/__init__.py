"""One module per report section; each exposes `build(ctx) -> SectionOutput`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from colossim.report.document import Section


@dataclass(frozen=True)
class AssumptionRow:
    """One input of the report and where it comes from (the assumptions section lists them all)."""

    area: str
    name: str
    value: Any
    unit: str
    source: str
    estimate: bool | None = False  # None: the source does not say

    def to_dict(self) -> dict[str, Any]:
        return {"area": self.area, "name": self.name, "value": self.value, "unit": self.unit,
                "source": self.source, "estimate": self.estimate}


@dataclass(frozen=True)
class SectionOutput:
    section: Section
    numbers: dict[str, Any]  # JSON-ready, units in the keys
    assumptions: tuple[AssumptionRow, ...] = field(default=())
