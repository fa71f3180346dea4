"""Turn a published run into the step model's inputs, filling what the source leaves out (null) with
the usual setting of the framework that produced it. Every default used is named in the result.

Defaults (docs/perf_model.md, "Validation defaults"):
  micro_batch null  -> 1 (Megatron-LM / NeMo default)
  vpp null          -> 1 (no interleaving unless the source says so)
  sp null           -> true when tp > 1 (Megatron-Core / NeMo recipes)
  zero_stage null   -> 1 (Megatron distributed optimizer, on in NeMo and Megatron-Bridge recipes)
  recompute null    -> the lightest memory saving that fits (perf.savings.lightest_fitting): none when the
                       layout fits, else the fastest-predicted of activation offload (1..n-1 of the rank's
                       n layers), selective recompute of module sets (layernorm, mla_up_proj, mlp, moe_act)
                       and full recompute of 1..all layers per model chunk that fits; the same rule for every
                       run (NVIDIA recipes turn on offload / recompute_modules / recompute_num_layers exactly
                       when a layout would not fit)
  FP8 weights (not in the schema) -> FP8 primary weights when precision is fp8: NeMo 2 and Megatron-Bridge
                       FP8 mixed-precision recipes set fp8_param_gather=True
  vocab null        -> 50257 (GPT-2/GPT-3 BPE); every vocabulary is padded to a multiple of 128 x tp
                       as Megatron does (--make-vocab-size-divisible-by 128)
  scale_out null    -> the usual NIC of the GPU's system (calibration.yaml scale_out_gbps_per_gpu)
  expert tensor parallel (not in the schema) -> 1 (Megatron-Bridge MoE recipes)
  layers not divisible by pp x vpp -> uneven pipeline split (custom Megatron pipeline layouts)
  head_dim          -> hidden / heads (not in the schema); embeddings untied (not in the schema)
  overlap           -> TP overlap when sp, DP/PP/CP overlap on, EP all-to-all not overlapped
  MoE dispatcher    -> deepep (one copy per destination NVLink domain): Megatron-Bridge MoE recipes use the
                       flex dispatcher with its HybridEP/DeepEP backend
  gradient reduction (not in the schema) -> BF16: NVIDIA's NeMo performance recipes set
                       grad_reduce_in_fp32=False (Megatron-LM's own default is FP32)
"""

from __future__ import annotations

from dataclasses import dataclass

from colossim.catalog import load_catalog
from colossim.inputs import InputError
from colossim.models.schema import MlaSpec, ModelSpec, MoeSpec
from colossim.perf.hardware import Calibration, Hardware, hardware_for
from colossim.perf.layout import Layout, Overlap, layout_problems
from colossim.perf.savings import describe_saving, lightest_fitting
from colossim.validation.schema import ValidationRun

GPT2_VOCAB = 50257
VOCAB_MULTIPLE = 128


class Unrepresentable(Exception):
    """The step model cannot represent this run; the message says why."""


@dataclass(frozen=True)
class Resolved:
    model: ModelSpec
    layout: Layout
    hardware: Hardware
    defaults: tuple[str, ...]


