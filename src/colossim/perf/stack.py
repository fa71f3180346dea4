"""A framework's stack as layout defaults: the Software value of a release (perf/software.yaml) and the
Layout switches that follow from it (overlaps, MoE dispatcher, gradient-reduction precision, FP8 primary
weights, the default ZeRO stage). One place, used by the validation defaults and the plan search."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from colossim.perf.layout import Layout, Overlap
from colossim.perf.software import Framework, Release, Software, software_defaults

NVIDIA_RECIPES: tuple[Framework, ...] = ("nemo", "megatron_bridge")  # FP8 weights, DeepEP dispatcher
FSDP_TRAINERS: tuple[Framework, ...] = ("torchtitan", "pytorch_fsdp", "llm_foundry", "meta_llama3")  # ZeRO-3
FP32_REDUCE: tuple[Framework, ...] = ("torchtitan", "pytorch_fsdp")  # reduce dtype float32 by default


@dataclass(frozen=True)
class Stack:
    software: Software
    release: Release

    @property
    def framework(self) -> Framework:
        return self.software.framework

    @property
    def default_zero(self) -> int:
        """ZeRO-3 for FSDP trainers, else 1 (Megatron's distributed optimizer, on in NVIDIA's recipes)."""
        return 3 if self.framework in FSDP_TRAINERS else 1

    @property
    def grad_reduce_fp32(self) -> bool:
        """FP32 in torchtitan and PyTorch FSDP (their reduce dtype default), BF16 elsewhere (Megatron's
        grad_reduce_in_fp32 default False; NVIDIA's recipes set it False)."""
        return self.framework in FP32_REDUCE

    def fp8_params(self, precision: str) -> bool:
        """FP8 primary weights in NeMo / Megatron-Bridge FP8 recipes (fp8_param_gather=True)."""
        return precision == "fp8" and self.framework in NVIDIA_RECIPES

    def dispatcher(self, moe: bool, ep: int) -> str:
        """DeepEP (one copy per destination NVLink domain) in Megatron-Bridge MoE recipes with ep > 1."""
        return "deepep" if moe and ep > 1 and self.framework == "megatron_bridge" else "alltoall"

    def overlap(self, sp: bool, ep: int) -> Overlap:
        r = self.release
        return Overlap(tp=sp and r.tp_comm_overlap, cp=True, ep=r.ep_overlap and ep > 1, pp=True, dp=r.dp_overlap)

    def vpp(self, layers: int, pp: int) -> int:
        """The framework's interleaving when a run does not state it: 1 (plain 1F1B) unless the release names
        layers per virtual stage."""
        per_stage = self.release.layers_per_virtual_stage
        return 1 if per_stage is None or pp < 2 else max(1, round(layers / pp / per_stage))

    def template(self, precision: str = "bf16", moe: bool = False) -> Layout:
        """The switches the plan search does not turn, for layouts on this stack."""
        return Layout(global_batch=1, precision=precision, overlap=self.overlap(True, 2 if moe else 1),
                      moe_dispatcher=self.dispatcher(moe, 2), grad_reduce_fp32=self.grad_reduce_fp32,  # type: ignore[arg-type]
                      fp8_params=self.fp8_params(precision), software=self.software)


DEFAULT_FRAMEWORK: Framework = "megatron_bridge"  # what plan, train, compare and the report assume unless told


def framework_stack(framework: Framework = DEFAULT_FRAMEWORK, release: date | None = None,
                    blackwell: bool = False) -> Stack:
    software, rel = software_defaults(framework, release, blackwell)
    return Stack(software, rel)


def default_template(moe: bool, blackwell: bool) -> Layout:
    """The stack every command plans on when the user names none: the newest release of the default
    framework (one answer: plan, train, compare, the report and sweeps all start here)."""
    return framework_stack(DEFAULT_FRAMEWORK, None, blackwell).template(moe=moe)


__all__ = ["DEFAULT_FRAMEWORK", "FP32_REDUCE", "FSDP_TRAINERS", "NVIDIA_RECIPES", "Stack", "default_template",
           "framework_stack"]
