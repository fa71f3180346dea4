"""Ranges on a training run's headline figures: the run's own chain (train.chain for failures and checkpoints,
energy.training_footprint for energy, CO2, water and cost) re-evaluated with every estimate input drawn from
its range (colossim.uncertainty), plus the step model's measured error on runs it was not fitted on.

  inputs    step_time (measured / predicted step time of held-out runs), failure_rate (per-node rate, as a
            multiple of the preset's: reliability.md anchors), PUE (the site's low..high), turbine CO2 (the
            turbines' heat-rate range, where the run draws on turbines), capex (the partition's catalog price
            range), lifetime, fleet utilisation, the GPUs' training draw and idle draw (energy defaults)
  per row   step time x k; ideal hours x k; checkpoint chain with the failure rate x f -> Daly's expected
            wall, busy and idle hours; the footprint of those hours at that row's PUE, turbine factor, power
            model and hardware cost
  anchored  the Monte Carlo point (median wall days, mean busy and idle hours) times each row's Daly ratio
            to the mid row, so the mid row is today's point figure exactly
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from colossim.energy import RunTime, training_footprint
from colossim.energy.defaults import SourcedValue, load_defaults
from colossim.reliability import expected_time_breakdown
from colossim.uncertainty import Propagation, Range, UncertainInput, propagate
from colossim.uncertainty.data import load_ranges

SECONDS_PER_HOUR = 3600.0

# the figures a training run's range covers: name in TrainingPlan.summary() -> how a reader reads it
FIGURES = {
    "wall_days_p50": "days to train (with failures)",
    "goodput_p50": "goodput",
    "energy_mwh": "energy (MWh)",
    "avg_power_mw": "average power (MW)",
    "co2_t": "CO2 (t)",
    "water_m3": "water (m3)",
    "total_cost_usd": "cost (USD)",
    "cost_per_million_tokens_usd": "USD per million tokens",
}


@dataclass(frozen=True)
class RangeOptions:
    """How many seeded draws, and which interval of them is the range."""

    runs: int = 256
    seed: int = 1
    interval: tuple[float, float] = (0.1, 0.9)
    widen: Mapping[str, float] | None = None  # input name -> widening factor (what-ifs and tests)


def _default_range(v: SourcedValue, mid: float) -> Range:
    if v.low is None or v.high is None:
        return Range.fixed(mid, v.source)
    return Range.around(mid, v.low, v.high, v.range_source or v.source)


def training_inputs(plan, machine) -> list[UncertainInput]:
    """The uncertain inputs of a run of `plan` on `machine` (a train.TrainingPlan and its plan.JobMachine)."""
    from colossim.catalog import load_catalog

    shipped = load_ranges()
    defaults = load_defaults()
    econ = machine.economics
    fails = plan.reliability.chain.failures
    supply = machine.cluster.supply
    site = load_catalog().sites[machine.cluster.spec.site]
    out = [
        UncertainInput("step_time", "step-model error", "measured / predicted", shipped.step_time.range()),
        UncertainInput("failure_rate", "failure rate", "x preset",
                       shipped.failure_rate.factor_range(fails.failures_per_1000_node_days)),
        UncertainInput("pue", "PUE", "facility / IT", Range.around(supply.pue, site.pue_low, site.pue_high,
                                                                   f"site '{site.id}': {site.source}")),
    ]
    if supply.gas_share > 0:
        out.append(UncertainInput("turbine_co2", "turbine CO2", "g per kWh", Range.around(
            supply.gas_turbine_co2_g_per_kwh, supply.gas_turbine_co2_low_g_per_kwh,
            supply.gas_turbine_co2_high_g_per_kwh, "the turbines' heat-rate range (energy.supply)")))
    capex = econ.hardware.capex_usd_per_gpu
    if machine.capex_range is not None:
        capex_range = Range.around(capex, *machine.capex_range, machine.capex_source)
    else:
        capex_range = _default_range(defaults.hardware.capex_usd_per_gpu, capex)
    out += [
        UncertainInput("capex", "capex per GPU", "USD", capex_range),
        UncertainInput("lifetime", "hardware lifetime", "years",
                       _default_range(defaults.hardware.lifetime_years, econ.hardware.lifetime_years)),
        UncertainInput("fleet_utilisation", "fleet utilisation", "share of hours",
                       _default_range(defaults.hardware.fleet_utilisation, econ.hardware.fleet_utilisation)),
        UncertainInput("train_utilisation", "GPU draw in training", "0 idle .. 1 TDP",
                       _default_range(defaults.power.train_utilisation, econ.power.train_utilisation)),
        UncertainInput("gpu_idle_fraction", "GPU idle draw", "share of TDP",
                       _default_range(defaults.power.gpu_idle_fraction, econ.power.gpu_idle_fraction)),
    ]
    return out


def _evaluator(plan, machine):
    """Figures of every row (one array per input in, one array per figure out)."""
    from colossim.catalog import load_catalog
    from colossim.train.chain import checkpoint_chain

    rel, step = plan.reliability, plan.step
    chain, econ = rel.chain, machine.economics
    model_params = plan.model_params
    fleet = machine.fleet(plan.gpus, load_catalog())
    supply = machine.cluster.supply
    ideal_h = plan.ideal_days * 24.0
    point = plan.summary()
    spares = rel.spare_gpus

    def daly(k: float, f: float) -> tuple[float, float, float]:
        ch = checkpoint_chain(model_params, plan.gpus, step.step_time_s * k, chain.storage, plan.options,
                              compute_h=ideal_h * k, failures=chain.failures.scaled(f))
        b = expected_time_breakdown(ideal_h * k * SECONDS_PER_HOUR, ch.plan.interval_s, ch.plan.blocking_s,
                                    ch.plan.restart_s, ch.plan.job_mttf_h * SECONDS_PER_HOUR)
        return b.wall_h, b.compute_h + b.rework_h, b.checkpoint_h + b.restart_h

    wall0, busy0, idle0 = daly(1.0, 1.0)

    def evaluate(v: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        n = len(v["step_time"])
        out = {name: np.empty(n) for name in FIGURES}
        for r in range(n):
            k, f = float(v["step_time"][r]), float(v["failure_rate"][r])
            wall, busy, idle = daly(k, f)
            run = RunTime(rel.busy_h * busy / busy0, rel.idle_h * idle / idle0)
            site = replace(supply, pue=float(v["pue"][r]))
            if "turbine_co2" in v:
                site = replace(site, gas_turbine_co2_g_per_kwh=float(v["turbine_co2"][r]))
            power = replace(econ.power, train_utilisation=float(v["train_utilisation"][r]),
                            gpu_idle_fraction=float(v["gpu_idle_fraction"][r]))
            hardware = replace(econ.hardware, capex_usd_per_gpu=float(v["capex"][r]),
                               lifetime_years=float(v["lifetime"][r]),
                               fleet_utilisation=float(v["fleet_utilisation"][r]))
            fp = training_footprint(fleet, run, site, plan.tokens, power=power, hardware=hardware, spare_gpus=spares)
            wall_ratio = wall / wall0
            out["wall_days_p50"][r] = point["wall_days_p50"] * wall_ratio
            out["goodput_p50"][r] = min(point["goodput_p50"] * k / wall_ratio, 1.0)  # ideal x k over wall
            out["energy_mwh"][r] = fp.facility_energy_mwh
            out["avg_power_mw"][r] = fp.avg_facility_power_mw
            out["co2_t"][r] = fp.co2_t
            out["water_m3"][r] = fp.water_m3
            out["total_cost_usd"][r] = fp.total_cost_usd
            out["cost_per_million_tokens_usd"][r] = fp.cost_per_million_tokens_usd
        return out

    return evaluate


def training_ranges(plan, machine, options: RangeOptions | None = None) -> Propagation:
    """Point, low and high of the run's headline figures (FIGURES) and the tornado of their inputs."""
    o = options or RangeOptions()
    inputs = training_inputs(plan, machine)
    if o.widen:
        unknown = set(o.widen) - {i.name for i in inputs}
        if unknown:
            raise ValueError(f"no such uncertain input(s) to widen: {', '.join(sorted(unknown))}")
        inputs = [replace(i, range=i.range.widened(o.widen[i.name])) if i.name in o.widen else i for i in inputs]
    return propagate(inputs, _evaluator(plan, machine), runs=o.runs, seed=o.seed, interval=o.interval)


__all__ = ["FIGURES", "RangeOptions", "training_inputs", "training_ranges"]
