"""The software stack a training run uses, as typed fields the step model reads: which framework (and so
which family of kernels and schedules), CUDA graphs, fused kernels, the FP8 scaling recipe, MoE token
routing, FSDP behaviour and the host's per-kernel cost.

`Software` is the typed value a layout carries; `software_defaults(framework, release, gpu_family)` gives
the documented defaults of a framework at a release date (software.yaml), which the validation uses for
runs that do not state them and the plan search uses for the stack the user names.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from colossim.inputs import input_error, parse_yaml_text, validate

SOFTWARE_FILE = "colossim/perf/software.yaml"

Framework = Literal[
    "megatron_lm", "nemo", "megatron_bridge", "megascale", "torchtitan", "pytorch_fsdp", "llm_foundry",
    "deepspeed", "meta_llama3", "generic",
]
FrameworkFamily = Literal["megatron_lm", "nemo", "pytorch", "deepspeed", "meta", "generic"]
CudaGraphs = Literal["none", "layer", "full"]
CpComm = Literal["ring", "all_gather"]
AttentionKernel = Literal["fa2", "fa3"]
Fp8Recipe = Literal["delayed", "current", "blockwise", "mxfp8"]
FsdpReshard = Literal["always", "never", "auto"]

FRAMEWORKS: tuple[Framework, ...] = Framework.__args__  # type: ignore[attr-defined]
CUDA_GRAPHS: tuple[CudaGraphs, ...] = ("none", "layer", "full")
FP8_RECIPES: tuple[Fp8Recipe, ...] = ("delayed", "current", "blockwise", "mxfp8")
GRAPH_CODE = {g: i for i, g in enumerate(CUDA_GRAPHS)}
FP8_RECIPE_CODE = {r: i for i, r in enumerate(FP8_RECIPES)}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Software(_Strict):
    """What the framework does on the GPU and the host (defaults: a current Megatron-Core stack)."""

    framework: Framework = Field(default="megatron_lm", description="the training framework")
    cuda_graphs: CudaGraphs = Field(
        default="none", description="none: every kernel launched from the host; layer: each transformer layer's "
        "forward and backward captured once and replayed; full: the whole iteration replayed")
    fused_kernels: bool = Field(
        default=True, description="fused norm, rotary, bias-activation and cross-entropy kernels (Transformer "
        "Engine, Apex, torch.compile); false: one kernel per PyTorch operator")
    flash_attention: bool = Field(default=True, description="fused (flash) attention; false: unfused softmax")
    attention_kernel: AttentionKernel = Field(
        default="fa3", description="fused attention kernel: fa3 (FlashAttention-3 / cuDNN / Transformer Engine, "
        "using Hopper's and Blackwell's asynchronous tensor cores) or fa2 (FlashAttention-2, written for Ampere)")
    fp8_recipe: Fp8Recipe = Field(
        default="delayed", description="FP8 scaling: delayed (amax history, per tensor), current (per tensor, "
        "an extra amax pass), blockwise (1x128 / 128x128 blocks, Hopper), mxfp8 (1x32 blocks, Blackwell)")
    moe_grouped_gemm: bool = Field(default=True, description="all local experts in one grouped GEMM call")
    moe_host_sync: bool = Field(
        default=True, description="the host waits for the tokens-per-expert counts once per MoE layer in the "
        "forward and once in the backward (dropless all-to-all and grouped GEMM sizes)")
    fsdp_reshard: FsdpReshard = Field(
        default="auto", description="ZeRO-3/FSDP: free the gathered weights after the forward (always), keep "
        "them until the backward (never), or keep them only with pipeline parallelism (auto, torchtitan's rule)")
    fsdp_prefetch: int = Field(default=1, ge=0, le=8, description="ZeRO-3/FSDP units gathered ahead of use")
    grad_sync_every_microbatch: bool = Field(
        default=False, description="ZeRO-2/3 reduce-scatter the gradients on every micro-batch (DeepSpeed, FSDP "
        "without no_sync); false: accumulate locally and reduce once per step (Megatron)")
    cp_comm: CpComm = Field(
        default="ring", description="context parallelism: ring exchange of K/V blocks overlapped with attention "
        "(Megatron), or an all-gather of K/V before attention on the critical path (Meta's Llama 3)")

    @property
    def host_syncs(self) -> bool:
        """Whether MoE layers wait on the host (a captured CUDA graph cannot)."""
        return self.moe_host_sync and self.cuda_graphs == "none"

    @property
    def family(self) -> FrameworkFamily:
        return framework_family(self.framework)


def framework_family(framework: Framework) -> FrameworkFamily:
    """The lineage a framework belongs to (the groups of leave-one-family-out cross-validation)."""
    return load_software_defaults().frameworks[framework].family


# ------------------------------------------------------------------ defaults by framework and date


class Release(_Strict):
    since: date
    cuda_graphs: CudaGraphs
    fused_kernels: bool
    flash_attention: bool
    attention_kernel: AttentionKernel = "fa3"
    fp8_recipe_hopper: Fp8Recipe
    fp8_recipe_blackwell: Fp8Recipe
    moe_grouped_gemm: bool
    moe_host_sync: bool
    dp_overlap: bool = Field(description="Layout.overlap.dp default: bucketed gradient reduce-scatter in the "
                             "backward, parameter all-gather in the next forward")
    tp_comm_overlap: bool = Field(description="Layout.overlap.tp default: TP collectives overlapped with GEMMs")
    ep_overlap: bool = Field(default=False, description="Layout.overlap.ep default: MoE all-to-all overlapped "
                             "with another micro-batch's compute (combined 1F1B / DualPipe-style schedules)")
    layers_per_virtual_stage: int | None = Field(
        default=None, ge=1, description="interleaved schedule when a run states no vpp: layers per virtual "
        "stage; null = plain 1F1B")
    source: str = Field(min_length=3)


class FrameworkDefaults(_Strict):
    family: FrameworkFamily
    name: str
    keywords: tuple[str, ...] = Field(description="words in a run's source that name this framework")
    fsdp_reshard: FsdpReshard
    fsdp_prefetch: int = Field(ge=0)
    grad_sync_every_microbatch: bool
    cp_comm: CpComm = "ring"
    releases: tuple[Release, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _sorted(self) -> FrameworkDefaults:
        days = [r.since for r in self.releases]
        if days != sorted(days):
            raise ValueError("releases must be listed oldest first")
        return self

    def at(self, day: date | None) -> Release:
        """The release in force on `day` (the newest when no date is known)."""
        if day is None:
            return self.releases[-1]
        current = self.releases[0]
        for r in self.releases:
            if r.since <= day:
                current = r
        return current


class SoftwareDefaults(_Strict):
    host_us_per_kernel: float = Field(gt=0, description="host time to dispatch one kernel from eager PyTorch")
    graph_launch_us: float = Field(ge=0, description="host time to replay one captured CUDA graph")
    gpu_us_per_kernel: float = Field(ge=0, description="GPU idle gap between dependent kernels (launch latency)")
    host_sync_us: float = Field(ge=0, description="one device-to-host synchronisation and the refill after it")
    step_host_s: float = Field(ge=0, description="per optimizer step host work outside the layers")
    source: str = Field(min_length=3)
    frameworks: dict[Framework, FrameworkDefaults]

    @model_validator(mode="after")
    def _every_framework(self) -> SoftwareDefaults:
        missing = sorted(set(FRAMEWORKS) - set(self.frameworks))
        if missing:
            raise ValueError(f"frameworks lacks {', '.join(missing)}")
        return self


@lru_cache(maxsize=1)
def load_software_defaults() -> SoftwareDefaults:
    text = (resources.files("colossim.perf") / "software.yaml").read_text(encoding="utf-8")
    return validate(parse_yaml_text(text, SOFTWARE_FILE), SoftwareDefaults, SOFTWARE_FILE)


def software_defaults(framework: Framework = "megatron_lm", release: date | None = None,
                      blackwell: bool = False) -> tuple[Software, Release]:
    """The framework's documented stack at `release` (newest when None) on a Hopper-or-older (or a
    Blackwell) GPU, and the release entry it came from (for its schedule default and source)."""
    d = load_software_defaults()
    if framework not in d.frameworks:
        raise input_error("software", f"unknown framework '{framework}'", f"use one of {', '.join(FRAMEWORKS)}")
    fw = d.frameworks[framework]
    r = fw.at(release)
    sw = Software(
        framework=framework, cuda_graphs=r.cuda_graphs, fused_kernels=r.fused_kernels,
        flash_attention=r.flash_attention, attention_kernel=r.attention_kernel,
        fp8_recipe=r.fp8_recipe_blackwell if blackwell else r.fp8_recipe_hopper,
        moe_grouped_gemm=r.moe_grouped_gemm, moe_host_sync=r.moe_host_sync,
        fsdp_reshard=fw.fsdp_reshard, fsdp_prefetch=fw.fsdp_prefetch,
        grad_sync_every_microbatch=fw.grad_sync_every_microbatch, cp_comm=fw.cp_comm,
    )
    return sw, r


__all__ = [
    "CUDA_GRAPHS",
    "AttentionKernel",
    "CpComm",
    "CudaGraphs",
    "FP8_RECIPES",
    "FP8_RECIPE_CODE",
    "FRAMEWORKS",
    "Fp8Recipe",
    "Framework",
    "FrameworkDefaults",
    "FrameworkFamily",
    "FsdpReshard",
    "GRAPH_CODE",
    "Release",
    "Software",
    "SoftwareDefaults",
    "framework_family",
    "load_software_defaults",
    "software_defaults",
]
