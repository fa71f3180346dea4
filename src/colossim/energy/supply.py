"""The site's supply: PUE, CO2 per kWh of the grid/gas-turbine mix, electricity price and water; the one
CO2/water chain every command uses (cluster figures per year and per day of the supply ledger, a training
run's footprint).

  CO2     = facility kWh x ((1 - s) grid + s turbine) g/kWh, s = gas-turbine share of the energy
            (low/high over the turbine emission range, grid factor fixed)
  turbine = heat rate (Btu/kWh, HHV) x 53.06 kg CO2/MMBtu / 1000 g/kWh, where the supply ledger gives the
            turbines' fuel-weighted heat rate (cluster.ledger); else the site's simple-cycle factor
  CO2e    = CO2 + s x heat rate x upstream methane (kg CO2e/MMBtu, energy.emissions.MethaneLeak), an option
  water   = IT kWh x WUE (L/kWh: the site's, or the cooling designs' on that date);  electricity = kWh x tariff

Takes plain numbers, or any object with the catalog `Site` fields (colossim.catalog.schema.Site):
grid_co2_g_per_kwh, grid_co2_year, gas_turbine_co2_g_per_kwh (and its optional _low/_high),
power_price_usd_per_kwh, pue_default, water_l_per_kwh, source.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from colossim.energy.assumptions import Assumption
from colossim.energy.emissions import MethaneLeak, emission_data


def turbine_co2_g_per_kwh(heat_rate_btu_per_kwh):
    """g CO2 per kWh = Btu/kWh x 1e-6 MMBtu/Btu x 53.06 kg/MMBtu x 1000 g/kg (40 CFR 98 Table NN-1)."""
    return heat_rate_btu_per_kwh * 1e-3 * emission_data().co2_kg_per_mmbtu.value


def mix_co2_t(facility_kwh, gas_share, grid_g_per_kwh, turbine_g_per_kwh):
    """t CO2 = kWh x ((1 - s) grid + s turbine) / 1e6 (broadcasts over days)."""
    return facility_kwh * ((1.0 - gas_share) * grid_g_per_kwh + gas_share * turbine_g_per_kwh) / 1e6


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
    turbine_heat_rate_btu_per_kwh: float | None = None  # the turbines' fuel-weighted heat rate (ledger), if known
    methane: MethaneLeak = MethaneLeak()  # upstream methane for CO2e (default: none, combustion only)
    mix_source: str = "caller (cluster supply mix)"

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
        return float(mix_co2_t(1e6, self.gas_share, self.grid_co2_g_per_kwh, turbine_g_per_kwh))

    def with_turbines(self, gas_share: float, heat_rate_btu_per_kwh: float | None,
                      heat_rate_range_btu_per_kwh: tuple[float, float] | None = None,
                      source: str = "supply ledger") -> SiteSupply:
        """The same site with the ledger's turbine share and the turbines' own heat rate (and its range)."""
        if heat_rate_btu_per_kwh is None:
            return replace(self, gas_share=gas_share, mix_source=source)
        low, high = heat_rate_range_btu_per_kwh or (heat_rate_btu_per_kwh, heat_rate_btu_per_kwh)
        return replace(self, gas_share=gas_share, turbine_heat_rate_btu_per_kwh=heat_rate_btu_per_kwh,
                       gas_turbine_co2_g_per_kwh=float(turbine_co2_g_per_kwh(heat_rate_btu_per_kwh)),
                       gas_turbine_co2_low_g_per_kwh=float(turbine_co2_g_per_kwh(low)),
                       gas_turbine_co2_high_g_per_kwh=float(turbine_co2_g_per_kwh(high)), mix_source=source)

    def with_methane(self, methane: MethaneLeak) -> SiteSupply:
        return replace(self, methane=methane)

    def with_water(self, water_l_per_kwh: float) -> SiteSupply:
        """The same site with the WUE of the cooling designs in service (the ledger's)."""
        return replace(self, water_l_per_kwh=water_l_per_kwh)

    @property
    def turbine_fuel_mmbtu_per_kwh(self) -> float:
        """Fuel per kWh from the turbines: heat rate, else backed out of the turbine CO2 factor."""
        if self.turbine_heat_rate_btu_per_kwh is not None:
            return self.turbine_heat_rate_btu_per_kwh * 1e-6
        return self.gas_turbine_co2_g_per_kwh / 1e3 / emission_data().co2_kg_per_mmbtu.value

    @property
    def co2e_g_per_kwh(self) -> float:
        """CO2 plus the upstream methane of the turbines' fuel (zero without a leakage preset)."""
        upstream = self.gas_share * self.turbine_fuel_mmbtu_per_kwh * self.methane.co2e_kg_per_mmbtu * 1e3
        return self.co2_g_per_kwh + upstream

    def co2e_t(self, facility_kwh: float) -> float:
        return facility_kwh * self.co2e_g_per_kwh / 1e6

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
        return float(mix_co2_t(facility_kwh, self.gas_share, self.grid_co2_g_per_kwh, self.gas_turbine_co2_g_per_kwh))

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
            Assumption("gas_turbine_co2", self.gas_turbine_co2_g_per_kwh, "g CO2 per kWh",
                       src if self.turbine_heat_rate_btu_per_kwh is None else
                       f"derived: heat rate {self.turbine_heat_rate_btu_per_kwh:,.0f} Btu/kWh x 53.06 kg/MMBtu "
                       "(40 CFR 98 Table NN-1); heat rates of the turbine models in the supply ledger"),
            Assumption("gas_share", self.gas_share, "fraction of energy", self.mix_source),
            Assumption(
                "supply_co2",
                self.co2_g_per_kwh,
                "g CO2 per kWh",
                "derived: (1 - gas_share) x grid + gas_share x gas turbine",
            ),
            *([Assumption("upstream_methane", self.methane.co2e_kg_per_mmbtu, "kg CO2e per MMBtu of turbine fuel",
                          self.methane.source)] if self.methane.rate > 0 else []),
            Assumption("power_price", self.power_price_usd_per_kwh, "USD per kWh", src),
            Assumption("water", self.water_l_per_kwh, "L per kWh of IT energy", src),
        ]
