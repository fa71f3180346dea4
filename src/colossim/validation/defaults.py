"""Turn a published run into the step model's inputs, filling what the source leaves out (null) with
the usual setting of the framework that produced it, at the release it was published with. Every default
used is named in the result.

Defaults (docs/perf_model.md, "Validation defaults"):
  framework, release -> named in the source (validation/framework.py); its stack at that date
                       (perf/software.yaml): CUDA graphs, fused kernels, flash attention, FP8 recipe, MoE
                       routing, FSDP resharding, TP-communication and data-parallel overlap
  micro_batch null  -> 1 (Megatron-LM / NeMo default)
  vpp null          -> the framework's schedule: 1 (plain 1F1B) unless its release entry names layers per
                       virtual stage (Meta's Llama 3 stack: interleaved)
  sp null           -> true when tp > 1 (Megatron-Core / NeMo recipes)
  zero_stage null   -> 3 for FSDP trainers (torchtitan, PyTorch FSDP, llm-foundry, Meta), else 1 (Megatron
                       distributed optimizer, on in NeMo and Megatron-Bridge recipes)
  recompute null    -> the lightest memory saving that fits (perf.savings.lightest_fitting): none when the
                       layout fits, else the fastest-predicted of activation offload (1..n-1 of the rank's
                       n layers), selective recompute of module sets (layernorm, mla_up_proj, mlp, moe_act)
                       and full recompute of 1..all layers per model chunk that fits; the same rule for every
                       run (NVIDIA recipes turn on offload / recompute_modules / recompute_num_layers exactly
                       when a layout would not fit)
  FP8 weights (not in the schema) -> FP8 primary weights when precision is fp8 in NeMo / Megatron-Bridge
                       recipes (fp8_param_gather=True), BF16 weights elsewhere
  vocab null        -> 50257 (GPT-2/GPT-3 BPE); every vocabulary is padded to a multiple of 128 x tp
                       as Megatron does (--make-vocab-size-divisible-by 128)
  head_dim null     -> hidden / heads; dropout null -> on for GPT-style models (plain MLP and multi-head
                       attention, trained with 0.1 dropout in Megatron), off for Llama-style ones
  scale_out null    -> the usual NIC of the GPU's system (calibration.yaml scale_out_gbps_per_gpu); fabric
                       null -> RoCE when the source names it, else the family's (InfiniBand)
  expert tensor parallel (not in the schema) -> 1 (Megatron-Bridge MoE recipes)
  layers not divisible by pp x vpp -> uneven pipeline split (custom Megatron pipeline layouts)
  embeddings untied (not in the schema)
  MoE dispatcher    -> deepep (one copy per destination NVLink domain) in Megatron-Bridge recipes with
                       ep > 1 (flex dispatcher with its HybridEP/DeepEP backend), else all-to-all
  stated recipe switches (moe_dispatcher, ep_overlap, recompute_modules with recompute: selective) -> as
                       stated; the shipped copy states them where the run's own recipe script sets them
  gradient reduction (not in the schema) -> FP32 in torchtitan and PyTorch FSDP (their reduce dtype
                       defaults), BF16 elsewhere (Megatron's grad_reduce_in_fp32 / accumulate_allreduce_grads
                       _in_fp32 default False; NVIDIA's recipes set it False)
"""

from __future__ import annotations

from dataclasses import dataclass

from colossim.catalog import load_catalog
from colossim.inputs import InputError
from colossim.models.schema import MlaSpec, ModelSpec, MoeSpec
from colossim.perf.hardware import Calibration, Hardware, hardware_for, load_calibration
from colossim.perf.layout import Layout, layout_problems
from colossim.perf.savings import describe_saving, lightest_fitting
from colossim.perf.software import Software
from colossim.perf.stack import Stack, framework_stack
from colossim.validation.framework import run_framework
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
    moe = None if r.moe is None else _with_published_routing(MoeSpec(**r.moe.model_dump()), r.layers, r.hidden,
                                                                notes)
    dropout = r.dropout
    if dropout is None:
        dropout = r.mlp == "plain" and r.attention == "mha"
        notes.append(f"dropout null -> {'on' if dropout else 'off'} ({'GPT' if dropout else 'Llama'}-style model)")
    try:
        return ModelSpec(
            id=run.id.lower().replace("/", "-"),
            name=r.name,
            source=run.source,
            layers=r.layers,
            hidden=r.hidden,
            heads=r.heads,
            kv_heads=r.kv_heads if r.attention != "mla" else None,
            head_dim=r.head_dim,
            attention=r.attention,
            mla=mla,
            ffn=r.ffn,
            mlp=r.mlp,
            vocab=padded_vocab(vocab, tp),
            seq_len=r.seq_len,
            dropout=dropout,
            sliding_window=r.sliding_window,
            moe=moe,
        )
    except ValueError as exc:  # pydantic ValidationError is a ValueError
        raise Unrepresentable(f"model: {exc}") from None