def padded_vocab(vocab: int, tp: int) -> int:
    multiple = VOCAB_MULTIPLE * tp
    return -(-vocab // multiple) * multiple


def _model(run: ValidationRun, notes: list[str]) -> ModelSpec:
    r, tp = run.model, run.parallelism.tp
    vocab = r.vocab
    if vocab is None:
        vocab = GPT2_VOCAB
        notes.append(f"vocab null -> {GPT2_VOCAB} (GPT-2 BPE)")
    mla = None
    if r.attention == "mla":
        needed = (r.kv_lora_rank, r.qk_rope_head_dim, r.qk_nope_head_dim, r.v_head_dim)
        if any(v is None for v in needed):
            raise Unrepresentable(
                "mla attention needs kv_lora_rank, qk_rope_head_dim, qk_nope_head_dim, v_head_dim"
            )
        mla = MlaSpec(
            kv_lora_rank=r.kv_lora_rank,
            q_lora_rank=r.q_lora_rank,
            qk_rope_head_dim=r.qk_rope_head_dim,
            qk_nope_head_dim=r.qk_nope_head_dim,
            v_head_dim=r.v_head_dim,
        )
    moe = None if r.moe is None else MoeSpec(**r.moe.model_dump())
    try:
        return ModelSpec(
            id=run.id.lower().replace("/", "-"),
            name=r.name,
            source=run.source,
            layers=r.layers,
            hidden=r.hidden,
            heads=r.heads,
            kv_heads=r.kv_heads if r.attention != "mla" else None,
            attention=r.attention,
            mla=mla,
            ffn=r.ffn,
            mlp=r.mlp,
            vocab=padded_vocab(vocab, tp),
            seq_len=r.seq_len,
            moe=moe,
        )
    except ValueError as exc:  # pydantic ValidationError is a ValueError
        raise Unrepresentable(f"model: {exc}") from None


def _layout(run: ValidationRun, model: ModelSpec, notes: list[str]) -> Layout:
    p, b = run.parallelism, run.batch
    mbs = b.micro_batch
    if mbs is None:
        mbs = 1
        notes.append("micro_batch null -> 1")
    vpp = p.vpp
    if vpp is None:
        vpp = 1
        notes.append("vpp null -> 1")
    sp = p.sp
    if sp is None:
        sp = p.tp > 1
        notes.append(f"sp null -> {str(sp).lower()}")
    zero = p.zero_stage
    if zero is None:
        zero = 1
        notes.append("zero_stage null -> 1 (distributed optimizer)")
    recompute = run.recompute or "none"  # null: chosen in `resolve` once the machine is known
    split = "even" if model.layers % (p.pp * vpp) == 0 else "uneven"
    if split == "uneven":
        notes.append(f"{model.layers} layers over pp*vpp={p.pp * vpp}: uneven pipeline split")
    dispatcher = "deepep" if model.moe is not None and p.ep > 1 else "alltoall"
    if dispatcher == "deepep":
        notes.append("MoE dispatcher -> deepep (deduplicated per NVLink domain)")
    notes.append("gradient reduction -> bf16")
    if run.precision == "fp8":
        notes.append("fp8 -> FP8 primary weights (fp8_param_gather)")
    return Layout(
        tp=p.tp,
        pp=p.pp,
        dp=p.dp,
        cp=p.cp,
        ep=p.ep,
        etp=1,
        vpp=vpp,
        pp_split=split,
        sp=sp,
        zero_stage=zero,
        micro_batch=mbs,
        global_batch=b.global_batch_seqs,
        recompute=recompute,
        precision=run.precision,
        overlap=Overlap(tp=sp, cp=True, ep=False, pp=True, dp=True),
        moe_dispatcher=dispatcher,
        grad_reduce_fp32=False,
        fp8_params=run.precision == "fp8",
    )


def resolve(run: ValidationRun, calibration: Calibration | None = None) -> Resolved:
    """The run as (model, layout, hardware), or Unrepresentable with the reason."""
    notes: list[str] = []
    cat = load_catalog()
    if run.hardware.gpu not in cat.gpus:
        raise Unrepresentable(f"gpu '{run.hardware.gpu}' is not in the catalog")
    model = _model(run, notes)
    try:
        layout = _layout(run, model, notes)
    except ValueError as exc:
        raise Unrepresentable(f"layout: {exc}") from None
    problems = layout_problems(model, layout, run.hardware.gpu_count)
    if problems:
        raise Unrepresentable("; ".join(pr.render() for pr in problems))
    try:
        hw = hardware_for(
            run.hardware.gpu,
            nvlink_domain=run.hardware.nvlink_domain,
            scale_out_gbps_per_gpu=run.hardware.scale_out_gbps_per_gpu,
            calibration=calibration,
        )
    except InputError as exc:
        raise Unrepresentable(str(exc)) from None
    if run.hardware.scale_out_gbps_per_gpu is None:
        notes.append(f"scale_out null -> {hw.scale_out_gbps_per_gpu:g} Gb/s per GPU ({hw.gpu.id} system NIC)")
    if not hw.calibrated:
        notes.append(f"{hw.gpu.id} uses the '{hw.family}' family calibration")
    g = hw.gpu
    if g.dense_tflops.at(run.precision) is None or getattr(hw.calibration.gemm_eff, run.precision) is None:
        raise Unrepresentable(f"{g.id} has no calibrated {run.precision} mode")
    if run.recompute is None:
        saving = lightest_fitting(model, layout, hw)
        layout, name = saving.layout, describe_saving(saving.layout)
        if name == "none" and saving.fits:
            notes.append("recompute null -> none")
        else:
            verdict = "the lightest that fits" if saving.fits else "none fits: the one needing least memory"
            notes.append(f"recompute null -> {name} ({verdict} of {saving.options} memory savings)")
    return Resolved(model, layout, hw, tuple(notes))


__all__ = ["Resolved", "Unrepresentable", "padded_vocab", "resolve"]
