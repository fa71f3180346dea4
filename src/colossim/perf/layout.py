"""How a training run is laid out on the GPUs: parallel sizes, batch, recompute, precision, overlap.

`Layout` is the typed value (one run, validated with messages that say what to change);
`LayoutArrays` is the structure-of-arrays form that the vectorised step model evaluates, one row per
candidate layout. `layout_problems` explains a bad layout; `valid_mask` is its vectorised twin.

Rank order is Megatron-Core's: tensor (innermost), context, data, pipeline (outermost); expert
parallel ranks are taken from the tensor x context x data plane with the expert-tensor group innermost.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from colossim.inputs import InputError, InputProblem
from colossim.models.schema import ModelSpec
from colossim.perf.software import FP8_RECIPE_CODE, GRAPH_CODE, Software

Precision = Literal["bf16", "fp8", "fp4"]
Recompute = Literal["none", "selective", "full"]
PipelineSplit = Literal["even", "uneven"]
ZeroStage = Literal[0, 1, 2, 3]
MoeDispatcher = Literal["alltoall", "deepep"]
# Megatron-Core `recompute_modules` (recompute_granularity: selective): the sub-modules whose forward is
# re-run in the backward pass instead of keeping their activations (Megatron-Core TransformerConfig docs)
RecomputeModule = Literal["core_attn", "layernorm", "mla_up_proj", "mlp", "moe_act"]

PRECISIONS: tuple[Precision, ...] = ("bf16", "fp8", "fp4")
RECOMPUTES: tuple[Recompute, ...] = ("none", "selective", "full")
RECOMPUTE_MODULES: tuple[RecomputeModule, ...] = ("core_attn", "layernorm", "mla_up_proj", "mlp", "moe_act")
PRECISION_CODE = {p: i for i, p in enumerate(PRECISIONS)}
RECOMPUTE_CODE = {r: i for i, r in enumerate(RECOMPUTES)}
MODULE_BIT = {name: 1 << i for i, name in enumerate(RECOMPUTE_MODULES)}  # bits of LayoutArrays.rc_modules
DEFAULT_MODULES: tuple[RecomputeModule, ...] = ("core_attn",)  # Megatron-Core's default recompute_modules


def module_mask(modules) -> int:
    """Bit mask (MODULE_BIT) of a list of recompute module names."""
    return sum(MODULE_BIT[name] for name in set(modules))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Overlap(_Strict):
    """Which communications run concurrently with compute (framework switches)."""

    tp: bool = Field(
        default=True, description="TP all-gather/reduce-scatter overlapped with GEMMs (needs sp)"
    )
    cp: bool = Field(default=True, description="context-parallel ring exchange overlapped with attention")
    ep: bool = Field(default=False, description="MoE all-to-all overlapped with other micro-batches' compute")
    pp: bool = Field(default=True, description="pipeline send/receive overlapped with compute")
    dp: bool = Field(
        default=True, description="gradient reduce and parameter gather overlapped (and ZeRO-3 prefetch)"
    )


class Layout(_Strict):
    tp: int = Field(default=1, ge=1, description="tensor parallel size")
    pp: int = Field(default=1, ge=1, description="pipeline parallel size")
    dp: int = Field(default=1, ge=1, description="data parallel size")
    cp: int = Field(default=1, ge=1, description="context parallel size")
    ep: int = Field(default=1, ge=1, description="expert parallel size (MoE)")
    etp: int = Field(default=1, ge=1, description="expert tensor parallel size (MoE)")
    vpp: int = Field(
        default=1, ge=1, description="virtual pipeline stages per rank (interleaved 1F1B when > 1)"
    )
    pp_split: PipelineSplit = Field(default="even", description="uneven: stages may differ by a layer")
    sp: bool = Field(default=True, description="sequence parallelism with TP (ignored when tp == 1)")
    zero_stage: ZeroStage = Field(
        default=1, description="0 plain DP, 1 sharded optimizer, 2 + grads, 3 + weights"
    )
    micro_batch: int = Field(default=1, ge=1, description="sequences per micro-batch")
    global_batch: int = Field(ge=1, description="sequences per optimizer step")
    recompute: Recompute = "none"
    recompute_modules: tuple[RecomputeModule, ...] = Field(
        default=DEFAULT_MODULES,
        min_length=1,
        description="with recompute: selective, the modules re-run in the backward pass (Megatron-Core "
        "recompute_modules): core_attn, layernorm, mla_up_proj (MLA), mlp (dense MLP), moe_act (experts' "
        "activation function)",
    )
    recompute_layers: int | None = Field(
        default=None,
        ge=1,
        description="with recompute: full, recompute only this many layers of each model chunk (Megatron "
        "recompute_method: block, recompute_num_layers); null = every layer",
    )
    activation_offload: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="fraction of each rank's layers whose saved activations are copied to host memory in the "
        "forward pass and back in the backward pass (Megatron cpu_offloading_num_layers / layers)",
    )
    precision: Precision = "bf16"
    fp8_params: bool = Field(
        default=False,
        description="FP8 primary weights: the weights live in FP8 (no BF16 copy) and are gathered in FP8 "
        "(Transformer Engine fp8_model_init, Megatron fp8_param_gather); needs precision: fp8",
    )
    overlap: Overlap = Overlap()
    moe_dispatcher: MoeDispatcher = Field(
        default="alltoall",
        description="alltoall: one copy per routed expert (Megatron default); deepep: one copy "
        "per destination NVLink domain, fanned out over NVLink (DeepEP / HybridEP)",
    )
    grad_reduce_fp32: bool = Field(default=True, description="reduce gradients in FP32 (Megatron main grads)")
    software: Software = Field(default=Software(), description="the framework and its kernel/graph features")

    @property
    def gpus(self) -> int:
        return self.tp * self.pp * self.dp * self.cp

    @model_validator(mode="after")
    def _switches_match_modes(self) -> Layout:
        if self.recompute_layers is not None and self.recompute != "full":
            raise ValueError("recompute_layers applies to recompute: full (set recompute: full or drop it)")
        if self.recompute != "selective" and tuple(self.recompute_modules) != DEFAULT_MODULES:
            raise ValueError("recompute_modules apply to recompute: selective (set recompute: selective)")
        if len(set(self.recompute_modules)) != len(self.recompute_modules):
            raise ValueError("recompute_modules lists a module twice")
        if self.fp8_params and self.precision != "fp8":
            raise ValueError("fp8_params needs precision: fp8")
        return self


class LayoutArrays(NamedTuple):
    """Layouts as columns. Sizes are float64 (they enter formulas), codes are small ints, switches bool."""

    tp: np.ndarray
    pp: np.ndarray
    dp: np.ndarray
    cp: np.ndarray
    ep: np.ndarray
    etp: np.ndarray
    vpp: np.ndarray
    mbs: np.ndarray
    gbs: np.ndarray
    zero: np.ndarray  # 0..3
    recompute: np.ndarray  # RECOMPUTE_CODE
    precision: np.ndarray  # PRECISION_CODE
    uneven: np.ndarray  # bool: pp_split == "uneven"
    sp: np.ndarray  # bool
    ovl_tp: np.ndarray
    ovl_cp: np.ndarray
    ovl_ep: np.ndarray
    ovl_pp: np.ndarray
    ovl_dp: np.ndarray
    grad_fp32: np.ndarray
    ep_dedup: np.ndarray  # bool: moe_dispatcher == "deepep"
    rc_modules: np.ndarray  # MODULE_BIT mask of recompute_modules (used with recompute == selective)
    rc_layers: np.ndarray  # layers per model chunk fully recomputed with recompute == full (inf: all)
    offload: np.ndarray  # fraction of the rank's layers whose activations go to host memory
    fp8_params: np.ndarray  # bool: FP8 primary weights
    graphs: np.ndarray  # GRAPH_CODE of software.cuda_graphs (0 none, 1 layer, 2 full)
    fused: np.ndarray  # bool: fused element-wise kernels
    flash: np.ndarray  # bool: fused (flash) attention
    fa2: np.ndarray  # bool: the fused attention is FlashAttention-2 (no Hopper/Blackwell asynchronous path)
    fp8_recipe: np.ndarray  # FP8_RECIPE_CODE
    grouped: np.ndarray  # bool: grouped GEMM for the local experts
    host_sync: np.ndarray  # bool: MoE layers wait on the host (no CUDA graph)
    fsdp_keep: np.ndarray  # bool: ZeRO-3 keeps gathered weights from the forward to the backward
    prefetch: np.ndarray  # ZeRO-3 units gathered ahead of use
    grad_sync: np.ndarray  # bool: ZeRO-2/3 reduce gradients on every micro-batch
    cp_gather: np.ndarray  # bool: context parallelism all-gathers K/V on the critical path (else a ring)

    @property
    def rows(self) -> int:
        return int(np.size(self.tp))

    @property
    def gpus(self) -> np.ndarray:
        return self.tp * self.pp * self.dp * self.cp


_FLOAT = ("tp", "pp", "dp", "cp", "ep", "etp", "vpp", "mbs", "gbs", "rc_layers", "offload", "prefetch")
_INT = ("zero", "recompute", "precision", "rc_modules", "graphs", "fp8_recipe")


def layout_arrays(
    *,
    tp=1,
    pp=1,
    dp=1,
    cp=1,
    ep=1,
    etp=1,
    vpp=1,
    mbs=1,
    gbs,
    zero=1,
    recompute=0,
    precision=0,
    uneven=False,
    sp=True,
    ovl_tp=True,
    ovl_cp=True,
    ovl_ep=False,
    ovl_pp=True,
    ovl_dp=True,
    grad_fp32=True,
    ep_dedup=False,
    rc_modules=MODULE_BIT["core_attn"],
    rc_layers=np.inf,
    offload=0.0,
    fp8_params=False,
    graphs=0,
    fused=True,
    flash=True,
    fa2=False,
    fp8_recipe=0,
    grouped=True,
    host_sync=True,
    fsdp_keep=None,
    prefetch=1.0,
    grad_sync=False,
    cp_gather=False,
) -> LayoutArrays:
    """Columns from scalars or arrays (broadcast to one length). Codes: `RECOMPUTE_CODE`, `PRECISION_CODE`,
    `MODULE_BIT` (rc_modules); rc_layers = inf recomputes every layer under full recompute; `GRAPH_CODE`
    (graphs), `FP8_RECIPE_CODE` (fp8_recipe); fsdp_keep None = keep the weights only with pipeline
    parallelism (the `auto` rule of Software.fsdp_reshard)."""
    if fsdp_keep is None:
        fsdp_keep = np.asarray(pp) > 1
    values = dict(
        tp=tp,
        pp=pp,
        dp=dp,
        cp=cp,
        ep=ep,
        etp=etp,
        vpp=vpp,
        mbs=mbs,
        gbs=gbs,
        zero=zero,
        recompute=recompute,
        precision=precision,
        uneven=uneven,
        sp=sp,
        ovl_tp=ovl_tp,
        ovl_cp=ovl_cp,
        ovl_ep=ovl_ep,
        ovl_pp=ovl_pp,
        ovl_dp=ovl_dp,
        grad_fp32=grad_fp32,
        ep_dedup=ep_dedup,
        rc_modules=rc_modules,
        rc_layers=rc_layers,
        offload=offload,
        fp8_params=fp8_params,
        graphs=graphs,
        fused=fused,
        flash=flash,
        fa2=fa2,
        fp8_recipe=fp8_recipe,
        grouped=grouped,
        host_sync=host_sync,
        fsdp_keep=fsdp_keep,
        prefetch=prefetch,
        grad_sync=grad_sync,
        cp_gather=cp_gather,
    )
    cols = np.broadcast_arrays(*(np.atleast_1d(np.asarray(v)) for v in values.values()))
    out = {}
    for (name, _), col in zip(values.items(), cols, strict=True):
        if name in _FLOAT:
            out[name] = col.astype(np.float64)
        elif name in _INT:
            out[name] = col.astype(np.int8)
        else:
            out[name] = col.astype(bool)
    return LayoutArrays(**out)


def from_layouts(layouts: list[Layout]) -> LayoutArrays:
    """Typed layouts to columns (one row each)."""

    def col(f):
        return [f(x) for x in layouts]

    return layout_arrays(
        tp=col(lambda x: x.tp),
        pp=col(lambda x: x.pp),
        dp=col(lambda x: x.dp),
        cp=col(lambda x: x.cp),
        ep=col(lambda x: x.ep),
        etp=col(lambda x: x.etp),
        vpp=col(lambda x: x.vpp),
        mbs=col(lambda x: x.micro_batch),
        gbs=col(lambda x: x.global_batch),
        zero=col(lambda x: x.zero_stage),
        recompute=col(lambda x: RECOMPUTE_CODE[x.recompute]),
        precision=col(lambda x: PRECISION_CODE[x.precision]),
        uneven=col(lambda x: x.pp_split == "uneven"),
        sp=col(lambda x: x.sp),
        ovl_tp=col(lambda x: x.overlap.tp),
        ovl_cp=col(lambda x: x.overlap.cp),
        ovl_ep=col(lambda x: x.overlap.ep),
        ovl_pp=col(lambda x: x.overlap.pp),
        ovl_dp=col(lambda x: x.overlap.dp),
        grad_fp32=col(lambda x: x.grad_reduce_fp32),
        ep_dedup=col(lambda x: x.moe_dispatcher == "deepep"),
        rc_modules=col(lambda x: module_mask(x.recompute_modules)),
        rc_layers=col(lambda x: np.inf if x.recompute_layers is None else x.recompute_layers),
        offload=col(lambda x: x.activation_offload),
        fp8_params=col(lambda x: x.fp8_params),
        **software_columns([x.software for x in layouts], [x.pp for x in layouts]),
    )


def fsdp_keeps_weights(software: Software, pp: int) -> bool:
    """ZeRO-3 keeps the gathered weights from the forward to the backward pass: `never` reshard, or `auto`
    with pipeline parallelism (torchtitan: avoids an all-gather per micro-batch that PP cannot overlap)."""
    return software.fsdp_reshard == "never" or (software.fsdp_reshard == "auto" and pp > 1)


def software_columns(software: list[Software], pp: list[int]) -> dict[str, list]:
    """The LayoutArrays columns of a list of Software values (one per layout)."""
    return dict(
        graphs=[GRAPH_CODE[s.cuda_graphs] for s in software],
        fused=[s.fused_kernels for s in software],
        flash=[s.flash_attention for s in software],
        fa2=[s.attention_kernel == "fa2" for s in software],
        fp8_recipe=[FP8_RECIPE_CODE[s.fp8_recipe] for s in software],
        grouped=[s.moe_grouped_gemm for s in software],
        host_sync=[s.host_syncs for s in software],
        fsdp_keep=[fsdp_keeps_weights(s, p) for s, p in zip(software, pp, strict=True)],
        prefetch=[float(s.fsdp_prefetch) for s in software],
        grad_sync=[s.grad_sync_every_microbatch for s in software],
        cp_gather=[s.cp_comm == "all_gather" for s in software],
    )


def stack_layouts(rows: list[LayoutArrays]) -> LayoutArrays:
    return LayoutArrays(*(np.concatenate([getattr(r, f) for r in rows]) for f in LayoutArrays._fields))


# ---------------------------------------------------------------- validity (messages and mask)


def divisors(n: int) -> list[int]:
    return [k for k in range(1, n + 1) if n % k == 0]


def _short(values: list[int], limit: int = 12) -> str:
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (", ..." if len(values) > limit else "")


def layout_problems(model: ModelSpec, layout: Layout, gpus: int | None = None) -> list[InputProblem]:
    """Everything wrong with `layout` for `model` (on `gpus` GPUs when given), each with what to change."""
    L, out = layout, []

    def bad(field: str, message: str, hint: str) -> None:
        out.append(InputProblem(field, message, hint))

    if gpus is not None and L.gpus != gpus:
        rest = L.tp * L.pp * L.cp
        hint = (
            f"set dp = {gpus // rest}"
            if gpus % rest == 0
            else f"choose tp*pp*cp dividing {gpus} (divisors: {_short(divisors(gpus))})"
        )
        bad("dp", f"tp*pp*dp*cp = {L.tp}*{L.pp}*{L.dp}*{L.cp} = {L.gpus} but the job has {gpus} GPUs", hint)
    if model.heads % L.tp:
        bad(
            "tp",
            f"tp={L.tp} does not divide {model.heads} attention heads",
            f"use tp in {_short(divisors(model.heads))}",
        )
    kv = model.kv_heads if model.attention != "mla" else model.heads
    if kv and kv % L.tp and model.heads % L.tp == 0:
        bad(
            "tp",
            f"tp={L.tp} does not divide {kv} key/value heads (Megatron needs query groups % tp == 0)",
            f"use tp in {_short(divisors(kv))}",
        )
    chunks = L.pp * L.vpp
    if L.vpp > 1 and L.pp < 2:
        bad("vpp", f"vpp={L.vpp} needs pipeline parallelism (pp >= 2)", "set vpp: 1 or pp >= 2")
    if L.pp_split == "even" and model.layers % chunks:
        ok = [p for p in divisors(model.layers) if p <= 128]
        bad(
            "pp",
            f"{model.layers} layers do not split evenly into pp*vpp = {L.pp}*{L.vpp} = {chunks} chunks",
            f"use pp*vpp in {_short(ok)}, or set pp_split: uneven",
        )
    if model.layers < chunks:
        bad("pp", f"pp*vpp = {chunks} exceeds {model.layers} layers", f"use pp*vpp <= {model.layers}")
    per_step = L.dp * L.micro_batch
    if L.global_batch % per_step:
        seqs = L.global_batch // L.dp if L.global_batch % L.dp == 0 else None
        hint = (
            f"use micro_batch in {_short(divisors(seqs))}"
            if seqs
            else f"use a global_batch that is a multiple of dp*micro_batch = {per_step}"
        )
        bad(
            "global_batch",
            f"global_batch={L.global_batch} is not a multiple of dp*micro_batch = {per_step}",
            hint,
        )
    if L.cp > 1 and model.seq_len % (2 * L.cp):
        bad(
            "cp",
            f"sequence {model.seq_len} is not a multiple of 2*cp = {2 * L.cp} (load-balanced CP)",
            f"use cp in {_short([c for c in divisors(model.seq_len // 2) if c <= 64])}",
        )
    if L.tp > 1 and L.sp and (L.micro_batch * model.seq_len // L.cp) % L.tp:
        bad(
            "sp",
            "sequence parallelism needs micro_batch*seq/cp divisible by tp",
            "change tp or set sp: false",
        )
    if L.recompute == "selective":
        if "mla_up_proj" in L.recompute_modules and model.attention != "mla":
            bad("recompute_modules", f"mla_up_proj needs MLA attention ({model.id} has {model.attention})",
                "drop mla_up_proj")
        if "moe_act" in L.recompute_modules and model.moe is None:
            bad("recompute_modules", f"moe_act needs an MoE model ({model.id} is dense)", "drop moe_act")
    if model.moe is None:
        if L.ep > 1 or L.etp > 1:
            bad("ep", f"{model.id} is dense: expert parallelism does not apply", "set ep: 1 and etp: 1")
    else:
        E = model.moe.experts
        if E % L.ep:
            bad("ep", f"ep={L.ep} does not divide {E} experts", f"use ep in {_short(divisors(E))}")
        plane = L.tp * L.cp * L.dp
        if plane % (L.ep * L.etp):
            ok = [e for e in divisors(plane) if E % e == 0 and plane % (e * L.etp) == 0]
            bad(
                "ep",
                f"ep*etp = {L.ep}*{L.etp} must divide tp*cp*dp = {plane} (experts shard that plane)",
                f"use ep in {_short(ok)}",
            )
        if model.moe.expert_ffn % L.etp:
            bad(
                "etp",
                f"etp={L.etp} does not divide expert_ffn={model.moe.expert_ffn}",
                f"use etp in {_short(divisors(model.moe.expert_ffn))}",
            )
        if L.ep > 1 and L.tp > 1 and not L.sp:
            bad(
                "sp",
                "MoE with expert and tensor parallelism needs sequence parallelism (Megatron-Core)",
                "set sp: true",
            )
    return out


def check_layout(model: ModelSpec, layout: Layout, gpus: int | None = None, source: str = "layout") -> None:
    """Raise InputError listing every problem of the layout (nothing when it is valid)."""
    problems = layout_problems(model, layout, gpus)
    if problems:
        raise InputError(source, problems)


def _divides(b, a):
    """b divides a: a is a whole multiple of b. For the whole numbers of a layout (below 2^53) the same as
    fmod(a, b) == 0 and several times faster (np.fmod is the slowest operation of the step model)."""
    return a == b * np.floor(a / b)


def valid_mask(m, lay: LayoutArrays, gpus=None) -> np.ndarray:
    """Vectorised `layout_problems`: True where the layout is valid. `m` is a ModelArrays."""
    t, p, d, c, e, et, v, b = lay.tp, lay.pp, lay.dp, lay.cp, lay.ep, lay.etp, lay.vpp, lay.mbs
    ok = _divides(t, m.kv_heads)  # query groups divide heads, so this implies tp | heads
    ok &= (v == 1) | (p >= 2)
    ok &= lay.uneven | _divides(p * v, m.layers)
    ok &= m.layers >= p * v
    ok &= _divides(d * b, lay.gbs)
    ok &= (c == 1) | _divides(2 * c, m.seq)
    ok &= (t == 1) | ~lay.sp | _divides(t, b * m.seq / c)
    if np.ndim(m.experts) == 0 and m.experts == 0:  # one dense model: no expert parallelism
        ok &= (e == 1) & (et == 1)
    else:
        ok &= np.where(
            m.experts > 0,
            _divides(e, m.experts)
            & _divides(e * et, t * c * d)
            & _divides(et, m.expert_ffn)
            & ((e == 1) | (t == 1) | lay.sp),
            (e == 1) & (et == 1),
        )
    # recompute modules must exist in the model (MLA up-projections, routed experts); FP8 weights need FP8
    sel = lay.recompute == RECOMPUTE_CODE["selective"]
    mods = lay.rc_modules
    ok &= ~(sel & ((mods & MODULE_BIT["mla_up_proj"]) > 0)) | (m.mla_up_params > 0)
    ok &= ~(sel & ((mods & MODULE_BIT["moe_act"]) > 0)) | (m.experts > 0)
    ok &= ~lay.fp8_params | (lay.precision == PRECISION_CODE["fp8"])
    if gpus is not None:
        ok &= lay.gpus == gpus
    return ok


__all__ = [
    "DEFAULT_MODULES",
    "Layout",
    "LayoutArrays",
    "MODULE_BIT",
    "MoeDispatcher",
    "Overlap",
    "PRECISIONS",
    "PRECISION_CODE",
    "Precision",
    "RECOMPUTES",
    "RECOMPUTE_CODE",
    "RECOMPUTE_MODULES",
    "Recompute",
    "RecomputeModule",
    "check_layout",
    "divisors",
    "from_layouts",
    "layout_arrays",
    "fsdp_keeps_weights",
    "layout_problems",
    "module_mask",
    "software_columns",
    "stack_layouts",
    "valid_mask",
]
