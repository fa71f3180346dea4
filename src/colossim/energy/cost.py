"""Hardware cost amortised per GPU-hour and cost per million tokens."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from colossim.energy.assumptions import Assumption
from colossim.energy.defaults import load_defaults

HOURS_PER_YEAR = 8760.0


def hardware_usd_per_gpu_hour(capex_usd_per_gpu: float, lifetime_years: float, utilisation: float) -> float:
    """capex / (lifetime years x 8760 h x utilisation): the hardware's cost spread over the hours it
    is allocated to jobs, so each job hour also pays for the fleet's unallocated hours."""
    if capex_usd_per_gpu < 0 or lifetime_years <= 0 or not 0 < utilisation <= 1:
        raise ValueError("need capex >= 0, lifetime_years > 0 and utilisation in (0, 1]")
    return capex_usd_per_gpu / (lifetime_years * HOURS_PER_YEAR * utilisation)


def usd_per_million_tokens(total_usd: float, tokens: float) -> float:
    if tokens <= 0:
        raise ValueError("tokens must be > 0")
    return total_usd / tokens * 1e6


@dataclass(frozen=True)
class HardwareCost:
    capex_usd_per_gpu: float
    lifetime_years: float
    fleet_utilisation: float
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        hardware_usd_per_gpu_hour(self.capex_usd_per_gpu, self.lifetime_years, self.fleet_utilisation)

    def with_capex(self, capex_usd_per_gpu: float, source: str) -> HardwareCost:
        """The same amortisation for another price per GPU (e.g. a partition's catalog systems)."""
        return replace(self, capex_usd_per_gpu=capex_usd_per_gpu,
                       sources={**self.sources, "capex_usd_per_gpu": source})

    @property
    def usd_per_gpu_hour(self) -> float:
        return hardware_usd_per_gpu_hour(self.capex_usd_per_gpu, self.lifetime_years, self.fleet_utilisation)

    def assumptions(self) -> list[Assumption]:
        src = self.sources.get
        return [
            Assumption(
                "capex",
                self.capex_usd_per_gpu,
                "USD per GPU (all-in)",
                src("capex_usd_per_gpu", "user input"),
            ),
            Assumption("lifetime", self.lifetime_years, "years", src("lifetime_years", "user input")),
            Assumption(
                "fleet_utilisation",
                self.fleet_utilisation,
                "fraction of hours allocated",
                src("fleet_utilisation", "user input"),
            ),
            Assumption(
                "hardware_rate",
                self.usd_per_gpu_hour,
                "USD per GPU-hour",
                "derived: capex / (lifetime x 8760 h x fleet utilisation)",
            ),
        ]


def default_hardware_cost(**overrides: float) -> HardwareCost:
    h = load_defaults().hardware
    values = {
        name: getattr(h, name).value for name in ("capex_usd_per_gpu", "lifetime_years", "fleet_utilisation")
    }
    unknown = set(overrides) - set(values)
    if unknown:
        raise TypeError(f"unknown hardware cost field(s): {', '.join(sorted(unknown))}")
    sources = {name: getattr(h, name).source for name in values if name not in overrides}
    values.update(overrides)
    return HardwareCost(**values, sources=sources)