def _with_published_routing(moe: MoeSpec, layers: int, hidden: int, notes: list[str]) -> MoeSpec:
    """A run that does not state its router groups gets those of the zoo model of the same architecture
    (layers, hidden size and every expert dimension): group-limited routing is part of a model's published
    design (DeepSeek-V3: 8 groups, top 4; report section 2.1.2, config.json n_group / topk_group), not of a run."""
    if moe.router_groups is not None:
        return moe
    from colossim.models.zoo import load_zoo

    shape = ("experts", "top_k", "expert_ffn", "shared_experts", "first_dense_layers")
    for known in load_zoo().models.values():
        k = known.moe
        if (k is not None and k.router_groups is not None and known.layers == layers and known.hidden == hidden
                and all(getattr(k, f) == getattr(moe, f) for f in shape)):
            notes.append(f"router groups null -> {k.router_groups}, top {k.router_group_topk} "
                         f"({known.name}'s published routing: the same architecture)")
            return moe.model_copy(update={"router_groups": k.router_groups, "router_group_topk": k.router_group_topk})
    return moe


def _layout(run: ValidationRun, model: ModelSpec, stack: Stack, notes: list[str]) -> Layout:
    p, b = run.parallelism, run.batch
    mbs = b.micro_batch
    if mbs is None:
        mbs = 1
        notes.append("micro_batch null -> 1")
    vpp = p.vpp
    if vpp is None:
        vpp = stack.vpp(model.layers, p.pp)
        notes.append(f"vpp null -> {vpp}" + (" (the framework's interleaved schedule)" if vpp > 1 else ""))
    sp = p.sp
    if sp is None:
        sp = p.tp > 1
        notes.append(f"sp null -> {str(sp).lower()}")
    zero = p.zero_stage
    if zero is None:
        zero = stack.default_zero
        notes.append(f"zero_stage null -> {zero} ({'FSDP' if zero == 3 else 'distributed optimizer'})")
    recompute = run.recompute or "none"  # null: chosen in `resolve` once the machine is known
    split = "even" if model.layers % (p.pp * vpp) == 0 else "uneven"
    if split == "uneven":
        notes.append(f"{model.layers} layers over pp*vpp={p.pp * vpp}: uneven pipeline split")
    dispatcher = run.moe_dispatcher or stack.dispatcher(model.moe is not None, p.ep)
    if run.moe_dispatcher is None and dispatcher == "deepep":
        notes.append("MoE dispatcher -> deepep (deduplicated per NVLink domain)")
    overlap = stack.overlap(sp, p.ep)
    if run.ep_overlap is not None:
        overlap = overlap.model_copy(update={"ep": run.ep_overlap and p.ep > 1})
    modules = {} if run.recompute_modules is None else {"recompute_modules": tuple(run.recompute_modules)}
    notes.append(f"gradient reduction -> {'fp32' if stack.grad_reduce_fp32 else 'bf16'}")
    fp8_params = stack.fp8_params(run.precision)
    if fp8_params:
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
        **modules,
        precision=run.precision,
        overlap=overlap,
        moe_dispatcher=dispatcher,  # type: ignore[arg-type]
        grad_reduce_fp32=stack.grad_reduce_fp32,
        fp8_params=fp8_params,
        software=stack.software,
    )


def resolve(run: ValidationRun, calibration: Calibration | None = None) -> Resolved:
    """The run as (model, layout, hardware), or Unrepresentable with the reason."""
    notes: list[str] = []
    cat = load_catalog()
    if run.hardware.gpu not in cat.gpus:
        raise Unrepresentable(f"gpu '{run.hardware.gpu}' is not in the catalog")
    model = _model(run, notes)
    fw, day, fw_notes = run_framework(run)
    notes.extend(fw_notes)
    gpu = cat.gpus[run.hardware.gpu]
    blackwell = (calibration or load_calibration()).family_of(gpu.id)[0] == "blackwell"
    stack = framework_stack(fw, day, blackwell)
    stated = {k: v for k, v in (("cuda_graphs", run.cuda_graphs), ("fp8_recipe", run.fp8_recipe)) if v}
    if stated:
        stack = Stack(stack.software.model_copy(update=stated), stack.release)
    notes.append(f"stack -> {describe_software(stack.software)}")
    try:
        layout = _layout(run, model, stack, notes)
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
            fabric=run.hardware.fabric or _fabric_named(run.source),
            power_cap_w=run.hardware.power_cap_w,
            calibration=calibration,
        )
    except InputError as exc:
        raise Unrepresentable(str(exc)) from None
    if run.hardware.scale_out_gbps_per_gpu is None:
        notes.append(f"scale_out null -> {hw.scale_out_gbps_per_gpu:g} Gb/s per GPU ({hw.gpu.id} system NIC)")
    if not hw.calibrated:
        notes.append(f"{hw.gpu.id} uses the '{hw.family}' family calibration")
    g = hw.gpu
    if not hw.supports(run.precision):
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


def _fabric_named(source: str):
    """RoCE when the source says so (e.g. Meta's 400 Gb/s RoCE cluster); None: the family's default."""
    return "roce" if "roce" in source.lower() else None


def describe_software(sw: Software) -> str:
    parts = [sw.framework, f"cuda_graphs={sw.cuda_graphs}", "fused" if sw.fused_kernels else "unfused",
             "flash" if sw.flash_attention else "unfused attention", f"fp8={sw.fp8_recipe}"]
    return ", ".join(parts)


__all__ = ["Resolved", "Unrepresentable", "describe_software", "padded_vocab", "resolve"]
