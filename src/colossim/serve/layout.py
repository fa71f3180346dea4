"""How a model is laid out to serve it: one replica's parallel sizes, precisions, batching and options.

`ServeLayout` is the typed value (validated, with messages that say what to change); `ServeLayoutArrays`
is its structure-of-arrays form, one row per candidate, that the vectorised serving model evaluates.

- tp: GPUs of one pipeline stage. Attention, the dense MLP and every other non-expert weight are split over
  `attention_tp` of them (tensor parallel, an all-reduce after each block; default: all tp); the tp /
  attention_tp groups then serve their own requests with their own copy of those weights (data-parallel
  attention, as SGLang and TensorRT-LLM run DeepSeek: attention_tp 1 is pure attention DP). Tensor
  parallelism stays inside the NVLink domain; data-parallel groups may span nodes;
- ep: expert parallel size over the tp GPUs (experts split over ep GPUs, each expert over tp/ep);
- pp: pipeline stages (layers split; pp micro-batches in flight);
- disaggregated: prefill and decode run on separate replicas of this layout, the KV cache moving between
  them (DistServe, Zhong et al. OSDI 2024; Splitwise, Patel et al. ISCA 2024);
- speculative: draft `draft_tokens` tokens per step and verify them in one target pass; each is accepted with
  probability `acceptance` (Leviathan et al., ICML 2023).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from colossim.models.schema import ModelSpec
from colossim.perf.layout import PRECISION_CODE, PRECISIONS, Precision

KvPrecision = Literal["bf16", "fp8"]
KV_PRECISIONS: tuple[KvPrecision, ...] = ("bf16", "fp8")
KV_CODE = {p: i for i, p in enumerate(KV_PRECISIONS)}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Speculative(_Strict):
    """Speculative decoding (a draft model or multi-token-prediction heads proposing tokens)."""

    draft_tokens: int = Field(ge=1, le=16, description="tokens drafted per step")
    acceptance: float = Field(ge=0.0, lt=1.0, description="probability that each drafted token is accepted")
    draft_cost: float = Field(
        default=0.05, ge=0.0, le=1.0,
        description="time of one drafting step as a fraction of a target decode step (DeepSeek MTP: one extra "
        "layer of 61, ~0.02-0.05; a separate draft model: its size ratio)")


class ServeLayout(_Strict):
    tp: int = Field(default=1, ge=1, description="tensor parallel size (GPUs per pipeline stage)")
    pp: int = Field(default=1, ge=1, description="pipeline stages")
    ep: int = Field(default=1, ge=1, description="expert parallel size over the tp GPUs (MoE)")
    attention_tp: int | None = Field(default=None, ge=1,
                                     description="GPUs that split attention and the non-expert weights; the "
                                     "tp / attention_tp groups serve their own requests (null = tp, no DP)")
    weights: Precision = "fp8"
    kv_cache: KvPrecision = "fp8"
    max_batch: int | None = Field(default=None, ge=1, description="concurrent requests per replica; null = memory")
    token_budget: int | None = Field(default=None, ge=1,
                                     description="tokens per iteration per scheduling GPU (max_num_tokens); "
                                     "null = trtllm-bench's heuristic")
    kv_cache_fraction: float | None = Field(default=None, gt=0, le=1,
                                            description="share of free HBM for the KV cache; null = default")
    disaggregated: bool = False
    speculative: Speculative | None = None

    @property
    def gpus(self) -> int:
        return self.tp * self.pp

    @property
    def atp(self) -> int:
        return self.tp if self.attention_tp is None else self.attention_tp

    @property
    def attention_dp(self) -> int:
        """Data-parallel attention groups in a stage (1: plain tensor parallelism)."""
        return max(self.tp // self.atp, 1)


class ServeLayoutArrays(NamedTuple):
    tp: np.ndarray
    pp: np.ndarray
    ep: np.ndarray
    atp: np.ndarray  # attention tensor-parallel size (tp: no data-parallel attention)
    wprec: np.ndarray  # PRECISION_CODE
    kvprec: np.ndarray  # KV_CODE
    batch_cap: np.ndarray  # inf = memory limit
    budget: np.ndarray  # 0 = heuristic
    kv_frac: np.ndarray  # 0 = serve/calibration.yaml kv_cache_fraction
    disagg: np.ndarray  # 1.0 disaggregated
    spec_k: np.ndarray
    spec_a: np.ndarray
    spec_cost: np.ndarray

    @property
    def rows(self) -> int:
        return int(np.shape(self.tp)[0])

    @property
    def gpus(self) -> np.ndarray:
        return self.tp * self.pp

    @property
    def groups(self) -> np.ndarray:
        """Data-parallel attention groups per stage (GPUs of a stage that hold different requests, / atp)."""
        return self.tp / self.atp


def serve_layout_arrays(*, tp=1, pp=1, ep=1, atp=None, wprec=1, kvprec=1, batch_cap=np.inf, budget=0.0, kv_frac=0.0,
                        disagg=0.0, spec_k=0.0, spec_a=0.0, spec_cost=0.0) -> ServeLayoutArrays:
    """Columns from scalars or arrays (broadcast to one length)."""
    atp = tp if atp is None else atp
    values = dict(tp=tp, pp=pp, ep=ep, atp=atp, wprec=wprec, kvprec=kvprec, batch_cap=batch_cap, budget=budget,
                  kv_frac=kv_frac, disagg=disagg, spec_k=spec_k, spec_a=spec_a, spec_cost=spec_cost)
    arrays = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v, dtype=float)) for v in values.values()))
    return ServeLayoutArrays(*(np.ascontiguousarray(a) for a in arrays))


def from_serve_layouts(layouts: list[ServeLayout]) -> ServeLayoutArrays:
    def col(f):
        return [f(x) for x in layouts]

    spec = [x.speculative for x in layouts]
    return serve_layout_arrays(
        tp=col(lambda x: x.tp), pp=col(lambda x: x.pp), ep=col(lambda x: x.ep),
        atp=col(lambda x: x.atp), wprec=col(lambda x: PRECISION_CODE[x.weights]),
        kvprec=col(lambda x: KV_CODE[x.kv_cache]),
        batch_cap=col(lambda x: np.inf if x.max_batch is None else x.max_batch),
        budget=col(lambda x: 0 if x.token_budget is None else x.token_budget),
        kv_frac=col(lambda x: x.kv_cache_fraction or 0.0),
        disagg=col(lambda x: float(x.disaggregated)),
        spec_k=[s.draft_tokens if s else 0 for s in spec], spec_a=[s.acceptance if s else 0.0 for s in spec],
        spec_cost=[s.draft_cost if s else 0.0 for s in spec],
    )


def row_layout(lay: ServeLayoutArrays, i: int) -> ServeLayout:
    """Row i of a ServeLayoutArrays as a typed layout (for display and round trips)."""
    k = int(lay.spec_k[i])
    spec = (Speculative(draft_tokens=k, acceptance=float(lay.spec_a[i]), draft_cost=float(lay.spec_cost[i]))
            if k else None)
    return ServeLayout(
        tp=int(lay.tp[i]), pp=int(lay.pp[i]), ep=int(lay.ep[i]),
        attention_tp=None if lay.atp[i] == lay.tp[i] else int(lay.atp[i]),
        weights=PRECISIONS[int(lay.wprec[i])], kv_cache=KV_PRECISIONS[int(lay.kvprec[i])],
        max_batch=None if not np.isfinite(lay.batch_cap[i]) else int(lay.batch_cap[i]),
        token_budget=int(lay.budget[i]) or None, kv_cache_fraction=float(lay.kv_frac[i]) or None,
        disaggregated=bool(lay.disagg[i]), speculative=spec)


def layout_label(layout: ServeLayout) -> str:
    """A short human description: 'TP8 EP8', '16 GPUs: attention TP1 x DP16, EP8, PP2', then precisions."""
    if layout.attention_dp > 1:
        parts = [f"{layout.gpus} GPUs: attention TP{layout.atp} x DP{layout.attention_dp}"]
    else:
        parts = [f"TP{layout.tp}"]
    if layout.ep > 1:
        parts.append(f"EP{layout.ep}")
    if layout.pp > 1:
        parts.append(f"PP{layout.pp}")
    text = " ".join(parts) + f", weights {layout.weights}, KV {layout.kv_cache}"
    if layout.token_budget:
        text += f", {layout.token_budget:,} tokens per iteration"
    if layout.disaggregated:
        text += ", prefill/decode disaggregated"
    if layout.speculative:
        text += f", speculative x{layout.speculative.draft_tokens}"
    return text


def _divides(a, b):
    return np.mod(b, np.maximum(a, 1.0)) == 0


def serve_valid_mask(model, lay: ServeLayoutArrays, peak_by_code, nvlink_domain=np.inf) -> np.ndarray:
    """Vectorised twin of `serve_layout_problems` (`model` a ServeModel; `peak_by_code[c]` the GPU's rate at
    precision code c, NaN where it has none)."""
    t, e, a = lay.tp, lay.ep, lay.atp
    heads_ok = _divides(a, model.q_heads) & _divides(a, t)
    kv = model.kv_heads
    kv_ok = np.where(a <= kv, _divides(a, kv), _divides(kv, a)) | (model.mla > 0)
    moe = model.experts > 0
    ep_ok = np.where(moe, _divides(e, t) & _divides(e, model.experts), (e == 1) & (a == t))
    pp_ok = lay.pp <= model.layers
    rate = np.choose(lay.wprec.astype(int), peak_by_code)
    kv_rate = np.where(lay.kvprec > 0, peak_by_code[1], 1.0)
    domain_ok = lay.atp <= nvlink_domain  # tensor parallelism inside the NVLink domain
    return (heads_ok & kv_ok & ep_ok & pp_ok & domain_ok & np.isfinite(rate) & np.isfinite(kv_rate)
            & (lay.spec_a < 1.0))


def serve_layout_problems(model: ModelSpec, layout: ServeLayout) -> list[str]:
    """What is wrong with a layout for a model, each with what to change (empty when it is valid)."""
    out: list[str] = []
    t, a = layout.tp, layout.atp
    if t % a:
        out.append(f"attention_tp={a} must divide tp={t}")
    if model.heads % a:
        out.append(f"attention TP {a} does not divide the {model.heads} attention heads: "
                   f"use a divisor of {model.heads}")
    kv = model.kv_heads or model.heads
    if model.attention != "mla" and (kv % a if a <= kv else a % kv):
        out.append(f"attention TP {a} and the {kv} key/value heads: it must divide them, or be a multiple of them")
    if model.moe is None and (layout.ep > 1 or layout.attention_dp > 1):
        out.append(f"{model.id} is dense: use ep: 1 and no attention_tp (data-parallel attention is for MoE)")
    if model.moe is not None and (t % layout.ep or model.moe.experts % layout.ep):
        out.append(f"ep={layout.ep} must divide tp={t} and the {model.moe.experts} experts")
    if layout.pp > model.layers:
        out.append(f"pp={layout.pp} exceeds the {model.layers} layers")
    return out


__all__ = ["KV_CODE", "KV_PRECISIONS", "KvPrecision", "ServeLayout", "ServeLayoutArrays", "Speculative",
           "from_serve_layouts", "layout_label", "row_layout", "serve_layout_arrays", "serve_layout_problems",
           "serve_valid_mask"]
