"""Energy (MWh), CO2, water and cost of one training run, with its assumptions table.

Energy comes from the fleet power chain (colossim.energy.fleet): the job's GPU systems computing for the
busy hours at the training utilisation and idle (u = 0) while stalled, hot spares idle all the run, and the
job's share of the cluster's network, storage and CPU nodes all the run; facility = IT x PUE. CO2, water
and electricity from the site's supply (colossim.energy.supply); hardware cost = GPU-hours (wall time,
spares included) x amortised USD per GPU-hour; cost per million tokens = total / tokens x 1e6.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from colossim.energy.assumptions import Assumption
from colossim.energy.cost import HardwareCost, default_hardware_cost, usd_per_million_tokens
from colossim.energy.fleet import Fleet, fleet_power, job_energy
from colossim.energy.power import PowerModel, default_power_model
from colossim.energy.supply import SiteSupply


@dataclass(frozen=True)
class RunTime:
    """Hours of one run: GPUs computing (useful work and rework after failures) and GPUs stalled
    (blocking checkpoint writes, restarts)."""

    busy_h: float
    idle_h: float = 0.0

    def __post_init__(self) -> None:
        if self.busy_h < 0 or self.idle_h < 0:
            raise ValueError("busy_h and idle_h must be >= 0")

    @property
    def wall_h(self) -> float:
        return self.busy_h + self.idle_h

    @classmethod
    def from_breakdown(
        cls, compute_h: float, checkpoint_h: float, rework_h: float, restart_h: float
    ) -> RunTime:
        """From a wall-time breakdown (reliability.expected_time_breakdown or Monte Carlo means)."""
        return cls(busy_h=compute_h + rework_h, idle_h=checkpoint_h + restart_h)

    @classmethod
    def from_montecarlo(cls, result: Any) -> RunTime:
        """Means over the runs of a reliability.MonteCarloResult."""
        return cls.from_breakdown(
            result.compute_h,
            result.checkpoint_h,
            float(result.rework_h.mean()),
            float(result.restart_h.mean()),
        )


@dataclass(frozen=True)
class Footprint:
    gpus: int
    spare_gpus: int
    wall_h: float
    gpu_hours: float
    it_energy_mwh: float
    facility_energy_mwh: float
    avg_facility_power_mw: float
    busy_facility_power_mw: float  # while every GPU of the job computes (its share of the overhead included)
    co2_t: float
    co2_t_low: float
    co2_t_high: float
    water_m3: float
    electricity_cost_usd: float
    hardware_cost_usd: float
    total_cost_usd: float
    tokens: float | None
    cost_per_million_tokens_usd: float | None
    assumptions: tuple[Assumption, ...]

    def to_dict(self) -> dict:
        out = asdict(self)
        out["assumptions"] = [a.to_dict() for a in self.assumptions]
        return out


def training_footprint(
    fleet: Fleet,
    run: RunTime,
    site: SiteSupply,
    tokens: float | None = None,
    power: PowerModel | None = None,
    hardware: HardwareCost | None = None,
    spare_gpus: int = 0,
) -> Footprint:
    """The footprint of a job on every GPU of `fleet` (a partition's share of a cluster, see
    colossim.cluster.job_fleet) running `run`, at `site`."""
    gpus = int(round(fleet.gpus))
    if gpus < 1 or spare_gpus < 0:
        raise ValueError("need gpus >= 1 and spare_gpus >= 0")
    power = power or default_power_model()
    hardware = hardware or default_hardware_cost()
    energy = job_energy(fleet, run.busy_h, run.idle_h, spare_gpus, site.pue, power)
    busy = fleet_power(fleet, power.train_utilisation, site.pue, power)
    it_kwh, facility_kwh = energy.it_kwh, energy.facility_kwh
    electricity = site.electricity_usd(facility_kwh)
    gpu_hours = (gpus + spare_gpus) * run.wall_h
    hardware_usd = gpu_hours * hardware.usd_per_gpu_hour
    total = electricity + hardware_usd
    co2_low, co2_high = site.co2_range_t(facility_kwh)
    assumptions = (
        *power.assumptions(),
        Assumption("it_overhead", fleet.overhead_w_per_gpu(), "W per GPU",
                   "the job's share of the cluster's network, storage and CPU nodes (cluster model)"),
        *site.assumptions(),
        *hardware.assumptions(),
        Assumption("busy_hours", run.busy_h, "h", "caller: compute + rework (reliability model)"),
        Assumption(
            "idle_hours", run.idle_h, "h", "caller: blocking checkpoints + restarts (reliability model)"
        ),
    )
    return Footprint(
        gpus=gpus,
        spare_gpus=spare_gpus,
        wall_h=run.wall_h,
        gpu_hours=gpu_hours,
        it_energy_mwh=it_kwh / 1e3,
        facility_energy_mwh=facility_kwh / 1e3,
        avg_facility_power_mw=facility_kwh / 1e3 / run.wall_h if run.wall_h > 0 else 0.0,
        busy_facility_power_mw=busy.facility_mw,
        co2_t=site.co2_t(facility_kwh),
        co2_t_low=co2_low,
        co2_t_high=co2_high,
        water_m3=site.water_m3(it_kwh),
        electricity_cost_usd=electricity,
        hardware_cost_usd=hardware_usd,
        total_cost_usd=total,
        tokens=tokens,
        cost_per_million_tokens_usd=None if tokens is None else usd_per_million_tokens(total, tokens),
        assumptions=assumptions,
    )
