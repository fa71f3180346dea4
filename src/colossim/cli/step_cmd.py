"""`colossim step`: time, throughput, MFU and memory of one training step for one layout."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from colossim.cli.common import console, guarded, print_json
from colossim.inputs import input_error, load_yaml, validate
from colossim.perf.request import StepRequest, resolve_request
from colossim.perf.step import StepBreakdown, step_breakdown


def register(app: typer.Typer) -> None:
    app.command("step")(step)


def _flags_request(
    model, gpu, gpus, seq_len, network, layout, framework, release
) -> StepRequest:
    missing = [
        name
        for name, value in (
            ("--model", model),
            ("--gpu", gpu),
            ("--gpus", gpus),
            ("--gbs", layout.get("global_batch")),
        )
        if value is None
    ]
    if missing:
        raise input_error(
            "command line", f"missing {', '.join(missing)}", "give them, or use --file run.yaml"
        )
    data = {
        "model": model,
        "gpu": gpu,
        "gpus": gpus,
        "network": {k: v for k, v in network.items() if v is not None},
        "layout": {k: v for k, v in layout.items() if v is not None},
    }
    if framework is not None:
        data["framework"] = framework
    if release is not None:
        data["release"] = release
    if seq_len is not None:
        data["seq_len"] = seq_len
    return validate(data, StepRequest, "command line")


def _table(r: StepBreakdown) -> Table:
    table = Table(title=f"{r.model} on {r.gpus:,} x {r.gpu}: one optimizer step")
    table.add_column("part")
    table.add_column("seconds", justify="right")
    table.add_column("share", justify="right")
    for name, value in (
        ("compute (fwd + bwd + recompute)", r.compute_s),
        ("tensor-parallel comm (exposed)", r.tp_s),
        ("context-parallel comm (exposed)", r.cp_s),
        ("expert-parallel comm (exposed)", r.ep_s),
        ("pipeline send/recv (exposed)", r.pp_s),
        ("pipeline bubble", r.bubble_s),
        ("data-parallel comm (exposed)", r.dp_s),
        ("optimizer step", r.optimizer_s),
        ("activation offload copies (exposed)", r.offload_s),
        ("host: launch-bound waits, syncs, per-step work", r.host_s),
    ):
        table.add_row(name, f"{value:.3f}", f"{value / r.step_time_s:.1%}")
    table.add_row("step time", f"{r.step_time_s:.3f}", "100%", style="bold")
    return table


def _memory_table(r: StepBreakdown) -> Table:
    m = r.memory
    table = Table(title=f"memory per GPU (busiest pipeline rank): {'fits' if m.fits else 'DOES NOT FIT'}")
    table.add_column("part")
    table.add_column("GB", justify="right")
    for name, value in (
        ("weights", m.weights_gb),
        ("gradients", m.grads_gb),
        ("optimizer states", m.optimizer_gb),
        ("activations", m.activations_gb),
        ("buffers, logits", m.other_gb),
        ("total", m.total_gb),
        (f"usable of {m.hbm_gb:g} GB HBM (read as GiB)", m.usable_gb),
        ("activations offloaded to host memory", m.host_gb),
    ):
        table.add_row(name, f"{value:,.1f}")
    return table


OVERLAPS = ("tp", "cp", "ep", "pp", "dp")


def _overlap(text: str) -> dict[str, bool]:
    names = [] if text.strip() == "none" else [t.strip() for t in text.split(",") if t.strip()]
    bad = [n for n in names if n not in OVERLAPS]
    if bad:
        raise input_error("command line", f"--overlap {text!r}: unknown {', '.join(bad)}",
                          f"use a comma-separated subset of {','.join(OVERLAPS)}, or none", "overlap")
    return {k: k in names for k in OVERLAPS}


@guarded
def step(
    file: Path | None = typer.Option(
        None, "--file", "-f", help="a YAML step request (see docs/perf_model.md)"
    ),
    model: str | None = typer.Option(None, help="zoo model id, e.g. llama3-405b (see docs/perf_model.md)"),
    gpu: str | None = typer.Option(None, help="catalog GPU id, e.g. h100_sxm5"),
    gpus: int | None = typer.Option(None, help="GPUs in the job"),
    tp: int | None = typer.Option(None, help="tensor parallel size [1]"),
    pp: int | None = typer.Option(None, help="pipeline parallel size [1]"),
    dp: int | None = typer.Option(None, help="data parallel size [gpus / (tp*pp*cp)]"),
    cp: int | None = typer.Option(None, help="context parallel size [1]"),
    ep: int | None = typer.Option(None, help="expert parallel size [1]"),
    etp: int | None = typer.Option(None, help="expert tensor parallel size [1]"),
    vpp: int | None = typer.Option(None, help="virtual pipeline stages per rank (interleaved 1F1B) [1]"),
    pp_split: str | None = typer.Option(None, help="even or uneven layers per stage [even]"),
    sp: bool | None = typer.Option(None, "--sp/--no-sp", help="sequence parallelism with TP [on]"),
    zero: int | None = typer.Option(None, help="ZeRO stage 0-3 (3 = FSDP) [1]"),
    mbs: int | None = typer.Option(None, help="micro-batch size in sequences [1]"),
    gbs: int | None = typer.Option(None, help="global batch in sequences"),
    recompute: str | None = typer.Option(None, help="none, selective or full [none]"),
    recompute_modules: str | None = typer.Option(
        None, help="with selective: comma-separated core_attn,layernorm,mla_up_proj,mlp,moe_act [core_attn]"
    ),
    recompute_layers: int | None = typer.Option(None, help="with full: layers recomputed per model chunk [all]"),
    offload: float | None = typer.Option(None, help="share of layers whose activations go to host memory [0]"),
    fp8_params: bool | None = typer.Option(None, "--fp8-params/--no-fp8-params", help="FP8 primary weights [off]"),
    precision: str | None = typer.Option(None, help="bf16, fp8 or fp4 [bf16]"),
    dispatcher: str | None = typer.Option(None, help="MoE dispatcher: alltoall or deepep [alltoall]"),
    grad_fp32: bool | None = typer.Option(None, "--grad-fp32/--no-grad-fp32", help="reduce gradients in FP32 [on]"),
    overlap: str | None = typer.Option(
        None, help="communications overlapped with compute, comma-separated tp,cp,ep,pp,dp, or none [tp,cp,pp,dp]"),
    framework: str | None = typer.Option(
        None, help="start the software stack from this framework's defaults: megatron_lm, nemo, megatron_bridge, "
        "megascale, torchtitan, pytorch_fsdp, llm_foundry, deepspeed, meta_llama3, generic [Software() defaults]"),
    release: str | None = typer.Option(None, help="that framework's release date, YYYY-MM-DD [newest]"),
    cuda_graphs: str | None = typer.Option(None, help="none, layer or full [none]"),
    fused: bool | None = typer.Option(None, "--fused/--no-fused", help="fused element-wise kernels [on]"),
    flash: bool | None = typer.Option(None, "--flash/--no-flash", help="fused (flash) attention [on]"),
    attention_kernel: str | None = typer.Option(None, help="fused attention kernel: fa3 or fa2 [fa3]"),
    fp8_recipe: str | None = typer.Option(None, help="delayed, current, blockwise or mxfp8 [delayed]"),
    grouped_gemm: bool | None = typer.Option(None, "--grouped-gemm/--no-grouped-gemm", help="MoE grouped GEMM [on]"),
    moe_host_sync: bool | None = typer.Option(None, "--moe-host-sync/--no-moe-host-sync",
                                              help="MoE layers read token counts on the host [on]"),
    fsdp_reshard: str | None = typer.Option(None, help="ZeRO-3: always, never or auto [auto]"),
    fsdp_prefetch: int | None = typer.Option(None, help="ZeRO-3 layers gathered ahead [1]"),
    grad_sync_every_microbatch: bool | None = typer.Option(
        None, "--grad-sync-every-microbatch/--no-grad-sync-every-microbatch",
        help="ZeRO-2/3 reduce gradients on every micro-batch [off]"),
    cp_comm: str | None = typer.Option(None, help="context parallelism: ring or all_gather [ring]"),
    seq_len: int | None = typer.Option(None, help="training sequence length [the model's]"),
    nvlink_domain: int | None = typer.Option(None, help="GPUs per NVLink domain [the GPU's]"),
    scale_out_gbps: float | None = typer.Option(None, help="scale-out Gb/s per GPU [the system's NIC]"),
    oversubscription: float | None = typer.Option(None, help="scale-out oversubscription [1]"),
    fabric: str | None = typer.Option(None, help="infiniband, spectrum_x, roce or ethernet [the family's]"),
    sharp: bool | None = typer.Option(None, "--sharp/--no-sharp", help="InfiniBand SHARP for all-reduces [off]"),
    power_cap: float | None = typer.Option(None, help="GPU power cap in W [the TDP]"),
    json_out: bool = typer.Option(False, "--json", help="print JSON instead of tables"),
) -> None:
    """Predict one optimizer step: time by part, tokens/s, MFU/HFU and memory per GPU."""
    layout = {
        "tp": tp,
        "pp": pp,
        "dp": dp,
        "cp": cp,
        "ep": ep,
        "etp": etp,
        "vpp": vpp,
        "pp_split": pp_split,
        "sp": sp,
        "zero_stage": zero,
        "micro_batch": mbs,
        "global_batch": gbs,
        "recompute": recompute,
        "recompute_modules": None if recompute_modules is None else recompute_modules.split(","),
        "recompute_layers": recompute_layers,
        "activation_offload": offload,
        "fp8_params": fp8_params,
        "precision": precision,
        "moe_dispatcher": dispatcher,
        "grad_reduce_fp32": grad_fp32,
        "overlap": None if overlap is None else _overlap(overlap),
    }
    software = {k: v for k, v in (
        ("cuda_graphs", cuda_graphs), ("fused_kernels", fused), ("flash_attention", flash),
        ("attention_kernel", attention_kernel),
        ("fp8_recipe", fp8_recipe), ("moe_grouped_gemm", grouped_gemm), ("moe_host_sync", moe_host_sync),
        ("fsdp_reshard", fsdp_reshard), ("fsdp_prefetch", fsdp_prefetch),
        ("grad_sync_every_microbatch", grad_sync_every_microbatch), ("cp_comm", cp_comm),
    ) if v is not None}
    if software:
        layout["software"] = software
    network = {"nvlink_domain": nvlink_domain, "scale_out_gbps_per_gpu": scale_out_gbps,
               "oversubscription": oversubscription, "fabric": fabric, "sharp": sharp, "power_cap_w": power_cap}
    if file is not None:
        req = load_yaml(file, StepRequest)
        source = str(file)
    else:
        req = _flags_request(model, gpu, gpus, seq_len, network, layout, framework, release)
        source = "command line"
    spec, lay, hw = resolve_request(req, source)
    result = step_breakdown(spec, lay, hw)
    if json_out:
        print_json(
            {
                "step": result,
                "layout": lay,
                "network": {
                    "nvlink_domain": hw.nvlink_domain,
                    "scale_out_gbps_per_gpu": hw.scale_out_gbps_per_gpu,
                    "oversubscription": hw.oversubscription,
                },
            }
        )
        return
    console.print(_table(result))
    console.print(
        f"tokens/s: {result.tokens_per_s:,.0f}   MFU {result.mfu:.1%}   HFU {result.hfu:.1%}   "
        f"model TFLOP/s per GPU {result.model_tflops_per_gpu:,.0f}   micro-batches {result.microbatches}"
    )
    console.print(_memory_table(result))
    for note in result.notes:
        console.print(f"note: {note}")
