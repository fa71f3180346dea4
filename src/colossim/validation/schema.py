"""The schema of measured training runs (shared/validation/README.md): one list item per run."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from colossim.models.schema import Attention, Mlp, check_router_groups
from colossim.perf.hardware import FabricKind
from colossim.perf.layout import MoeDispatcher, RecomputeModule
from colossim.perf.software import CudaGraphs, Fp8Recipe, Framework


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class RunMoe(_Strict):
    experts: int = Field(ge=1)
    top_k: int = Field(ge=1)
    expert_ffn: int = Field(ge=1)
    shared_experts: int = Field(default=0, ge=0)
    first_dense_layers: int = Field(default=0, ge=0)
    capacity_factor: float | None = Field(default=None, gt=0, description="null: dropless")
    router_groups: int | None = Field(default=None, ge=1, description="group-limited routing; null: none")
    router_group_topk: int | None = Field(default=None, ge=1, description="groups a token may use")

    @model_validator(mode="after")
    def _groups(self) -> RunMoe:
        check_router_groups(self.experts, self.router_groups, self.router_group_topk)
        return self


class RunModel(_Strict):
    name: str
    layers: int = Field(ge=1)
    hidden: int = Field(ge=1)
    heads: int = Field(ge=1)
    kv_heads: int | None = Field(default=None, ge=1)
    head_dim: int | None = Field(default=None, ge=1, description="per-head size; null = hidden / heads")
    attention: Attention
    kv_lora_rank: int | None = Field(default=None, ge=1)
    q_lora_rank: int | None = Field(default=None, ge=1)
    qk_rope_head_dim: int | None = Field(default=None, ge=0)
    qk_nope_head_dim: int | None = Field(default=None, ge=1)
    v_head_dim: int | None = Field(default=None, ge=1)
    ffn: int | None = Field(default=None, ge=1)
    mlp: Mlp
    vocab: int | None = Field(default=None, ge=1)
    seq_len: int = Field(ge=1)
    dropout: bool | None = Field(default=None, description="trains with dropout; null: by architecture")
    sliding_window: int | None = Field(default=None, ge=1, description="sliding-window attention span")
    moe: RunMoe | None = None


class RunHardware(_Strict):
    gpu: str
    gpu_count: int = Field(ge=1)
    nvlink_domain: int = Field(ge=1)
    scale_out_gbps_per_gpu: float | None = Field(default=None, gt=0)
    fabric: FabricKind | None = Field(default=None, description="null: the family's usual (InfiniBand)")
    power_cap_w: float | None = Field(default=None, gt=0, description="null: the GPU's TDP")


class RunParallelism(_Strict):
    tp: int = Field(ge=1)
    pp: int = Field(ge=1)
    dp: int = Field(ge=1)
    cp: int = Field(default=1, ge=1)
    ep: int = Field(default=1, ge=1)
    vpp: int | None = Field(default=None, ge=1)
    sp: bool | None = None
    zero_stage: Literal[0, 1, 2, 3] | None = None


class RunBatch(_Strict):
    global_batch_seqs: int = Field(ge=1)
    micro_batch: int | None = Field(default=None, ge=1)


class RunTarget(_Strict):
    step_time_s: float = Field(gt=0)
    derived_from: str


class ValidationRun(_Strict):
    id: str = Field(min_length=1)
    source: str = Field(min_length=3)
    reliability: Literal["high", "medium"]
    model: RunModel
    hardware: RunHardware
    parallelism: RunParallelism
    batch: RunBatch
    recompute: Literal["none", "selective", "full"] | None = None
    precision: Literal["bf16", "fp8", "fp4"]
    framework: Framework | None = Field(default=None, description="null: read from the source")
    framework_release: date | None = Field(default=None, description="null: read from the source")
    cuda_graphs: CudaGraphs | None = Field(default=None, description="null: the framework's default")
    fp8_recipe: Fp8Recipe | None = Field(default=None, description="null: the framework's default")
    moe_dispatcher: MoeDispatcher | None = Field(default=None, description="null: the framework's default")
    ep_overlap: bool | None = Field(
        default=None, description="expert-parallel all-to-all overlapped with the other micro-batch's compute "
        "(Megatron-Core overlap_moe_expert_parallel_comm); null: the framework's default")
    recompute_modules: list[RecomputeModule] | None = Field(
        default=None, min_length=1, description="with recompute: selective, the modules re-run (Megatron-Core "
        "recompute_modules); null: the lightest saving that fits, or core_attn with recompute: selective")
    target: RunTarget
    published: dict[str, Any] = {}

    @model_validator(mode="after")
    def _modules_need_selective(self) -> ValidationRun:
        if self.recompute_modules is not None and self.recompute != "selective":
            raise ValueError("recompute_modules apply to recompute: selective (set recompute: selective)")
        return self


class ValidationFile(BaseModel):
    """A runs file is a YAML list of runs."""

    runs: list[ValidationRun]


__all__ = [
    "RunBatch",
    "RunHardware",
    "RunModel",
    "RunMoe",
    "RunParallelism",
    "RunTarget",
    "ValidationFile",
    "ValidationRun",
]
