"""Settings of one operations simulation, validated by pydantic (`extra="forbid"`).

Every default that is a number from the literature says where it comes from; `None` means "take the
sourced default from colossim.ops.defaults (colossim.reliability presets when installed)".
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from colossim.ops.fit import ProfileName
from colossim.ops.placement import PlacementConfig, TopologyPlacement
from colossim.ops.policies import BackfillConfig, PolicyConfig
from colossim.ops.spares import NoSpares, SparesConfig
from colossim.reliability.presets import FailurePresetName


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FailureConfig(_Strict):
    """Node failures: one superposed exponential clock per pool (rate = up nodes x per-node rate)."""

    enabled: bool = True
    preset: FailurePresetName = Field(
        "llama3_h100", description="colossim.reliability preset for the default rate"
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

    automated_h: float | None = Field(None, gt=0)
    manual_h: float | None = Field(None, gt=0)
    escalate_share: float | None = Field(None, ge=0, le=1)


class RecoveryConfig(_Strict):
    """Checkpoint/restart of ordinary jobs (the flagship has its own). Work since the last checkpoint
    is lost on an interruption; every restart costs restart_s. 'young'/'daly' pick each job's interval
    from its own MTTF (1 / (its nodes x the pool's node failure rate))."""

    checkpoint_interval: float | Literal["young", "daly"] = Field(
        "daly", description="seconds of compute between checkpoints, or the Young/Daly optimum per job"
    )
    checkpoint_write_s: float = Field(30.0, ge=0, description="blocking write time per checkpoint (estimate)")
    restart_s: float | None = Field(None, ge=0, description="None = Lablup median auto-retry 660 s")

    @model_validator(mode="after")
    def _interval(self) -> RecoveryConfig:
        if isinstance(self.checkpoint_interval, str) and self.checkpoint_write_s <= 0:
            raise ValueError(
                "the Young/Daly interval needs checkpoint_write_s > 0; give checkpoint_interval in seconds"
            )
        if not isinstance(self.checkpoint_interval, str) and self.checkpoint_interval <= 0:
            raise ValueError("checkpoint_interval must be > 0 seconds (or 'young' / 'daly')")
        return self


class FlagshipConfig(_Strict):
    """One large training run with its own checkpoint/restart behaviour (plain numbers; the perf model
    would supply ideal_days from step time x steps)."""

    gpus: int = Field(
        98_304, ge=1, description="estimate: ~100k H100 (Grok 3 pre-training, colossus_facts sec. 10)"
    )
    gpu_type: str | None = Field("h100_sxm5", description="catalog GPU id, or null for any pool")
    submit_day: float = Field(64.0, ge=0, description="days after the start (64 = 3 Sep 2024 for Colossus)")
    ideal_days: float = Field(90.0, gt=0, description="compute time with no failures and no checkpoints")
    checkpoint_interval: float | Literal["young", "daly"] = Field(
        "daly",
        description="seconds of compute between checkpoints, or the Young/Daly optimum for the job's MTTF",
    )
    checkpoint_write_s: float = Field(30.0, ge=0, description="blocking checkpoint write (estimate)")
    restart_s: float = Field(600.0, ge=0, description="restart after an interruption (estimate, 10 min)")
    priority: int = 10

    @model_validator(mode="after")
    def _positive_interval(self) -> FlagshipConfig:
        if isinstance(self.checkpoint_interval, float | int) and self.checkpoint_interval <= 0:
            raise ValueError("checkpoint_interval must be > 0 seconds (or 'young' / 'daly')")
        return self


class SyntheticWorkloadConfig(_Strict):
    """Jobs drawn from distributions fitted to a real trace summary (see colossim.ops.fit)."""

    kind: Literal["synthetic"] = "synthetic"
    profile: ProfileName = "acme_kalos"
    jobs: int = Field(100_000, ge=0, description="jobs submitted over the simulated period")
    target_load: float = Field(0.5, gt=0, le=2.0, description="offered GPU-time / in-service GPU-time")
    scaling: Literal["both", "size", "duration", "none"] = Field(
        "both",
        description="how the trace's jobs are scaled to reach target_load: sizes (power-of-two steps), "
        "run times, both (half each in log scale), or none (use size_scale, duration_scale)",
    )
    size_scale: float = Field(1.0, gt=0, description="only with scaling: none")
    duration_scale: float = Field(1.0, gt=0, description="only with scaling: none")
    duration_model: Literal["lognormal", "philly_empirical"] = "lognormal"
    arrivals: Literal["uniform", "capacity"] = Field(
        "capacity", description="Poisson arrivals at a constant rate, or at a rate following in-service GPUs"
    )
    max_job_share: float = Field(0.5, gt=0, le=1, description="largest job as a share of the largest pool")
    pretrain_share: float = Field(
        0.02, ge=0, le=1, description="top share of jobs by GPU time labelled pretrain"
    )
    finetune_share: float = Field(0.18, ge=0, le=1, description="next share labelled finetune; the rest eval")


class OpsConfig(_Strict):
    days: float = Field(365.0, gt=0)
    seed: int = Field(1, ge=0)
    policy: PolicyConfig = BackfillConfig()
    placement: PlacementConfig = TopologyPlacement()
    spares: SparesConfig = NoSpares()
    failures: FailureConfig = FailureConfig()
    repair: RepairConfig = RepairConfig()
    recovery: RecoveryConfig = RecoveryConfig()
    flagship: FlagshipConfig | None = None
    workload: SyntheticWorkloadConfig = SyntheticWorkloadConfig()
    sample_every_s: float = Field(3600.0, gt=0, description="time-series sampling interval")
    record_timeline: bool = Field(False, description="keep job segments and failures for the trace export")

    @property
    def horizon_s(self) -> float:
        return self.days * 86_400.0
