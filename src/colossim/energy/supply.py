"""The site's supply: PUE, CO2 per kWh of the grid/gas-turbine mix, electricity price and water; the one
CO2/water chain every command uses (cluster figures per year, a training run's footprint).

  CO2   = facility kWh x ((1 - s) grid + s turbine) g/kWh, s = gas-turbine share of the energy
          (low/high over the turbine emission range, grid factor fixed)
  water = IT kWh x site WUE (L/kWh);  electricity = facility kWh x tariff

Takes plain numbers, or any object with the catalog `Site` fields (colossim.catalog.schema.Site):
grid_co2_g_per_kwh, grid_co2_year, gas_turbine_co2_g_per_kwh (and its optional _low/_high),
power_price_usd_per_kwh, pue_default, water_l_per_kwh, source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from colossim.energy.assumptions import Assumption


@dataclass(frozen=True)
class SiteSupply:
    name: str
    grid_co2_g_per_kwh: float
    grid_co2_year: int
    gas_turbine_co2_g_per_kwh: float
    gas_share: float  # fraction of the energy from on-site gas turbines
    power_price_usd_per_kwh: float  # applied to all energy (turbine power assumed at the same price)
    pue: float
    water_l_per_kwh: float  # site water per kWh of IT energy (WUE)
    source: str = "user input"
    gas_turbine_co2_low_g_per_kwh: float | None = None  # range of the turbine factor (None: the factor itself)
    gas_turbine_co2_high_g_per_kwh: float | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.gas_share <= 1:
            raise ValueError("gas_share must be in [0, 1]")
        if self.pue < 1:
            raise ValueError("pue must be >= 1")
        if (
            min(
                self.grid_co2_g_per_kwh,
                self.gas_turbine_co2_g_per_kwh,
                self.power_price_usd_per_kwh,
                self.water_l_per_kwh,
            )
            < 0
        ):
            raise ValueError("CO2 factors, price and water use must be >= 0")

    def _mix(self, turbine_g_per_kwh: float) -> float:
        """Supply mix: (1 - s) x grid + s x gas turbine, s = gas share of the energy."""
        return (1.0 - self.gas_share) * self.grid_co2_g_per_kwh + self.gas_share * turbine_g_per_kwh

    @property
    def co2_g_per_kwh(self) -> float:
        return self._mix(self.gas_turbine_co2_g_per_kwh)

    @property
    def co2_range_g_per_kwh(self) -> tuple[float, float]:
        """Low and high CO2 per kWh over the turbine-emission range (grid factor fixed)."""
        low = self.gas_turbine_co2_low_g_per_kwh or self.gas_turbine_co2_g_per_kwh
        high = self.gas_turbine_co2_high_g_per_kwh or self.gas_turbine_co2_g_per_kwh
        return self._mix(low), self._mix(high)

    def co2_t(self, facility_kwh: float) -> float:
        return facility_kwh * self.co2_g_per_kwh / 1e6

    def co2_range_t(self, facility_kwh: float) -> tuple[float, float]:
        low, high = self.co2_range_g_per_kwh
        return facility_kwh * low / 1e6, facility_kwh * high / 1e6

    def water_m3(self, it_kwh: float) -> float:
        return it_kwh * self.water_l_per_kwh / 1e3

    def electricity_usd(self, facility_kwh: float) -> float:
        return facility_kwh * self.power_price_usd_per_kwh

    @classmethod
    def from_site(cls, site: Any, gas_share: float = 0.0, pue: float | None = None) -> SiteSupply:
        """From a catalog Site (or any object with its fields); pue defaults to the site's pue_default."""
        return cls(
            name=getattr(site, "name", getattr(site, "id", "site")),
            grid_co2_g_per_kwh=site.grid_co2_g_per_kwh,
            grid_co2_year=site.grid_co2_year,
            gas_turbine_co2_g_per_kwh=site.gas_turbine_co2_g_per_kwh,
            gas_share=gas_share,
            power_price_usd_per_kwh=site.power_price_usd_per_kwh,
            pue=site.pue_default if pue is None else pue,
            water_l_per_kwh=site.water_l_per_kwh,
            source=getattr(site, "source", "site"),
            gas_turbine_co2_low_g_per_kwh=getattr(site, "gas_turbine_co2_low_g_per_kwh", None),
            gas_turbine_co2_high_g_per_kwh=getattr(site, "gas_turbine_co2_high_g_per_kwh", None),
        )

    def assumptions(self) -> list[Assumption]:
        src = f"site '{self.name}': {self.source}"
        return [
            Assumption("pue", self.pue, "facility kWh per IT kWh", src),
            Assumption(
                "grid_co2", self.grid_co2_g_per_kwh, f"g CO2 per kWh ({self.grid_co2_year} data)", src
            ),
            Assumption("gas_turbine_co2", self.gas_turbine_co2_g_per_kwh, "g CO2 per kWh", src),
            Assumption("gas_share", self.gas_share, "fraction of energy", "caller (cluster supply mix)"),
            Assumption(
                "supply_co2",
                self.co2_g_per_kwh,
                "g CO2 per kWh",
                "derived: (1 - gas_share) x grid + gas_share x gas turbine",
            ),
            Assumption("power_price", self.power_price_usd_per_kwh, "USD per kWh", src),
            Assumption("water", self.water_l_per_kwh, "L per kWh of IT energy", src),
        ]
