"""Typed transformer architectures: dense or mixture-of-experts, with MHA, GQA or MLA attention.

A `ModelSpec` is one entry of the model zoo (models/data/zoo.yaml) or a user's own YAML entry.
Shapes only: what the performance model needs to count parameters, FLOPs, bytes and activations.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Attention = Literal["mha", "gqa", "mla"]
Mlp = Literal["plain", "gated"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MlaSpec(_Strict):
    """DeepSeek-V2/V3 multi-head latent attention (arXiv 2405.04434 section 2.1)."""

    kv_lora_rank: int = Field(ge=1, description="compressed key/value latent size")
    q_lora_rank: int | None = Field(
        default=None, ge=1, description="compressed query size; null = no query compression"
    )
    qk_rope_head_dim: int = Field(ge=0, description="per-head rotary part of queries and keys")
    qk_nope_head_dim: int = Field(ge=1, description="per-head non-rotary part of queries and keys")
    v_head_dim: int = Field(ge=1, description="per-head value size")


class MoeSpec(_Strict):
    experts: int = Field(ge=1, description="routed experts per MoE layer")
    top_k: int = Field(ge=1, description="routed experts each token visits")
    expert_ffn: int = Field(ge=1, description="hidden size of one expert's MLP")
    shared_experts: int = Field(default=0, ge=0, description="always-on experts of expert_ffn size")
    first_dense_layers: int = Field(
        default=0, ge=0, description="leading layers with a dense MLP instead of MoE"
    )
    capacity_factor: float | None = Field(
        default=None, gt=0, allow_inf_nan=False,
        description="expert capacity / mean tokens per expert (tokens beyond it are dropped); null = dropless",
    )
    router_groups: int | None = Field(
        default=None, ge=1,
        description="group-limited routing: the experts form this many equal groups of consecutive experts "
        "(Megatron-Core moe_router_num_groups, DeepSeek-V3 n_group); null = no group limit",
    )
    router_group_topk: int | None = Field(
        default=None, ge=1,
        description="groups each token's experts may come from (moe_router_group_topk, DeepSeek-V3 "
        "topk_group); set with router_groups",
    )

    @model_validator(mode="after")
    def _top_k_fits(self) -> MoeSpec:
        if self.top_k > self.experts:
            raise ValueError(f"top_k={self.top_k} exceeds experts={self.experts}: use top_k <= experts")
        check_router_groups(self.experts, self.router_groups, self.router_group_topk)
        return self


def check_router_groups(experts: int, groups: int | None, group_topk: int | None) -> None:
    """Group-limited routing must name both numbers, split the experts evenly and choose at most all groups."""
    if (groups is None) != (group_topk is None):
        raise ValueError("router_groups and router_group_topk go together: set both or neither")
    if groups is None or group_topk is None:
        return
    if experts % groups:
        raise ValueError(f"router_groups={groups} does not divide experts={experts}: use a divisor of {experts}")
    if group_topk > groups:
        raise ValueError(f"router_group_topk={group_topk} exceeds router_groups={groups}: use at most {groups}")


class ModelSpec(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.\-]*$")
    name: str
    aliases: tuple[str, ...] = ()
    source: str = Field(min_length=3)
    estimate: bool = False
    estimate_reasoning: str = Field(default="", description="why the estimated numbers are what they are")
    layers: int = Field(ge=1)
    hidden: int = Field(ge=1)
    heads: int = Field(ge=1)
    kv_heads: int | None = Field(default=None, ge=1, description="key/value heads; null for MLA")
    head_dim: int | None = Field(default=None, ge=1, description="per-head size; null = hidden / heads")
    attention: Attention
    mla: MlaSpec | None = None
    ffn: int | None = Field(
        default=None, ge=1, description="dense MLP hidden size (dense layers of an MoE model)"
    )
    mlp: Mlp
    vocab: int = Field(ge=1)
    seq_len: int = Field(ge=1, description="training sequence length")
    tied_embeddings: bool = False
    global_batch: int | None = Field(
        default=None, ge=1, description="sequences per optimizer step as published (the plan search's default)")
    global_batch_source: str = Field(default="", description="where the published batch comes from")
    dropout: bool = Field(
        default=False, description="hidden and attention dropout in training (GPT-3-era models; Llama-style "
        "models train without)")
    sliding_window: int | None = Field(
        default=None, ge=1, description="sliding-window attention: keys each query attends; null = full")
    sliding_window_share: float = Field(
        default=1.0, ge=0, le=1, allow_inf_nan=False,
        description="share of layers that use the sliding window (e.g. 0.5 when they alternate with full)")
    moe: MoeSpec | None = None

    @model_validator(mode="after")
    def _consistent(self) -> ModelSpec:
        if self.attention == "mla":
            if self.mla is None:
                raise ValueError(
                    "attention 'mla' needs an `mla` mapping (kv_lora_rank, qk_rope_head_dim, ...)"
                )
        else:
            if self.mla is not None:
                raise ValueError(f"`mla` is only for attention 'mla', not '{self.attention}': remove it")
            if self.kv_heads is None:
                raise ValueError(f"attention '{self.attention}' needs kv_heads")
            if self.attention == "mha" and self.kv_heads != self.heads:
                raise ValueError(f"mha needs kv_heads == heads ({self.heads}); use attention 'gqa' for fewer")
            if self.attention == "gqa" and (self.kv_heads > self.heads or self.heads % self.kv_heads):
                raise ValueError(f"gqa needs kv_heads dividing heads={self.heads} (got {self.kv_heads})")
        if self.head_dim is None and self.hidden % self.heads:
            raise ValueError(f"hidden={self.hidden} is not a multiple of heads={self.heads}: give head_dim")
        if self.moe is not None and self.moe.first_dense_layers > self.layers:
            raise ValueError("moe.first_dense_layers exceeds layers")
        if self.dense_layers > 0 and self.ffn is None:
            raise ValueError("ffn is needed for the dense MLP layers")
        if self.global_batch is not None and not self.global_batch_source:
            raise ValueError("global_batch needs global_batch_source (where it was published)")
        if self.estimate and not self.estimate_reasoning:
            raise ValueError("an estimated model needs estimate_reasoning")
        return self

    @property
    def moe_layers(self) -> int:
        return 0 if self.moe is None else self.layers - self.moe.first_dense_layers

    @property
    def dense_layers(self) -> int:
        return self.layers - self.moe_layers

    @property
    def dim_per_head(self) -> int:
        return self.head_dim if self.head_dim is not None else self.hidden // self.heads


__all__ = ["Attention", "Mlp", "MlaSpec", "MoeSpec", "ModelSpec", "check_router_groups"]
