"""The assumptions table every energy/cost result carries: rows of {name, value, unit, source}."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Assumption:
    name: str
    value: float | str
    unit: str
    source: str

    def to_dict(self) -> dict[str, float | str]:
        return asdict(self)
