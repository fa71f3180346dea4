"""Settings of one operations simulation, validated by pydantic (`extra="forbid"`, finite numbers only).

Every default that is a number from the literature says where it comes from; `None` means "take the
sourced default from colossim.reliability's presets (through colossim.ops.defaults)".
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from colossim.ops.placement import PlacementConfig, TopologyPlacement
from colossim.ops.sim.policies import BackfillConfig, PolicyConfig
from colossim.ops.spares import NoSpares, SparesConfig
from colossim.ops.workloads.fit import ProfileName
from colossim.reliability import IntervalRule
from colossim.reliability.presets import FailurePresetName

MAX_DAYS = 36_500.0  # a century: longer horizons are a typo


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class FailureConfig(_Strict):
    """Node failures: one superposed exponential clock per pool (rate = up nodes x per-node rate)."""

    enabled: bool = True
    preset: FailurePresetName = Field(
        "llama3_h100", description="colossim.reliability preset for the default rate and cause mix"
    )
    failures_per_1000_node_days: float | None = Field(
        None, ge=0, description="per 8-GPU node; None = the preset (Llama 3: 3.79); pools may override"
    )
    node_repair_share: float | None = Field(
        None,
        ge=0,
        le=1,
        description="share of failures that take the node down for repair; the rest "
        "(software) only restart the job. None = the preset's cause mix",
    )


class RepairConfig(_Strict):
    """Repair time: an automated attempt (exponential, mean automated_h), then with probability
    escalate_share a manual repair (exponential, mean manual_h). None = sourced defaults (AIReSim
    illustrative: 2 h, 48 h, 80 %, reliability.md sec. 3)."""

    automated_h: float | None = Field(None, gt=0, le=1e5)
    manual_h: float | None = Field(None, gt=0, le=1e5)
    escalate_share: float | None = Field(None, ge=0, le=1)


class RecoveryConfig(_Strict):
    """Checkpoint/restart of ordinary jobs (the flagship has its own). Work since the last checkpoint
    is lost on an interruption; every restart costs restart_s. 'exact' / 'daly' / 'young' pick each job's
    interval from its own MTTF (1 / (its nodes x the pool's node failure rate)) with colossim.reliability's
    rules (the same ones `colossim train` uses)."""

    checkpoint_interval: float | IntervalRule = Field(
        "daly", description="seconds of compute between checkpoints, or a colossim.reliability rule per job"
    )
    checkpoint_write_s: float = Field(30.0, ge=0, le=1e6, description="blocking write time per checkpoint (estimate)")
    restart_s: float | None = Field(None, ge=0, le=1e6, description="None = Lablup median auto-retry 660 s")

    @model_validator(mode="after")
    def _interval(self) -> RecoveryConfig:
        if isinstance(self.checkpoint_interval, str) and self.checkpoint_write_s <= 0:
            raise ValueError(
                "a checkpoint interval rule needs checkpoint_write_s > 0; give checkpoint_interval in seconds"
            )
        if not isinstance(self.checkpoint_interval, str) and self.checkpoint_interval <= 0:
            raise ValueError("checkpoint_interval must be > 0 seconds (or exact / daly / young)")
        return self


class FlagshipConfig(_Strict):
    """One large training run with its own checkpoint/restart behaviour. Its interval comes from
    colossim.reliability.plan_checkpoints for its MTTF (the chain `colossim train` uses);
    `FlagshipConfig.from_training(plan)` takes a `colossim train` plan as it is."""

    gpus: int = Field(
        98_304, ge=1, le=100_000_000, description="estimate: ~100k H100 (Grok 3 pre-training, colossus_facts sec. 10)"
    )
    gpu_type: str | None = Field("h100_sxm5", description="catalog GPU id, or null for any pool")
    submit_day: float = Field(
        64.0, ge=0, le=MAX_DAYS, description="days after the start (64 = 2 Sep 2024 for Colossus)"
    )
    ideal_days: float = Field(90.0, gt=0, le=MAX_DAYS, description="compute time with no failures and no checkpoints")
    checkpoint_interval: float | IntervalRule = Field(
        "daly", description="seconds of compute between checkpoints, or a colossim.reliability rule for its MTTF"
    )
    checkpoint_write_s: float = Field(30.0, ge=0, le=1e6, description="blocking checkpoint write (estimate)")
    restart_s: float = Field(600.0, ge=0, le=1e6, description="restart after an interruption (estimate, 10 min)")
    priority: int = Field(10, ge=-1_000_000_000, le=1_000_000_000)

    @model_validator(mode="after")
    def _positive_interval(self) -> FlagshipConfig:
        if isinstance(self.checkpoint_interval, float | int) and self.checkpoint_interval <= 0:
            raise ValueError("checkpoint_interval must be > 0 seconds (or exact / daly / young)")
        if isinstance(self.checkpoint_interval, str) and self.checkpoint_write_s <= 0:
            raise ValueError(
                "a checkpoint interval rule needs checkpoint_write_s > 0; give checkpoint_interval in seconds"
            )
        return self

    @classmethod
    def from_training(cls, plan, submit_day: float = 0.0, priority: int = 10) -> FlagshipConfig:
        """The run a `colossim train` plan describes (colossim.train.TrainingPlan): its GPUs and type, ideal
        compute days and its checkpoint plan (interval, blocking write, restart)."""
        return cls(gpus=plan.gpus, gpu_type=plan.gpu, submit_day=submit_day, ideal_days=plan.ideal_days,
                   checkpoint_interval=plan.checkpoint.interval_s,
                   checkpoint_write_s=plan.checkpoint.blocking_s, restart_s=plan.checkpoint.restart_s,
                   priority=priority)


class SyntheticWorkloadConfig(_Strict):
    """Jobs drawn from distributions fitted to a real trace summary (see colossim.ops.workloads.fit)."""

    kind: Literal["synthetic"] = "synthetic"
    profile: ProfileName = "acme_kalos"
    jobs: int = Field(100_000, ge=0, description="jobs submitted over the simulated period")
    target_load: float = Field(0.5, gt=0, le=2.0, description="offered GPU-time / in-service GPU-time")
    scaling: Literal["both", "size", "duration", "none"] = Field(
        "both",
        description="how the trace's jobs are scaled to reach target_load: sizes (power-of-two steps), "
        "run times, both (half each in log scale), or none (use size_scale, duration_scale)",
    )
    size_scale: float = Field(1.0, gt=0, le=1e6, description="only with scaling: none")
    duration_scale: float = Field(1.0, gt=0, le=1e6, description="only with scaling: none")
    duration_model: Literal["lognormal", "philly_empirical"] = "lognormal"
    arrivals: Literal["uniform", "capacity"] = Field(
        "capacity", description="Poisson arrivals at a constant rate, or at a rate following in-service GPUs"
    )
    max_job_share: float = Field(0.5, gt=0, le=1, description="largest job as a share of the largest pool")
    pretrain_share: float = Field(
        0.02, ge=0, le=1, description="top share of jobs by GPU time labelled pretrain"
    )
    finetune_share: float = Field(0.18, ge=0, le=1, description="next share labelled finetune; the rest eval")


def default_serving_curve() -> tuple[float, ...]:
    """24 hourly points, peak 1 at 15:00 and trough 0.5 at 03:00: 0.75 + 0.25 cos(2 pi (h - 15) / 24).
    Estimate: a day-night swing of about 2x as reported for production LLM serving (SageServe, Microsoft
    O365, arXiv 2502.14617); the exact shape is not published in a reusable form."""
    return tuple(round(0.75 + 0.25 * math.cos(2 * math.pi * (h - 15) / 24), 6) for h in range(24))


class ServingConfig(_Strict):
    """A share of pools' nodes held for inference, following a daily load curve: at hour h a pool holds
    round(peak_share x curve[h] x its in-service nodes) for serving (idle nodes at once, busy ones as
    their training jobs end). Training jobs get the rest; the results say how much went to serving."""

    pools: tuple[str, ...] | None = Field(None, description="pool names or GPU ids that serve; None = all")
    peak_share: float = Field(gt=0, le=1, description="share of a pool's in-service nodes held at the daily peak")
    curve: tuple[float, ...] = Field(
        default_factory=default_serving_curve,
        description="load by time of day, equal steps over 24 h (e.g. 24 hourly values), scaled so max = 1",
    )

    @field_validator("curve")
    @classmethod
    def _curve(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if not 1 <= len(v) <= 1440 or min(v) < 0 or max(v) <= 0:
            raise ValueError("curve needs 1 to 1440 values >= 0, at least one > 0")
        top = max(v)
        return tuple(x / top for x in v)


class OpsConfig(_Strict):
    days: float = Field(365.0, gt=0, le=MAX_DAYS)
    seed: int = Field(1, ge=0, le=2**63 - 1)
    policy: PolicyConfig = BackfillConfig()
    placement: PlacementConfig = TopologyPlacement()
    spares: SparesConfig = NoSpares()
    failures: FailureConfig = FailureConfig()
    repair: RepairConfig = RepairConfig()
    recovery: RecoveryConfig = RecoveryConfig()
    flagship: FlagshipConfig | None = None
    workload: SyntheticWorkloadConfig = SyntheticWorkloadConfig()
    serving: ServingConfig | None = None
    sample_every_s: float = Field(3600.0, gt=0, description="time-series sampling interval")
    record_timeline: bool = Field(False, description="keep job segments and failures for the trace export")

    @property
    def horizon_s(self) -> float:
        return self.days * 86_400.0
